#include "base/posix_edit_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "base/file_descriptor.h"
#include "base/posix_io.h"

namespace rekey {
namespace {

class FlockHeld final : public EditLock {
 public:
  explicit FlockHeld(FileDescriptor fd) : fd_(std::move(fd)) {}  // closing it releases the lock

 private:
  FileDescriptor fd_;
};

Result<FileDescriptor> OpenForLock(const std::string& path, int flags) {
  FileDescriptor fd(::open(path.c_str(), flags | O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) {
    int err = errno;
    return err == ENOENT ? Status::NotFound(path + " does not exist")
                         : Status::Internal("cannot open " + path + ": " + std::strerror(err));
  }
  return fd;
}

// Waits for an exclusive flock on FD (the file or directory WHAT) until DEADLINE, polling: flock
// has no timeout.
Status FlockUntil(int fd, const std::string& what, std::chrono::steady_clock::time_point deadline) {
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return Status::Internal("cannot lock " + what + ": " + std::strerror(errno));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Timeout("another edit held the lock on " + what + " until the deadline");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<EditLock>> LockFileForEdit(const std::string& path,
                                                  std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    Result<FileDescriptor> fd = OpenForLock(path, O_NOFOLLOW);
    const bool missing = !fd.ok() && fd.status().code() == StatusCode::kNotFound;
    if (missing) {
      fd = OpenForLock(DirName(path), O_DIRECTORY);
    }
    if (!fd.ok()) {
      return fd.status();
    }
    REKEY_RETURN_IF_ERROR(FlockUntil(fd->get(), missing ? DirName(path) : path, deadline));
    struct stat now {
    }, held{};
    const bool exists = ::stat(path.c_str(), &now) == 0;
    if (missing ? !exists
                : exists && ::fstat(fd->get(), &held) == 0 && held.st_dev == now.st_dev &&
                      held.st_ino == now.st_ino) {
      return std::unique_ptr<EditLock>(std::make_unique<FlockHeld>(std::move(*fd)));
    }
  }
}

}  // namespace rekey
