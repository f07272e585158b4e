// FileLock: holds a flock(2) on an open file and releases it on destruction (RAII). flock locks
// belong to the open file description, so they exclude other processes and other open()s of the
// same file, but not other threads using the same descriptor: pair it with a mutex for those.
#pragma once

#include <string>
#include <utility>

#include "base/result.h"

namespace rekey::audit_internal {

class FileLock {
 public:
  // Blocks until FD is locked with OPERATION (LOCK_EX or LOCK_SH), retrying on EINTR. FD must
  // outlive the lock. PATH names the file in errors.
  static Result<FileLock> Acquire(int fd, int operation, const std::string& path);

  FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}

  int fd_;  // not owned; -1 once moved from
};

}  // namespace rekey::audit_internal
