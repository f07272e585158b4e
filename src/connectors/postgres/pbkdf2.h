// PBKDF2-HMAC-SHA-256 (RFC 8018), one 32-byte block: SCRAM-SHA-256's SaltedPassword (RFC 5802),
// which both the verifiers rekey makes or checks and its own SCRAM login compute.
#pragma once

#include <cstddef>
#include <string_view>

namespace rekey::postgres {

// The largest iteration count rekey computes: about 1.5 s of CPU here. A stored verifier or a
// server asking for more is refused rather than obeyed.
inline constexpr int kMaxScramIterations = 10'000'000;

// OUT = PBKDF2-HMAC-SHA-256(PASSWORD, SALT, ITERATIONS), dkLen 32. Every intermediate is wiped.
// REQUIRES: 1 <= ITERATIONS <= kMaxScramIterations. Thread-safe.
void Pbkdf2HmacSha256(std::string_view password, const unsigned char* salt, size_t salt_size,
                      int iterations, unsigned char out[32]);

}  // namespace rekey::postgres
