// MasterKey: the 32 random bytes, kept in a 0600 file, from which rekey derives every key it
// uses (sealing pending values, keying fingerprints). Losing the file makes sealed values
// unreadable; anyone who can read it can open them.
#pragma once

#include <cstdint>
#include <string>

#include "base/env.h"
#include "base/result.h"
#include "secret/secret_bytes.h"

namespace rekey {

class MasterKey {
 public:
  // Subkey ids for DeriveKey. Never reuse an id for another purpose.
  static constexpr uint64_t kSealingKeyId = 1;
  static constexpr uint64_t kFingerprintKeyId = 2;
  static constexpr size_t kSize = 32;

  // Writes a fresh random key to PATH (mode 0600, atomically) and returns it. conflict when PATH
  // already exists; errors of ENV otherwise. ENV must outlive the call only.
  static Result<MasterKey> Create(Env* env, const std::string& path);
  // Reads the key at PATH. not_found when it is missing; permission_denied when its mode grants
  // anything to group or others; corruption when it is not exactly 32 bytes.
  static Result<MasterKey> Load(Env* env, const std::string& path);

  MasterKey(MasterKey&&) noexcept = default;
  MasterKey& operator=(MasterKey&&) noexcept = default;
  MasterKey(const MasterKey&) = delete;
  MasterKey& operator=(const MasterKey&) = delete;

  // The 32-byte subkey SUBKEY_ID (crypto_kdf, context "rekey-v1"): the same for the same master
  // key and id, unrelated across ids. REQUIRES: not moved from. Thread-safe.
  SecretBytes DeriveKey(uint64_t subkey_id) const;

 private:
  explicit MasterKey(SecretBytes key) : key_(std::move(key)) {}

  SecretBytes key_;
};

}  // namespace rekey
