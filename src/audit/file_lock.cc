// FileLock (file_lock.h).
#include "audit/file_lock.h"

#include <sys/file.h>

#include <cerrno>

#include "audit/fd_io.h"

namespace rekey::audit_internal {

Result<FileLock> FileLock::Acquire(int fd, int operation, const std::string& path) {
  while (::flock(fd, operation) != 0) {
    if (errno != EINTR) {
      return ErrnoStatus("lock " + path, errno);
    }
  }
  return FileLock(fd);
}

FileLock::~FileLock() {
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
  }
}

}  // namespace rekey::audit_internal
