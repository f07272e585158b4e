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

#include "connectors/postgres/scram_keys.h"

namespace rekey::postgres {

enum class VerifierMatch {
  kYes,       // VERIFIER was made from the value
  kNo,        // it was not
  kUnknown,   // no match, but the server may have normalised the value (see below)
  kNotScram,  // VERIFIER is not "SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>"
};

inline bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// The verifier "SCRAM-SHA-256$<ITERATIONS>:<salt>$<StoredKey>:<ServerKey>" of PASSWORD with
// SALT, the text libpq's PQencryptPasswordConn makes; PBKDF2 here (pbkdf2.h) takes a seventh of
// the time of libpq's (which sets up an OpenSSL 3 HMAC per iteration). REQUIRES: PASSWORD is
// ASCII (SASLprep leaves it as it is; other values need libpq's normalisation),
// 1 <= ITERATIONS <= kMaxScramIterations.
inline std::string MakeScramVerifier(std::string_view password, const unsigned char salt[16],
                                     int iterations) {
  ScramKeys keys(password, salt, 16, iterations);
  return "SCRAM-SHA-256$" + std::to_string(iterations) + ":" + Base64(salt, 16) + "$" +
         Base64(keys.stored_key, 32) + ":" + Base64(keys.server_key, 32);
}

// Whether VERIFIER was made from PASSWORD. The server prepares a value with SASLprep before
// hashing it; that is the identity for pure ASCII (PostgreSQL's own fast path), which is what
// rekey generates. A non-ASCII value that does not match is kUnknown: its normalised form
// (NFKC) might. Iteration counts above kMaxScramIterations are refused as kNotScram.
inline VerifierMatch MatchScramVerifier(std::string_view verifier, std::string_view password) {
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
      iterations > kMaxScramIterations ||
      !DecodeBase64(rest.substr(colon + 1, dollar - colon - 1), salt, sizeof salt, &salt_size) ||
      !DecodeBase64(rest.substr(dollar + 1, colon2 - dollar - 1), stored_key, sizeof stored_key,
                    &stored_size) ||
      !DecodeBase64(rest.substr(colon2 + 1), server_key, sizeof server_key, &server_size) ||
      stored_size != sizeof stored_key || server_size != sizeof server_key) {
    return VerifierMatch::kNotScram;
  }
  ScramKeys keys(password, salt, salt_size, iterations);
  bool match = sodium_memcmp(keys.stored_key, stored_key, sizeof stored_key) == 0;
  if (match) {
    return VerifierMatch::kYes;
  }
  return IsAscii(password) ? VerifierMatch::kNo : VerifierMatch::kUnknown;
}

}  // namespace rekey::postgres
