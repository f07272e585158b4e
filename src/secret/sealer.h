// Sealer: authenticated encryption of secret values at rest (pending values in the state store,
// for instance) under a subkey of the master key. A sealed blob is bound to a context naming its
// slot, so it cannot be moved to another slot unnoticed. doc/secrets.md specifies the format.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "secret/master_key.h"
#include "secret/secret_bytes.h"

namespace rekey {

class Sealer {
 public:
  // Derives the sealing subkey; does not keep a reference to MASTER_KEY.
  // REQUIRES: MASTER_KEY not moved from.
  explicit Sealer(const MasterKey& master_key);

  // Encrypts VALUE with a fresh random nonce (XChaCha20-Poly1305), authenticating CONTEXT (e.g.
  // "billing-svc/pending") alongside it. Returns binary bytes: version | nonce | ciphertext+tag,
  // 41 bytes longer than VALUE. Sealing the same value twice gives different blobs. Thread-safe.
  std::string Seal(const SecretBytes& value, std::string_view context) const;

  // Decrypts a blob made by Seal with the same master key and CONTEXT. corruption when SEALED is
  // short, of an unknown version, tampered with, or sealed under another key or context; the
  // message never contains any of the value. Thread-safe.
  Result<SecretBytes> Open(std::string_view sealed, std::string_view context) const;

 private:
  SecretBytes key_;
};

}  // namespace rekey
