// How a run is shown: the status table (text) and the status object (JSON), shared by
// `rekey run`, `rekey resume` and `rekey status`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/plan.h"
#include "store/store.h"

namespace rekey {

// {"run", "identity", "strategy", "state", "reason", "user", "host", "started_at",
//  "finished_at", "duration_ms", "contained_ms", "blocked_step", "blocked_reason",
//  "steps": [{"id", "action", "binding", "system", "state", "attempts", "duration_ms",
//             "evidence", "error"}]}
nlohmann::json RunToJson(const RunRecord& run, const Plan& plan,
                         const std::vector<StepRecord>& steps);
std::string RunToText(const RunRecord& run, const Plan& plan, const std::vector<StepRecord>& steps);
// "2026-12-03T10:15:00.123Z"
std::string FormatTime(SystemTime t);

}  // namespace rekey
