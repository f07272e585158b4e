#include "core/inventory.h"

namespace rekey {

const System* Inventory::FindSystem(std::string_view name) const {
  auto it = system_index_.find(name);
  return it == system_index_.end() ? nullptr : &systems[it->second];
}

const Identity* Inventory::FindIdentity(std::string_view name) const {
  auto it = identity_index_.find(name);
  return it == identity_index_.end() ? nullptr : &identities[it->second];
}

void Inventory::BuildIndex() {
  system_index_.clear();
  identity_index_.clear();
  for (size_t i = 0; i < systems.size(); ++i) {
    system_index_.emplace(systems[i].name, i);
  }
  for (size_t i = 0; i < identities.size(); ++i) {
    identity_index_.emplace(identities[i].name, i);
  }
}

std::string_view KindName(CredentialKind kind) {
  switch (kind) {
    case CredentialKind::kPassword:
      return "password";
    case CredentialKind::kApiKey:
      return "api_key";
    case CredentialKind::kToken:
      return "token";
    case CredentialKind::kSshKey:
      return "ssh_key";
  }
  return "password";
}

std::string_view AlphabetName(Alphabet alphabet) {
  switch (alphabet) {
    case Alphabet::kAlnum:
      return "alnum";
    case Alphabet::kHex:
      return "hex";
    case Alphabet::kBase64Url:
      return "base64url";
    case Alphabet::kAscii:
      return "ascii";
  }
  return "alnum";
}

std::string_view CharClassName(CharClass c) {
  switch (c) {
    case CharClass::kLower:
      return "lower";
    case CharClass::kUpper:
      return "upper";
    case CharClass::kDigit:
      return "digit";
    case CharClass::kSymbol:
      return "symbol";
  }
  return "lower";
}

}  // namespace rekey
