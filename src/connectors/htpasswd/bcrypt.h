// bcrypt password hashes, the scheme htpasswd -B writes and every web server's basic auth reads
// (nginx through the C library's crypt, Apache through APR). Hashed with libxcrypt.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "secret/secret_bytes.h"

namespace rekey::htpasswd {

// htpasswd -B's default, and its range.
constexpr int kDefaultCost = 5;
constexpr int kMinCost = 4;
constexpr int kMaxCost = 17;

// "$2y$NN$<salt><hash>" of VALUE with a fresh random salt, at COST (2^COST rounds).
// invalid_argument when VALUE cannot be hashed faithfully: bcrypt reads a C string of at most 72
// bytes, so a NUL byte or a longer value would be accepted by its prefix alone.
Result<std::string> BcryptHash(const SecretBytes& value, int cost);

// Whether HASH (any scheme the C library's crypt knows) is the hash of VALUE. false for a hash
// crypt cannot read (a "!" lock, an Apache MD5 "$apr1$" hash). Compared in constant time.
bool HashMatches(const SecretBytes& value, std::string_view hash);

}  // namespace rekey::htpasswd
