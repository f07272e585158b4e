// The OpenSSH private-key armor over libsodium's base64 codec.
#include "secret/ssh_armor.h"

#include <sodium.h>

#include <algorithm>
#include <string>

#include "secret/sodium_cast.h"
#include "secret/ssh_wire.h"

namespace rekey {
namespace {

constexpr std::string_view kBegin = "-----BEGIN OPENSSH PRIVATE KEY-----";
constexpr std::string_view kEnd = "-----END OPENSSH PRIVATE KEY-----";
constexpr size_t kLineWidth = 70;  // what ssh-keygen writes
constexpr int kVariant = sodium_base64_VARIANT_ORIGINAL;

}  // namespace

SecretBytes Base64Encode(std::string_view data) {
  std::string out(sodium_base64_ENCODED_LEN(data.size(), kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), UChars(data), data.size(), kVariant);
  out.pop_back();  // the terminating NUL
  return SecretBytes::Take(out);
}

SecretBytes ArmorSshKey(std::string_view blob) {
  SecretBytes base64 = Base64Encode(blob);
  std::string_view rest = base64.Expose();
  SshWriter out;
  out.PutRaw(kBegin);
  out.PutRaw("\n");
  while (!rest.empty()) {
    out.PutRaw(rest.substr(0, kLineWidth));
    out.PutRaw("\n");
    rest.remove_prefix(std::min(kLineWidth, rest.size()));
  }
  out.PutRaw(kEnd);
  out.PutRaw("\n");
  return out.Take();
}

Result<SecretBytes> UnarmorSshKey(std::string_view text) {
  size_t begin = text.find(kBegin);
  size_t end = text.find(kEnd);
  if (begin == std::string_view::npos || end == std::string_view::npos || end < begin) {
    return Status::InvalidArgument(
        "not an OpenSSH private key: no BEGIN/END OPENSSH PRIVATE KEY lines");
  }
  begin += kBegin.size();
  std::string_view body = text.substr(begin, end - begin);
  std::string bin(body.size() / 4 * 3 + 3, '\0');
  size_t bin_size = 0;
  if (sodium_base642bin(UChars(bin), bin.size(), body.data(), body.size(), " \t\r\n", &bin_size,
                        nullptr, kVariant) != 0) {
    WipeString(bin);
    return Status::Corruption("OpenSSH private key is not valid base64");
  }
  bin.resize(bin_size);
  return SecretBytes::Take(bin);
}

}  // namespace rekey
