// Fingerprinter: a keyed digest of a secret value (HMAC-SHA256 under a subkey of the master
// key), safe to store and print. It tells whether two places hold the same value without
// revealing it, and without letting anyone lacking the master key test guesses offline.
#pragma once

#include <string>
#include <string_view>

#include "secret/master_key.h"
#include "secret/secret_bytes.h"

namespace rekey {

class Fingerprinter {
 public:
  // Derives the fingerprint subkey; does not keep a reference to MASTER_KEY.
  // REQUIRES: MASTER_KEY not moved from.
  explicit Fingerprinter(const MasterKey& master_key);

  // 64 lower-case hex characters: the same for the same value and master key, unrelated under
  // another master key. Thread-safe.
  std::string Fingerprint(const SecretBytes& value) const;

  // The first 12 characters of FINGERPRINT, for logs and tables (all of it when shorter).
  static std::string Short(std::string_view fingerprint);

 private:
  SecretBytes key_;
};

}  // namespace rekey
