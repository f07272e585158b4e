// InitSecretLibrary: initialises libsodium once per process. Every factory in src/secret that
// needs random numbers or a cipher calls it, so callers outside this module need not.
#pragma once

#include "base/status.h"

namespace rekey {

// OK once libsodium is ready; internal when sodium_init() fails (e.g. no entropy source). The
// first call does the work and later calls return its outcome. Thread-safe.
Status InitSecretLibrary();

}  // namespace rekey
