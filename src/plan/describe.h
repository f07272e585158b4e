// Words for a step: what it does and what it verifies, shared by the text and JSON renderings
// and by status output, so a step reads the same everywhere.
#pragma once

#include <string>

#include "core/plan.h"

namespace rekey {

// "replace the value at orders-db", "write the new value to vault-record", ...
std::string StepSummary(const Step& step);
// What the step checks before it counts as done ("new value accepted by orders-db"), or "".
std::string StepVerification(const Step& step);

}  // namespace rekey
