// MemEnv: an Env held entirely in memory, for tests. Files live in a map, the clock only moves
// when SleepFor or Advance is called, variables are set by the test, and subprocesses are
// answered by a handler the test installs. Thread-safe.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>

#include "base/env.h"

namespace rekey {

class MemEnv final : public Env {
 public:
  using ProcessHandler = std::function<Result<ProcessResult>(const ProcessSpec&)>;

  MemEnv();

  SystemTime Now() override;
  std::chrono::steady_clock::time_point MonotonicNow() override;
  void SleepFor(Millis duration) override { Advance(duration); }
  Result<std::string> ReadFile(const std::string& path) override;
  Result<FileInfo> Stat(const std::string& path) override;
  Status WriteFileAtomic(const std::string& path, std::string_view data, const FileInfo& attributes,
                         RenameSync sync = RenameSync::kDurable) override;
  Result<std::unique_ptr<EditLock>> LockForEdit(
      const std::string& path, std::chrono::steady_clock::time_point deadline) override;
  Status CreateDirs(const std::string& path, mode_t mode) override;
  Result<std::string> GetVar(const std::string& name) override;
  Result<ProcessResult> Run(const ProcessSpec& spec) override;

  // Test controls.
  void Advance(Millis duration);
  void SetFile(const std::string& path, std::string data, mode_t mode = 0600);
  void SetVar(const std::string& name, std::string value);
  void SetProcessHandler(ProcessHandler handler);

 private:
  struct File {
    std::string data;
    FileInfo info;
  };
  std::mutex mu_;
  Millis elapsed_{0};
  SystemTime epoch_;
  std::map<std::string, File> files_;
  std::map<std::string, std::shared_ptr<std::timed_mutex>> edit_locks_;  // by path, kept
  std::map<std::string, std::string> vars_;
  ProcessHandler handler_;
};

}  // namespace rekey
