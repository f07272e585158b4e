// RunLeaseFile: the right to execute a run, held as a POSIX record lock (fcntl F_SETLK) on one
// byte of STATE_DIR/locks/runs.lock, the byte at a 62-bit hash of the run id. The kernel drops a
// process's record locks when it dies however it dies (kill -9 included), so a crashed run
// becomes resumable by the next process that asks. One file for every run: a file per run cost
// a new inode per run (a tenth of a bulk reset's CPU) and was never deleted.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "base/file_descriptor.h"
#include "base/result.h"
#include "store/store.h"

namespace rekey::sqlite {

class RunLeaseFile : public std::enable_shared_from_this<RunLeaseFile> {
 public:
  // Opens DIR/runs.lock, creating it (mode 0600) if needed. REQUIRES: DIR exists.
  static Result<std::shared_ptr<RunLeaseFile>> Open(const std::string& dir);

  // Locks RUN_ID's byte without waiting. conflict ("run RUN_ID is being executed by another
  // rekey process (pid N)") when another process holds it, or another lease in this one (record
  // locks belong to a process, so those are told apart here); invalid_argument for an empty
  // RUN_ID. The lease keeps this file open, and releases its byte on destruction. Thread-safe.
  Result<std::unique_ptr<RunLease>> Acquire(const std::string& run_id);

  RunLeaseFile(FileDescriptor fd, std::string path) : fd_(std::move(fd)), path_(std::move(path)) {}

 private:
  class Lease;

  // The only descriptor of the file in this process, open until the last lease and the store
  // are gone: closing any descriptor of a file drops all of the process's record locks on it.
  FileDescriptor fd_;
  std::string path_;
  std::mutex mu_;
  // The bytes leased in this process: two runs whose ids share a byte must exclude each other
  // here too, where the process's second lock of a byte would succeed. Guarded by mu_.
  std::set<off_t> held_;
};

}  // namespace rekey::sqlite
