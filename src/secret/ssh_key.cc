// GenerateSshPrivateKey and SshPublicKey (declared in generator.h): the openssh-key-v1 format of
// OpenSSH's PROTOCOL.key, for unencrypted ed25519 keys only. doc/secrets.md shows the layout.
#include <sodium.h>

#include <string>

#include "secret/generator.h"
#include "secret/sodium_cast.h"
#include "secret/sodium_init.h"
#include "secret/ssh_armor.h"
#include "secret/ssh_wire.h"

namespace rekey {
namespace {

constexpr std::string_view kMagic{"openssh-key-v1\0", 15};
constexpr std::string_view kKeyType = "ssh-ed25519";
constexpr std::string_view kNone = "none";
constexpr size_t kBlockSize = 8;  // the private section is padded to the cipher's block size

std::string_view View(const unsigned char* p, size_t n) {
  return {reinterpret_cast<const char*>(p), n};
}

// A name read from the file, made safe to put in an error message.
std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 32)) {
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return out;
}

Status Truncated() { return Status::Corruption("OpenSSH private key is truncated"); }

std::string PublicBlob(std::string_view public_key) {
  SshWriter w;
  w.PutString(kKeyType);
  w.PutString(public_key);
  return std::string(w.data());
}

// SECRET_KEY is libsodium's seed || public key, which is also what OpenSSH stores.
void PutPrivateSection(std::string_view public_key, std::string_view secret_key,
                       std::string_view comment, SshWriter* out) {
  uint32_t check = randombytes_random();
  out->PutU32(check);
  out->PutU32(check);
  out->PutString(kKeyType);
  out->PutString(public_key);
  out->PutString(secret_key);
  out->PutString(comment);
  for (char pad = 1; out->size() % kBlockSize != 0; ++pad) {
    out->PutRaw({&pad, 1});
  }
}

struct KeyParts {
  std::string_view public_blob;
  std::string_view private_section;
};

Result<KeyParts> ParseContainer(std::string_view blob) {
  SshReader r(blob);
  std::string_view magic, cipher, kdf, kdf_options;
  uint32_t count = 0;
  KeyParts parts;
  if (!r.ReadRaw(kMagic.size(), &magic) || magic != kMagic) {
    return Status::InvalidArgument("not an OpenSSH private key: bad magic");
  }
  if (!r.ReadString(&cipher) || !r.ReadString(&kdf) || !r.ReadString(&kdf_options) ||
      !r.ReadU32(&count)) {
    return Truncated();
  }
  if (cipher != kNone || kdf != kNone) {
    return Status::InvalidArgument("OpenSSH private key is encrypted (cipher " + Printable(cipher) +
                                   "); rekey reads only unencrypted keys");
  }
  if (count != 1) {
    return Status::InvalidArgument("OpenSSH private key file holds " + std::to_string(count) +
                                   " keys; expected 1");
  }
  if (!r.ReadString(&parts.public_blob) || !r.ReadString(&parts.private_section)) {
    return Truncated();
  }
  if (!r.rest().empty()) {
    return Status::Corruption("OpenSSH private key has trailing bytes");
  }
  return parts;
}

Result<std::string_view> ParsePublicKey(std::string_view public_blob) {
  SshReader r(public_blob);
  std::string_view type, key;
  if (!r.ReadString(&type) || !r.ReadString(&key)) {
    return Truncated();
  }
  if (type != kKeyType) {
    return Status::InvalidArgument("OpenSSH private key is of type " + Printable(type) +
                                   "; rekey handles only ssh-ed25519 keys");
  }
  if (key.size() != crypto_sign_PUBLICKEYBYTES || !r.rest().empty()) {
    return Status::Corruption("OpenSSH private key has a malformed ed25519 public key");
  }
  return key;
}

// True when SECRET_KEY is seed || PUBLIC_KEY and the seed does yield PUBLIC_KEY.
bool Ed25519Matches(std::string_view secret_key, std::string_view public_key) {
  if (secret_key.size() != crypto_sign_SECRETKEYBYTES ||
      secret_key.substr(crypto_sign_SEEDBYTES) != public_key) {
    return false;
  }
  unsigned char derived_public[crypto_sign_PUBLICKEYBYTES];
  unsigned char derived_secret[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(derived_public, derived_secret, UChars(secret_key));
  sodium_memzero(derived_secret, sizeof derived_secret);
  return View(derived_public, sizeof derived_public) == public_key;
}

bool PaddingValid(std::string_view padding, size_t section_size) {
  if (section_size % kBlockSize != 0 || padding.size() >= kBlockSize) {
    return false;
  }
  for (size_t i = 0; i < padding.size(); ++i) {
    if (static_cast<size_t>(static_cast<unsigned char>(padding[i])) != i + 1) {
      return false;
    }
  }
  return true;
}

// Returns the comment.
Result<std::string_view> ParsePrivateSection(std::string_view section,
                                             std::string_view public_key) {
  SshReader r(section);
  uint32_t check1 = 0, check2 = 0;
  std::string_view type, inner_public, secret_key, comment;
  if (!r.ReadU32(&check1) || !r.ReadU32(&check2) || !r.ReadString(&type) ||
      !r.ReadString(&inner_public) || !r.ReadString(&secret_key) || !r.ReadString(&comment)) {
    return Truncated();
  }
  if (check1 != check2) {
    return Status::Corruption("OpenSSH private key fails its check: the check integers differ");
  }
  if (type != kKeyType || inner_public != public_key || !Ed25519Matches(secret_key, public_key)) {
    return Status::Corruption("OpenSSH private key does not match its public key");
  }
  if (!PaddingValid(r.rest(), section.size())) {
    return Status::Corruption("OpenSSH private key has invalid padding");
  }
  return comment;
}

}  // namespace

Result<SecretBytes> GenerateSshPrivateKey(std::string_view comment) {
  if (comment.find_first_of("\r\n") != std::string_view::npos) {
    return Status::InvalidArgument("SSH key comment must not contain a line break");
  }
  REKEY_RETURN_IF_ERROR(InitSecretLibrary());
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
  unsigned char secret_key[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(public_key, secret_key);
  SshWriter section;
  PutPrivateSection(View(public_key, sizeof public_key), View(secret_key, sizeof secret_key),
                    comment, &section);
  sodium_memzero(secret_key, sizeof secret_key);
  SshWriter blob;
  blob.PutRaw(kMagic);
  blob.PutString(kNone);  // cipher
  blob.PutString(kNone);  // kdf
  blob.PutString("");     // kdf options
  blob.PutU32(1);         // number of keys
  blob.PutString(PublicBlob(View(public_key, sizeof public_key)));
  blob.PutString(section.data());
  return ArmorSshKey(blob.data());
}

Result<std::string> SshPublicKey(const SecretBytes& private_key) {
  Result<SecretBytes> blob = UnarmorSshKey(private_key.Expose());
  if (!blob.ok()) {
    return blob.status();
  }
  Result<KeyParts> parts = ParseContainer(blob->Expose());
  if (!parts.ok()) {
    return parts.status();
  }
  Result<std::string_view> public_key = ParsePublicKey(parts->public_blob);
  if (!public_key.ok()) {
    return public_key.status();
  }
  Result<std::string_view> comment = ParsePrivateSection(parts->private_section, *public_key);
  if (!comment.ok()) {
    return comment.status();
  }
  std::string line =
      std::string(kKeyType) + " " + std::string(Base64Encode(parts->public_blob).Expose());
  if (!comment->empty()) {
    line.push_back(' ');
    line.append(*comment);  // append, not `" " + ...`: GCC 12 warns falsely (-Wrestrict) there
  }
  return line;
}

}  // namespace rekey
