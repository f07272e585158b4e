// Sealer: version 1 of the sealed-value format of doc/secrets.md.
#include "secret/sealer.h"

#include <sodium.h>

#include "secret/sodium_cast.h"

namespace rekey {
namespace {

constexpr char kVersion = 0x01;
constexpr size_t kNonceSize = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTagSize = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr size_t kHeaderSize = 1 + kNonceSize;

static_assert(kNonceSize == 24 && kTagSize == 16);
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == MasterKey::kSize);

}  // namespace

Sealer::Sealer(const MasterKey& master_key)
    : key_(master_key.DeriveKey(MasterKey::kSealingKeyId)) {}

std::string Sealer::Seal(const SecretBytes& value, std::string_view context) const {
  std::string sealed(kHeaderSize + value.size() + kTagSize, '\0');
  sealed[0] = kVersion;
  // 24 random bytes: collisions are negligible however many values are sealed under one key.
  randombytes_buf(sealed.data() + 1, kNonceSize);
  unsigned long long size = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      UChars(sealed) + kHeaderSize, &size, UChars(value.Expose()), value.size(), UChars(context),
      context.size(), nullptr, UChars(sealed) + 1, UChars(key_.Expose()));
  REKEY_CHECK(size == value.size() + kTagSize);
  return sealed;
}

Result<SecretBytes> Sealer::Open(std::string_view sealed, std::string_view context) const {
  if (sealed.size() < kHeaderSize + kTagSize) {
    return Status::Corruption("sealed value is too short (" + std::to_string(sealed.size()) +
                              " bytes)");
  }
  if (sealed[0] != kVersion) {
    return Status::Corruption("sealed value has unknown format version " +
                              std::to_string(static_cast<unsigned char>(sealed[0])));
  }
  std::string value(sealed.size() - kHeaderSize - kTagSize, '\0');
  unsigned long long size = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          UChars(value), &size, nullptr, UChars(sealed) + kHeaderSize, sealed.size() - kHeaderSize,
          UChars(context), context.size(), UChars(sealed) + 1, UChars(key_.Expose())) != 0) {
    WipeString(value);
    return Status::Corruption("sealed value for " + std::string(context) +
                              " failed authentication: it was tampered with, or sealed under "
                              "another master key or context");
  }
  return SecretBytes::Take(value);
}

}  // namespace rekey
