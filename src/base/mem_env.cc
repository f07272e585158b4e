#include "base/mem_env.h"

namespace rekey {

MemEnv::MemEnv() : epoch_(std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}) {}

SystemTime MemEnv::Now() {
  std::lock_guard lock(mu_);
  return epoch_ + elapsed_;
}

std::chrono::steady_clock::time_point MemEnv::MonotonicNow() {
  std::lock_guard lock(mu_);
  return std::chrono::steady_clock::time_point(elapsed_);
}

void MemEnv::Advance(Millis duration) {
  std::lock_guard lock(mu_);
  elapsed_ += duration;
}

Result<std::string> MemEnv::ReadFile(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) {
    return Status::NotFound("open " + path + ": No such file or directory");
  }
  return it->second.data;
}

Result<FileInfo> MemEnv::Stat(const std::string& path) {
  std::lock_guard lock(mu_);
  auto it = files_.find(path);
  if (it == files_.end()) {
    return Status::NotFound("stat " + path + ": No such file or directory");
  }
  return it->second.info;
}

Status MemEnv::WriteFileAtomic(const std::string& path, std::string_view data,
                               const FileInfo& attributes, RenameSync) {
  std::lock_guard lock(mu_);
  FileInfo info = attributes;
  info.size = static_cast<off_t>(data.size());
  files_[path] = File{std::string(data), info};
  return Status::Ok();
}

namespace {

class MutexHeld final : public EditLock {
 public:
  explicit MutexHeld(std::shared_ptr<std::timed_mutex> mu) : mu_(std::move(mu)) {}
  ~MutexHeld() override { mu_->unlock(); }

 private:
  std::shared_ptr<std::timed_mutex> mu_;
};

}  // namespace

Result<std::unique_ptr<EditLock>> MemEnv::LockForEdit(
    const std::string& path, std::chrono::steady_clock::time_point deadline) {
  std::shared_ptr<std::timed_mutex> edit;
  {
    std::lock_guard lock(mu_);
    auto& slot = edit_locks_[path];
    if (slot == nullptr) {
      slot = std::make_shared<std::timed_mutex>();
    }
    edit = slot;
  }
  if (!edit->try_lock_until(deadline)) {
    return Status::Timeout("another edit held the lock on " + path + " until the deadline");
  }
  return std::unique_ptr<EditLock>(std::make_unique<MutexHeld>(std::move(edit)));
}

Status MemEnv::CreateDirs(const std::string&, mode_t) { return Status::Ok(); }

Result<std::string> MemEnv::GetVar(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = vars_.find(name);
  if (it == vars_.end()) {
    return Status::NotFound("environment variable " + name + " is not set");
  }
  return it->second;
}

Result<ProcessResult> MemEnv::Run(const ProcessSpec& spec) {
  ProcessHandler handler;
  {
    std::lock_guard lock(mu_);
    handler = handler_;
  }
  if (!handler) {
    return Status::Unavailable("cannot run " + (spec.argv.empty() ? "" : spec.argv[0]) +
                               ": no process handler in MemEnv");
  }
  return handler(spec);
}

void MemEnv::SetFile(const std::string& path, std::string data, mode_t mode) {
  std::lock_guard lock(mu_);
  FileInfo info{mode, 0, 0, static_cast<off_t>(data.size())};
  files_[path] = File{std::move(data), info};
}

void MemEnv::SetVar(const std::string& name, std::string value) {
  std::lock_guard lock(mu_);
  vars_[name] = std::move(value);
}

void MemEnv::SetProcessHandler(ProcessHandler handler) {
  std::lock_guard lock(mu_);
  handler_ = std::move(handler);
}

}  // namespace rekey
