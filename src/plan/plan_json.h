// A plan as JSON: the `rekey plan --output json` format and the form a run stores its plan in,
// so `rekey resume` executes exactly the plan that was shown.
#pragma once

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "core/plan.h"

namespace rekey {

// {"identity", "strategy", "steps": [{"id", "action", "role", "binding", "system", "after",
//  "group", "summary", "verification", "note"}], "notes": [...]}
nlohmann::json PlanToJson(const Plan& plan);
// The inverse of PlanToJson; corruption when the JSON is not a plan.
Result<Plan> PlanFromJson(const nlohmann::json& json);

}  // namespace rekey
