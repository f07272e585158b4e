// SCRAM-SHA-256 verifiers (pg_authid.rolpassword), in this process: whether a stored one was made
// from a given value, the check the server makes at a SCRAM login (RFC 5802, RFC 7677), so that
// asking "is this still the role's password?" never sends the value anywhere; and making one for
// an ASCII value, as libpq would. Header-only.
#pragma once

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <string>
#include <string_view>

namespace rekey::postgres {

enum class VerifierMatch {
  kYes,       // VERIFIER was made from the value
  kNo,        // it was not
  kUnknown,   // no match, but the server may have normalised the value (see below)
  kNotScram,  // VERIFIER is not "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>"
};

namespace scram_internal {

// Standard base64 of exactly SIZE bytes.
inline bool DecodeBase64(std::string_view text, unsigned char* out, size_t size, size_t* decoded) {
  const char* end = nullptr;
  return sodium_base642bin(out, size, text.data(), text.size(), nullptr, decoded, &end,
                           sodium_base64_VARIANT_ORIGINAL) == 0 &&
         end == text.data() + text.size();
}

// HMAC-SHA-256 of DATA under the key whose state INIT holds.
inline void Hmac(const crypto_auth_hmacsha256_state& init, const unsigned char* data, size_t size,
                 unsigned char out[32]) {
  crypto_auth_hmacsha256_state state = init;
  crypto_auth_hmacsha256_update(&state, data, size);
  crypto_auth_hmacsha256_final(&state, out);
  sodium_memzero(&state, sizeof state);
}

// PBKDF2-HMAC-SHA-256 of PASSWORD with SALT, one 32-byte block: SCRAM's SaltedPassword.
inline void SaltedPassword(std::string_view password, const unsigned char* salt, size_t salt_size,
                           int iterations, unsigned char out[32]) {
  crypto_auth_hmacsha256_state key;
  crypto_auth_hmacsha256_init(&key, reinterpret_cast<const unsigned char*>(password.data()),
                              password.size());
  crypto_auth_hmacsha256_state first = key;
  const unsigned char block_index[4] = {0, 0, 0, 1};
  crypto_auth_hmacsha256_update(&first, salt, salt_size);
  crypto_auth_hmacsha256_update(&first, block_index, sizeof block_index);
  unsigned char u[32];
  crypto_auth_hmacsha256_final(&first, u);
  std::copy(u, u + 32, out);
  for (int i = 1; i < iterations; ++i) {
    Hmac(key, u, sizeof u, u);
    for (int j = 0; j < 32; ++j) {
      out[j] ^= u[j];
    }
  }
  sodium_memzero(u, sizeof u);
  sodium_memzero(&key, sizeof key);
}

// SCRAM's StoredKey (SHA-256 of the Client Key) and ServerKey of SALTED, the SaltedPassword.
inline void Keys(const unsigned char salted[32], unsigned char stored_key[32],
                 unsigned char server_key[32]) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, salted, 32);
  constexpr std::string_view kClientKey = "Client Key";
  constexpr std::string_view kServerKey = "Server Key";
  unsigned char client_key[32];
  Hmac(state, reinterpret_cast<const unsigned char*>(kClientKey.data()), kClientKey.size(),
       client_key);
  crypto_hash_sha256(stored_key, client_key, sizeof client_key);
  Hmac(state, reinterpret_cast<const unsigned char*>(kServerKey.data()), kServerKey.size(),
       server_key);
  sodium_memzero(&state, sizeof state);
  sodium_memzero(client_key, sizeof client_key);
}

inline std::string Base64(const unsigned char* data, size_t size) {
  std::string out(sodium_base64_encoded_len(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_ORIGINAL);
  out.pop_back();  // the terminating NUL
  return out;
}

}  // namespace scram_internal

inline bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// The verifier "SCRAM-SHA-256$<ITERATIONS>:<salt>$<StoredKey>:<ServerKey>" of PASSWORD with
// SALT, the text libpq's PQencryptPasswordConn makes; PBKDF2 here takes half the time of libpq's
// (which sets up an OpenSSL 3 HMAC per iteration). REQUIRES: PASSWORD is ASCII (SASLprep leaves
// it as it is; other values need libpq's normalisation), ITERATIONS >= 1.
inline std::string MakeScramVerifier(std::string_view password, const unsigned char salt[16],
                                     int iterations) {
  unsigned char salted[32];
  unsigned char stored_key[32];
  unsigned char server_key[32];
  scram_internal::SaltedPassword(password, salt, 16, iterations, salted);
  scram_internal::Keys(salted, stored_key, server_key);
  sodium_memzero(salted, sizeof salted);
  return "SCRAM-SHA-256$" + std::to_string(iterations) + ":" + scram_internal::Base64(salt, 16) +
         "$" + scram_internal::Base64(stored_key, 32) + ":" +
         scram_internal::Base64(server_key, 32);
}

// Whether VERIFIER was made from PASSWORD. The server prepares a value with SASLprep before
// hashing it; that is the identity for pure ASCII (PostgreSQL's own fast path), which is what
// rekey generates. A non-ASCII value that does not match is kUnknown: its normalised form
// (NFKC) might. Iteration counts above 10^7 are refused as kNotScram (a few seconds of CPU).
inline VerifierMatch MatchScramVerifier(std::string_view verifier, std::string_view password) {
  using scram_internal::DecodeBase64;
  constexpr std::string_view kPrefix = "SCRAM-SHA-256$";
  if (verifier.substr(0, kPrefix.size()) != kPrefix) {
    return VerifierMatch::kNotScram;
  }
  std::string_view rest = verifier.substr(kPrefix.size());
  size_t colon = rest.find(':');
  size_t dollar = rest.find('$');
  size_t colon2 = rest.find(':', dollar == std::string_view::npos ? rest.size() : dollar);
  if (colon == std::string_view::npos || dollar == std::string_view::npos || colon > dollar ||
      colon2 == std::string_view::npos) {
    return VerifierMatch::kNotScram;
  }
  int iterations = 0;
  auto [end, error] = std::from_chars(rest.data(), rest.data() + colon, iterations);
  unsigned char salt[256];
  unsigned char stored_key[32];
  unsigned char server_key[32];
  size_t salt_size = 0;
  size_t stored_size = 0;
  size_t server_size = 0;
  if (error != std::errc() || end != rest.data() + colon || iterations < 1 ||
      iterations > 10'000'000 ||
      !DecodeBase64(rest.substr(colon + 1, dollar - colon - 1), salt, sizeof salt, &salt_size) ||
      !DecodeBase64(rest.substr(dollar + 1, colon2 - dollar - 1), stored_key, sizeof stored_key,
                    &stored_size) ||
      !DecodeBase64(rest.substr(colon2 + 1), server_key, sizeof server_key, &server_size) ||
      stored_size != sizeof stored_key || server_size != sizeof server_key) {
    return VerifierMatch::kNotScram;
  }
  unsigned char salted[32];
  unsigned char computed[32];
  unsigned char computed_server[32];
  scram_internal::SaltedPassword(password, salt, salt_size, iterations, salted);
  scram_internal::Keys(salted, computed, computed_server);
  bool match = sodium_memcmp(computed, stored_key, sizeof computed) == 0;
  sodium_memzero(salted, sizeof salted);
  sodium_memzero(computed, sizeof computed);
  sodium_memzero(computed_server, sizeof computed_server);
  if (match) {
    return VerifierMatch::kYes;
  }
  return IsAscii(password) ? VerifierMatch::kNo : VerifierMatch::kUnknown;
}

}  // namespace rekey::postgres
