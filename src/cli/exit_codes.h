// The one mapping from outcomes to process exit codes, which scripts rely on:
//   0 ok · 1 the operation failed · 2 bad input or usage · 3 conflict (another run holds the
//   identity).
#pragma once

#include "base/status.h"

namespace rekey {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitConflict = 3;

int ExitCodeFor(const Status& status);

}  // namespace rekey
