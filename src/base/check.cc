#include "base/check.h"

#include <cstdio>
#include <cstdlib>

namespace rekey::internal {

void CheckFailed(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "rekey: internal check failed at %s:%d: %s\n", file, line, expr);
  std::abort();
}

}  // namespace rekey::internal
