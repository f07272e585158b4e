// Test helpers for code keyed by a MasterKey: a master key with known bytes, loaded through a
// MemEnv. Test-only; linked into secret_test.
#pragma once

#include <string>

#include "base/mem_env.h"
#include "secret/master_key.h"

namespace rekey {

// Bytes 0, 1, ..., 31.
inline std::string KnownMasterKeyBytes() {
  std::string bytes;
  for (int i = 0; i < 32; ++i) {
    bytes += static_cast<char>(i);
  }
  return bytes;
}

// The master key made of BYTES. REQUIRES: BYTES has 32 bytes.
inline MasterKey MasterKeyFromBytes(const std::string& bytes) {
  MemEnv env;
  env.SetFile("/master.key", bytes, 0600);
  Result<MasterKey> key = MasterKey::Load(&env, "/master.key");
  REKEY_CHECK(key.ok());
  return std::move(key).value();
}

// A fresh random master key.
inline MasterKey NewMasterKey() {
  MemEnv env;
  Result<MasterKey> key = MasterKey::Create(&env, "/master.key");
  REKEY_CHECK(key.ok());
  return std::move(key).value();
}

}  // namespace rekey
