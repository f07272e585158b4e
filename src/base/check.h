// REKEY_CHECK: asserts an internal invariant that no input can break. A failure is a bug in
// rekey: it prints where and aborts, in every build type. What the outside world can cause
// returns a Status instead.
#pragma once

namespace rekey::internal {
[[noreturn]] void CheckFailed(const char* expr, const char* file, int line);
}  // namespace rekey::internal

#define REKEY_CHECK(cond)                                        \
  do {                                                           \
    if (!(cond)) {                                               \
      ::rekey::internal::CheckFailed(#cond, __FILE__, __LINE__); \
    }                                                            \
  } while (false)
