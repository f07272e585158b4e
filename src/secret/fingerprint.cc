// Fingerprinter: HMAC-SHA256 under the fingerprint subkey, printed as hex.
#include "secret/fingerprint.h"

#include <sodium.h>

#include "secret/sodium_cast.h"

namespace rekey {
namespace {

constexpr size_t kShortSize = 12;

static_assert(crypto_auth_hmacsha256_KEYBYTES == MasterKey::kSize);

}  // namespace

Fingerprinter::Fingerprinter(const MasterKey& master_key)
    : key_(master_key.DeriveKey(MasterKey::kFingerprintKeyId)) {}

std::string Fingerprinter::Fingerprint(const SecretBytes& value) const {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, UChars(value.Expose()), value.size(), UChars(key_.Expose()));
  std::string hex(2 * sizeof mac + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), mac, sizeof mac);
  hex.pop_back();  // the terminating NUL
  return hex;
}

std::string Fingerprinter::Short(std::string_view fingerprint) {
  return std::string(fingerprint.substr(0, kShortSize));
}

}  // namespace rekey
