// FileRunLease: the right to execute one run, held as an exclusive flock(2) on
// STATE_DIR/locks/RUN_ID.lock. The kernel drops the lock when the last descriptor to it is closed,
// so a lease ends with its object, or with its process however that dies (kill -9 included): a
// crashed run becomes resumable by the next process that asks.
#pragma once

#include <memory>
#include <string>

#include "base/file_descriptor.h"
#include "base/result.h"
#include "store/store.h"

namespace rekey::sqlite {

class FileRunLease final : public RunLease {
 public:
  // Locks DIR/RUN_ID.lock without waiting, creating it (mode 0600) if needed, and writes this
  // process's pid into it. conflict ("run RUN_ID is being executed by another rekey process
  // (pid N)") when it is already locked, by another process or another lease in this one;
  // invalid_argument when RUN_ID cannot be a file name (empty, a leading '.', or a character
  // outside [A-Za-z0-9._-]). REQUIRES: DIR exists.
  static Result<std::unique_ptr<RunLease>> Acquire(const std::string& dir,
                                                   const std::string& run_id);

  explicit FileRunLease(FileDescriptor fd) : fd_(std::move(fd)) {}
  // Releases the lock. The file stays: unlinking it would race with a process about to lock it.
  ~FileRunLease() override;

 private:
  FileDescriptor fd_;
};

}  // namespace rekey::sqlite
