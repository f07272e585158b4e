// errno to Status for the store's own POSIX calls (database file creation, lease files).
#pragma once

#include <string>

#include "base/status.h"

namespace rekey::sqlite {

// "WHAT: strerror(ERR)", as not_found (ENOENT), permission_denied (EACCES, EPERM) or unavailable
// (anything else: the file system may recover).
Status ErrnoStatus(const std::string& what, int err);

}  // namespace rekey::sqlite
