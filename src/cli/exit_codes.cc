#include "cli/exit_codes.h"

namespace rekey {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotFound:
      return kExitUsage;
    case StatusCode::kConflict:
      return kExitConflict;
    default:
      return kExitFailed;
  }
}

}  // namespace rekey
