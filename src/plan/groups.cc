#include "plan/groups.h"

#include <algorithm>

#include "base/check.h"

namespace rekey {

std::vector<int> StepGroups(const Plan& plan) {
  std::vector<int> group(plan.steps.size(), 1);
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    for (int dep : plan.steps[i].after) {
      REKEY_CHECK(dep >= 1 && static_cast<size_t>(dep) <= i);
      group[i] = std::max(group[i], group[dep - 1] + 1);
    }
  }
  return group;
}

}  // namespace rekey
