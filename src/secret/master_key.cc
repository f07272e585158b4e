// MasterKey: the raw 32-byte key file and crypto_kdf subkeys (see doc/secrets.md).
#include "secret/master_key.h"

#include <sodium.h>

#include "secret/file_mode.h"
#include "secret/random_bytes.h"
#include "secret/sodium_cast.h"
#include "secret/sodium_init.h"

namespace rekey {
namespace {

static_assert(MasterKey::kSize == crypto_kdf_KEYBYTES);
// Exactly crypto_kdf_CONTEXTBYTES characters. Changing it changes every derived key.
constexpr char kContext[crypto_kdf_CONTEXTBYTES + 1] = "rekey-v1";

}  // namespace

Result<MasterKey> MasterKey::Create(Env* env, const std::string& path) {
  REKEY_RETURN_IF_ERROR(InitSecretLibrary());
  Result<FileInfo> existing = env->Stat(path);
  if (existing.ok()) {
    return Status::Conflict("master key " + path + " already exists; refusing to overwrite it");
  }
  if (existing.status().code() != StatusCode::kNotFound) {
    return existing.status().WithContext("cannot create master key " + path);
  }
  SecretBytes key = RandomBytes(kSize);
  FileInfo attributes;
  attributes.mode = 0600;
  Status s = env->WriteFileAtomic(path, key.Expose(), attributes);
  if (!s.ok()) {
    return s.WithContext("cannot create master key " + path);
  }
  return MasterKey(std::move(key));
}

Result<MasterKey> MasterKey::Load(Env* env, const std::string& path) {
  REKEY_RETURN_IF_ERROR(InitSecretLibrary());
  Result<FileInfo> info = env->Stat(path);
  if (!info.ok() && info.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("master key " + path +
                            " does not exist; run `rekey init` to create it");
  }
  if (!info.ok()) {
    return info.status().WithContext("cannot read master key " + path);
  }
  if ((info->mode & 077) != 0) {
    return Status::PermissionDenied("master key " + path + " is readable by others (mode " +
                                    FormatMode(info->mode) + "); run chmod 600 " + path);
  }
  Result<std::string> data = env->ReadFile(path);
  if (!data.ok()) {
    return data.status().WithContext("cannot read master key " + path);
  }
  SecretBytes key = SecretBytes::Take(*data);
  if (key.size() != kSize) {
    return Status::Corruption("master key " + path + " has " + std::to_string(key.size()) +
                              " bytes; expected 32");
  }
  return MasterKey(std::move(key));
}

SecretBytes MasterKey::DeriveKey(uint64_t subkey_id) const {
  REKEY_CHECK(key_.size() == kSize);
  std::string subkey(kSize, '\0');
  crypto_kdf_derive_from_key(UChars(subkey), subkey.size(), subkey_id, kContext,
                             UChars(key_.Expose()));
  return SecretBytes::Take(subkey);
}

}  // namespace rekey
