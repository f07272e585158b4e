// The crypt work area holds the value's derived state: it lives on the heap (about 32 KiB) and is
// wiped before it is freed.
#include "connectors/htpasswd/bcrypt.h"

#include <crypt.h>
#include <sodium.h>

#include <cstring>
#include <memory>

namespace rekey::htpasswd {
namespace {

constexpr size_t kBcryptMaxBytes = 72;

struct WipedCryptData {
  crypt_data data{};
  ~WipedCryptData() { sodium_memzero(&data, sizeof data); }
};

// VALUE as a NUL-terminated string in wiped memory.
SecretBytes CString(const SecretBytes& value) {
  std::string text;
  text.reserve(value.size() + 1);  // no reallocation leaves a copy behind
  text.append(value.Expose()).push_back('\0');
  return SecretBytes::Take(text);
}

}  // namespace

Result<std::string> BcryptHash(const SecretBytes& value, int cost) {
  if (cost < kMinCost || cost > kMaxCost) {
    return Status::InvalidArgument("bcrypt cost " + std::to_string(cost) + " is outside " +
                                   std::to_string(kMinCost) + "-" + std::to_string(kMaxCost));
  }
  if (value.size() > kBcryptMaxBytes || value.Expose().find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(
        "bcrypt reads at most 72 bytes and no NUL byte, so this value would be accepted by a "
        "prefix of it; use a policy that generates at most 72 printable characters");
  }
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  // A null random-bytes argument makes libxcrypt draw the salt from the kernel.
  if (crypt_gensalt_rn("$2y$", static_cast<unsigned long>(cost), nullptr, 0, setting,
                       sizeof setting) == nullptr) {
    return Status::Internal(std::string("crypt_gensalt failed: ") + std::strerror(errno));
  }
  SecretBytes phrase = CString(value);
  auto work = std::make_unique<WipedCryptData>();
  const char* hash =
      crypt_rn(phrase.Expose().data(), setting, &work->data, static_cast<int>(sizeof work->data));
  if (hash == nullptr) {
    return Status::Internal(std::string("crypt failed: ") + std::strerror(errno));
  }
  return std::string(hash);
}

bool HashMatches(const SecretBytes& value, std::string_view hash) {
  if (hash.empty() || value.Expose().find('\0') != std::string_view::npos) {
    return false;
  }
  SecretBytes phrase = CString(value);
  std::string setting(hash);
  auto work = std::make_unique<WipedCryptData>();
  const char* computed = crypt_rn(phrase.Expose().data(), setting.c_str(), &work->data,
                                  static_cast<int>(sizeof work->data));
  return computed != nullptr && std::strlen(computed) == hash.size() &&
         sodium_memcmp(computed, hash.data(), hash.size()) == 0;
}

}  // namespace rekey::htpasswd
