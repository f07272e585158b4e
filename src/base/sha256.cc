#include "base/sha256.h"

#include <sodium.h>

#include "base/check.h"

namespace rekey {

std::string Sha256Hex(std::string_view bytes) {
  // Idempotent and thread-safe; the hash itself does not need it, but libsodium asks for it once.
  static const int init = sodium_init();
  REKEY_CHECK(init >= 0);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  sodium_memzero(digest, sizeof digest);
  return hex;
}

}  // namespace rekey
