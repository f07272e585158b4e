// ErrnoStatus (errno_status.h).
#include "store/sqlite/errno_status.h"

#include <cerrno>
#include <cstring>

namespace rekey::sqlite {

Status ErrnoStatus(const std::string& what, int err) {
  std::string message = what + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
      return Status::NotFound(std::move(message));
    case EACCES:
    case EPERM:
      return Status::PermissionDenied(std::move(message));
    default:
      return Status::Unavailable(std::move(message));
  }
}

}  // namespace rekey::sqlite
