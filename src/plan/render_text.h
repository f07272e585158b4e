// The human rendering of a plan, like `terraform plan`: numbered steps in groups that can run at
// once, what each touches, what it waits for and what it verifies, then the plan's notes.
#pragma once

#include <string>

#include "core/inventory.h"
#include "core/plan.h"

namespace rekey {

// INVENTORY gives system types for display. Ends with a newline.
std::string RenderPlanText(const Plan& plan, const Inventory& inventory);

}  // namespace rekey
