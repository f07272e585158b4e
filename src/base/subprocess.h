// RunProcess: runs a child process with data on stdin and descriptor 3, collects its output and
// enforces a deadline by killing its whole process group. The real implementation behind
// Env::Run.
#pragma once

#include "base/env.h"

namespace rekey {

// Thread-safe. Fails (unavailable) only when the command cannot be started; its exit code, a
// signal or a timeout are reported in the ProcessResult.
Result<ProcessResult> RunProcess(const ProcessSpec& spec);

}  // namespace rekey
