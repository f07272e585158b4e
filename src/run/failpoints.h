// Failpoints: named places in the executor where a test can make the real binary die, so crash
// tests stop it at every journal write. Inert unless REKEY_FAILPOINT names a point:
//   REKEY_FAILPOINT=crash-before-write:N   SIGKILL itself just before the Nth durable write
//   REKEY_FAILPOINT=crash-after-write:N    ... just after the Nth durable write
//   REKEY_FAILPOINT=fail-step:ID           step ID fails permanently (its action is not run)
// REKEY_FAILPOINT_TRACE=FILE appends one line per durable write ("N what"), so a test can learn
// how many writes an uninterrupted run makes and enumerate them all.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <string_view>

#include "base/env.h"

namespace rekey {

class Failpoints {
 public:
  // Reads the variables through ENV once.
  explicit Failpoints(Env* env);

  // Called around every durable write (store or audit); may not return (SIGKILL). Thread-safe.
  void BeforeWrite(std::string_view what);
  void AfterWrite();
  // True when step ID is to fail (tests of the blocked path without a failing system).
  bool FailStep(int id) const { return fail_step_ == id; }

 private:
  enum class Mode { kOff, kCrashBefore, kCrashAfter };
  Mode mode_ = Mode::kOff;
  long target_ = 0;
  int fail_step_ = 0;
  std::string trace_path_;
  std::mutex mu_;
  long writes_ = 0;         // guarded by mu_
  long current_write_ = 0;  // the write in progress, for AfterWrite
};

}  // namespace rekey
