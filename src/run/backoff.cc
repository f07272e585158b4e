#include "run/backoff.h"

#include <sodium.h>

#include <algorithm>

namespace rekey {

Millis BackoffDelay(const RetryPolicy& policy, int attempt) {
  int64_t d = policy.initial.count();
  for (int i = 1; i < attempt && d < policy.max.count(); ++i) {
    d *= 2;
  }
  d = std::min<int64_t>(d, policy.max.count());
  int64_t half = d / 2;
  uint32_t spread = static_cast<uint32_t>(std::min<int64_t>(d - half, UINT32_MAX - 1));
  return Millis(half + randombytes_uniform(spread + 1));
}

}  // namespace rekey
