// Groups of steps that can run at once: a step's group is one more than the highest group of the
// steps it waits for, so every group only waits for earlier groups.
#pragma once

#include <vector>

#include "core/plan.h"

namespace rekey {

// REQUIRES: steps are in topological order (as the planner makes them). Element i is the 1-based
// group of plan.steps[i].
std::vector<int> StepGroups(const Plan& plan);

}  // namespace rekey
