// Env: the one seam between rekey and the operating system (clock, files, environment variables,
// subprocesses). Production code uses DefaultEnv(); tests substitute MemEnv or wrap the real one
// to inject faults, as leveldb's Env does.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace rekey {

using SystemTime = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;

struct FileInfo {
  mode_t mode = 0;  // permission bits only (0777 mask)
  uid_t uid = 0;
  gid_t gid = 0;
  off_t size = 0;
};

// What to run. Values that must stay secret travel on stdin or file descriptor 3, never in argv
// or the environment.
struct ProcessSpec {
  std::vector<std::string> argv;             // argv[0] is looked up in PATH
  std::string_view stdin_data;               // written to the child's stdin, which is then closed
  std::optional<std::string_view> fd3_data;  // when set, readable by the child on descriptor 3
  Millis timeout{30000};                     // past it the child's process group is killed
  // The child's environment is only PATH, HOME, LANG, LC_ALL, TZ and TMPDIR from ours, plus
  // these NAME=VALUE entries: admin secrets given by env: references never leak into children.
  std::vector<std::string> env;
};

struct ProcessResult {
  int exit_code = -1;      // the exit status, or 128+signal when killed by a signal
  bool timed_out = false;  // killed by rekey at the deadline
  std::string stdout_data;
  std::string stderr_data;
};

// Held while one read-modify-write of a file is in progress (Env::LockForEdit).
class EditLock {
 public:
  virtual ~EditLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;

  virtual SystemTime Now() = 0;
  // Monotonic time, for deadlines and measuring durations.
  virtual std::chrono::steady_clock::time_point MonotonicNow() = 0;
  virtual void SleepFor(Millis duration) = 0;

  // not_found when the file does not exist.
  virtual Result<std::string> ReadFile(const std::string& path) = 0;
  virtual Result<FileInfo> Stat(const std::string& path) = 0;
  // How durable WriteFileAtomic's rename is when it returns. kDurable: the directory is fsynced
  // after the rename. kContentOnly: it is not, saving an fsync; after a power loss PATH may hold
  // the old content (whole, never a mix or empty), which suits a file whose older content is
  // still correct (the audit log's head: a head that lags the log is valid).
  enum class RenameSync { kDurable, kContentOnly };
  // Replaces PATH with DATA atomically: writes a temporary file in the same directory, fsyncs it,
  // sets MODE and, where INFO gives them, owner; renames it over PATH and, per SYNC, fsyncs the
  // directory. A crash leaves either the old or the new content, never a mix.
  virtual Status WriteFileAtomic(const std::string& path, std::string_view data,
                                 const FileInfo& attributes,
                                 RenameSync sync = RenameSync::kDurable) = 0;
  // An exclusive lock serializing the read-modify-write edits of the file at PATH between threads
  // and processes (connectors/file/locked_edit.h), held until the returned object goes. timeout
  // when another edit holds it until DEADLINE; not_found when PATH's directory does not exist.
  virtual Result<std::unique_ptr<EditLock>> LockForEdit(
      const std::string& path, std::chrono::steady_clock::time_point deadline) = 0;
  // Creates the directory and its parents with MODE; OK if it exists.
  virtual Status CreateDirs(const std::string& path, mode_t mode) = 0;

  // The value of an environment variable, or not_found.
  virtual Result<std::string> GetVar(const std::string& name) = 0;

  // Runs a command to completion (or its deadline). Failing to start it is an error Status; a
  // command that ran and exited non-zero is an OK Result with that exit code.
  virtual Result<ProcessResult> Run(const ProcessSpec& spec) = 0;
};

// The process-wide real environment. Never null; lives for the whole process. Thread-safe.
Env* DefaultEnv();

}  // namespace rekey
