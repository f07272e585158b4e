#include "connectors/http/base64.h"

#include <sodium.h>

#include <cstring>

namespace rekey::http {
namespace {

std::string Encode(std::string_view data) {
  std::string out(sodium_base64_ENCODED_LEN(data.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()),
                    data.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));  // without the terminating NUL; no reallocation
  return out;
}

}  // namespace

std::string Base64(std::string_view data) { return Encode(data); }

SecretBytes Base64Secret(const SecretBytes& value) {
  std::string encoded = Encode(value.Expose());
  return SecretBytes::Take(encoded);
}

Result<SecretBytes> Unbase64(std::string_view text) {
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t size = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &size, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    WipeString(out);
    return Status::Corruption("not valid base64");
  }
  SecretBytes value(std::string_view(out.data(), size));
  WipeString(out);
  return value;
}

}  // namespace rekey::http
