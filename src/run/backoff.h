// Exponential backoff with jitter: the wait before retry N is drawn uniformly from
// [d/2, d] where d = min(max, initial * 2^(N-1)), so clients retrying together spread out.
#pragma once

#include "core/inventory.h"

namespace rekey {

// ATTEMPT is the 1-based number of the attempt that just failed.
Millis BackoffDelay(const RetryPolicy& policy, int attempt);

}  // namespace rekey
