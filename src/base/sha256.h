// SHA-256 as lower-case hex: the audit chain's link, the state store's key for an inventory text,
// the form Redis keeps an ACL password in. One implementation (libsodium) for all of them.
#pragma once

#include <string>
#include <string_view>

namespace rekey {

// The 64 lower-case hex digits of SHA-256(BYTES). The binary digest is zeroed before returning,
// as BYTES may be a secret. Thread-safe.
std::string Sha256Hex(std::string_view bytes);

}  // namespace rekey
