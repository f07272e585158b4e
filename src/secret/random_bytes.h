// RandomBytes: raw bytes from the operating system's CSPRNG, for keys. Internal to src/secret.
#pragma once

#include <cstddef>

#include "secret/secret_bytes.h"

namespace rekey {

// N uniformly random bytes. REQUIRES: InitSecretLibrary() has succeeded. Thread-safe.
SecretBytes RandomBytes(size_t n);

}  // namespace rekey
