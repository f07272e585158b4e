// Matches are marked on the original text first and replaced in one pass, so that one encoding's
// marker can never hide, or be mistaken for, another's occurrence.
#include "connectors/exec/redact.h"

#include <sodium.h>

#include <vector>

namespace rekey::exec {
namespace {

constexpr std::string_view kMarker = "[REDACTED]";

std::string Hex(std::string_view value) {
  std::string out(value.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(value.data()),
                 value.size());
  out.pop_back();
  return out;
}

std::string Upper(std::string s) {
  for (char& c : s) {
    c = (c >= 'a' && c <= 'f') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return s;
}

// Unpadded: an unpadded match also covers the padded form's prefix.
std::string Base64(std::string_view value, int variant) {
  std::string out(sodium_base64_encoded_len(value.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(value.data()),
                    value.size(), variant);
  out.resize(out.find('\0'));
  return out;
}

std::vector<std::string> Patterns(std::initializer_list<const SecretBytes*> secrets) {
  std::vector<std::string> patterns;
  for (const SecretBytes* secret : secrets) {
    if (secret == nullptr || secret->empty()) {
      continue;
    }
    std::string_view v = secret->Expose();
    patterns.emplace_back(v);
    patterns.push_back(Hex(v));
    patterns.push_back(Upper(patterns.back()));
    patterns.push_back(Base64(v, sodium_base64_VARIANT_ORIGINAL_NO_PADDING));
    patterns.push_back(Base64(v, sodium_base64_VARIANT_URLSAFE_NO_PADDING));
  }
  return patterns;
}

// Which bytes of TEXT belong to an occurrence of some pattern.
std::vector<bool> Covered(std::string_view text, const std::vector<std::string>& patterns) {
  std::vector<bool> covered(text.size(), false);
  for (const std::string& p : patterns) {
    for (size_t at = text.find(p); at != std::string_view::npos; at = text.find(p, at + 1)) {
      std::fill(covered.begin() + at, covered.begin() + at + p.size(), true);
    }
  }
  return covered;
}

}  // namespace

std::string Redact(std::string_view text, std::initializer_list<const SecretBytes*> secrets) {
  std::vector<std::string> patterns = Patterns(secrets);
  std::vector<bool> covered = Covered(text, patterns);
  for (std::string& p : patterns) {
    WipeString(p);
  }
  std::string out;
  for (size_t i = 0; i < text.size() && out.size() < kMaxRedactedSize; ++i) {
    if (!covered[i]) {
      out += text[i];
    } else if (i == 0 || !covered[i - 1]) {
      out += kMarker;
    }
  }
  if (out.size() > kMaxRedactedSize) {
    out.resize(kMaxRedactedSize);
  }
  return out;
}

}  // namespace rekey::exec
