// The text armor of an OpenSSH private key: base64 of the binary key between
// "-----BEGIN OPENSSH PRIVATE KEY-----" and "-----END OPENSSH PRIVATE KEY-----" lines, wrapped at
// 70 columns. Internal to src/secret. Every result is held in zeroed-on-destruction storage.
#pragma once

#include <string_view>

#include "base/result.h"
#include "secret/secret_bytes.h"

namespace rekey {

// Standard base64 (with padding) of DATA, on one line.
SecretBytes Base64Encode(std::string_view data);

// The armored text of the binary key BLOB, ending with a newline.
SecretBytes ArmorSshKey(std::string_view blob);

// The binary key inside the armored TEXT. Whitespace around and inside the base64 is ignored.
// invalid_argument when TEXT has no BEGIN/END lines; corruption when the base64 is invalid.
Result<SecretBytes> UnarmorSshKey(std::string_view text);

}  // namespace rekey
