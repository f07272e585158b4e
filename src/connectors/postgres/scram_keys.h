// The keys SCRAM-SHA-256 derives from a password (RFC 5802 section 3), shared by the verifiers
// rekey makes and checks (scram_verifier.h) and its own SCRAM login (scram_exchange.h), and the
// base64 they travel in. Header-only.
#pragma once

#include <sodium.h>

#include <string>
#include <string_view>

#include "connectors/postgres/pbkdf2.h"

namespace rekey::postgres {

// HMAC-SHA-256 of DATA under KEY.
inline void HmacSha256(const unsigned char* key, size_t key_size, std::string_view data,
                       unsigned char out[32]) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, key, key_size);
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
  crypto_auth_hmacsha256_final(&state, out);
  sodium_memzero(&state, sizeof state);
}

// ClientKey, StoredKey and ServerKey of a password, salt and iteration count; the
// SaltedPassword they come from is wiped at once, the keys when this goes.
// REQUIRES: 1 <= ITERATIONS <= kMaxScramIterations.
struct ScramKeys {
  unsigned char client_key[32];
  unsigned char stored_key[32];
  unsigned char server_key[32];

  ScramKeys(std::string_view password, const unsigned char* salt, size_t salt_size,
            int iterations) {
    unsigned char salted[32];
    Pbkdf2HmacSha256(password, salt, salt_size, iterations, salted);
    HmacSha256(salted, sizeof salted, "Client Key", client_key);
    HmacSha256(salted, sizeof salted, "Server Key", server_key);
    sodium_memzero(salted, sizeof salted);
    crypto_hash_sha256(stored_key, client_key, sizeof client_key);
  }
  ScramKeys(const ScramKeys&) = delete;
  ScramKeys& operator=(const ScramKeys&) = delete;
  ~ScramKeys() {
    sodium_memzero(client_key, sizeof client_key);
    sodium_memzero(stored_key, sizeof stored_key);
    sodium_memzero(server_key, sizeof server_key);
  }
};

// Standard base64 (padded) of SIZE bytes.
inline std::string Base64(const unsigned char* data, size_t size) {
  std::string out(sodium_base64_encoded_len(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the terminating NUL
  return out;
}

// Decodes all of TEXT (standard base64) into OUT, at most SIZE bytes; false if it is not that.
inline bool DecodeBase64(std::string_view text, unsigned char* out, size_t size, size_t* decoded) {
  const char* end = nullptr;
  return sodium_base642bin(out, size, text.data(), text.size(), nullptr, decoded, &end,
                           sodium_base64_VARIANT_ORIGINAL) == 0 &&
         end == text.data() + text.size();
}

}  // namespace rekey::postgres
