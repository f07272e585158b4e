// Standard base64 (with padding), as the JSON APIs carry bytes (etcd keys and values, Kubernetes
// Secret data, GitHub's public key and sealed values). The secret forms keep their output and
// every intermediate buffer in wiped memory.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "secret/secret_bytes.h"

namespace rekey::http {

// Base64 of DATA (not a secret: a key name, a public key).
std::string Base64(std::string_view data);
// Base64 of VALUE, itself a secret.
SecretBytes Base64Secret(const SecretBytes& value);
// The bytes TEXT encodes; corruption ("not valid base64") when it is not standard base64.
Result<SecretBytes> Unbase64(std::string_view text);

}  // namespace rekey::http
