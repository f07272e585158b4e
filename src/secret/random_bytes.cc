// RandomBytes over libsodium's randombytes_buf.
#include "secret/random_bytes.h"

#include <sodium.h>

#include <string>

namespace rekey {

SecretBytes RandomBytes(size_t n) {
  std::string bytes(n, '\0');
  randombytes_buf(bytes.data(), bytes.size());
  return SecretBytes::Take(bytes);
}

}  // namespace rekey
