#include "run/failpoints.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>

#include "base/file_descriptor.h"

namespace rekey {
namespace {

[[noreturn]] void Die() {
  ::kill(::getpid(), SIGKILL);
  std::abort();  // not reached
}

void AppendLine(const std::string& path, const std::string& line) {
  FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (fd.valid()) {
    ssize_t ignored = ::write(fd.get(), line.data(), line.size());
    (void)ignored;
  }
}

}  // namespace

Failpoints::Failpoints(Env* env) {
  if (auto spec = env->GetVar("REKEY_FAILPOINT"); spec.ok()) {
    std::string s = *spec;
    auto number = [&](std::string_view prefix) { return std::atol(s.c_str() + prefix.size()); };
    if (s.rfind("crash-before-write:", 0) == 0) {
      mode_ = Mode::kCrashBefore;
      target_ = number("crash-before-write:");
    } else if (s.rfind("crash-after-write:", 0) == 0) {
      mode_ = Mode::kCrashAfter;
      target_ = number("crash-after-write:");
    } else if (s.rfind("fail-step:", 0) == 0) {
      fail_step_ = static_cast<int>(number("fail-step:"));
    }
  }
  if (auto trace = env->GetVar("REKEY_FAILPOINT_TRACE"); trace.ok()) {
    trace_path_ = *trace;
  }
}

void Failpoints::BeforeWrite(std::string_view what) {
  if (mode_ == Mode::kOff && trace_path_.empty()) {
    return;
  }
  mu_.lock();  // held until AfterWrite: writes are numbered in the order they happen
  current_write_ = ++writes_;
  if (!trace_path_.empty()) {
    AppendLine(trace_path_, std::to_string(current_write_) + " " + std::string(what) + "\n");
  }
  if (mode_ == Mode::kCrashBefore && current_write_ == target_) {
    Die();
  }
}

void Failpoints::AfterWrite() {
  if (mode_ == Mode::kOff && trace_path_.empty()) {
    return;
  }
  if (mode_ == Mode::kCrashAfter && current_write_ == target_) {
    Die();  // still holding the lock: no other thread's write may slip in before the kill lands
  }
  mu_.unlock();
}

}  // namespace rekey
