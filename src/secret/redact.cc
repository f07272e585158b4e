// Matches are marked on the original text first and replaced in one pass, so that one encoding's
// marker can never hide, or be mistaken for, another's occurrence.
#include "secret/redact.h"

#include <sodium.h>

#include <cctype>
#include <vector>

namespace rekey {
namespace {

struct Pattern {
  std::string text;
  bool base64 = false;  // a match stands for the whole base64 word around it
};

std::string Hex(std::string_view value, bool upper) {
  std::string out(value.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(value.data()),
                 value.size());
  out.pop_back();
  for (char& c : out) {
    c = (upper && c >= 'a' && c <= 'f') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

// Every byte outside RFC 3986's unreserved set as %XX.
std::string PercentEncode(std::string_view value, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += ch;
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

std::string Base64(std::string_view value, int variant) {
  std::string out(sodium_base64_encoded_len(value.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(value.data()),
                    value.size(), variant);
  out.resize(out.find('\0'));
  return out;
}

// The characters of base64(OFFSET other bytes + VALUE + anything) that depend on VALUE alone:
// the whole 4-character groups made only of VALUE's bytes. Empty when VALUE is too short to
// fill one (2 bytes or fewer after the offset's group).
std::string Base64Core(std::string_view value, size_t offset, int variant) {
  std::string shifted(offset, '\0');
  shifted += value;
  std::string encoded = Base64(shifted, variant);
  size_t begin = offset == 0 ? 0 : 4;
  size_t end = 4 * (shifted.size() / 3);
  std::string core = end > begin ? encoded.substr(begin, end - begin) : "";
  WipeString(shifted);
  WipeString(encoded);
  return core;
}

bool IsBase64Char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '-' ||
         c == '_';
}

std::vector<Pattern> Patterns(std::initializer_list<const SecretBytes*> secrets) {
  std::vector<Pattern> patterns;
  for (const SecretBytes* secret : secrets) {
    if (secret == nullptr || secret->empty()) {
      continue;
    }
    std::string_view v = secret->Expose();
    patterns.push_back({std::string(v)});
    for (bool upper : {false, true}) {
      patterns.push_back({Hex(v, upper)});
      patterns.push_back({PercentEncode(v, upper)});
    }
    for (int variant :
         {sodium_base64_VARIANT_ORIGINAL_NO_PADDING, sodium_base64_VARIANT_URLSAFE_NO_PADDING}) {
      patterns.push_back({Base64(v, variant)});  // whole: covers values too short for a core
      for (size_t offset : {0, 1, 2}) {
        if (std::string core = Base64Core(v, offset, variant); !core.empty()) {
          patterns.push_back({std::move(core), true});
        }
      }
    }
  }
  return patterns;
}

// Which bytes of TEXT belong to an occurrence of some pattern.
std::vector<bool> Covered(std::string_view text, const std::vector<Pattern>& patterns) {
  std::vector<bool> covered(text.size(), false);
  for (const Pattern& p : patterns) {
    for (size_t at = text.find(p.text); at != std::string_view::npos;
         at = text.find(p.text, at + 1)) {
      size_t begin = at, end = at + p.text.size();
      while (p.base64 && begin > 0 && IsBase64Char(text[begin - 1])) {
        --begin;
      }
      while (p.base64 && end < text.size() && IsBase64Char(text[end])) {
        ++end;
      }
      while (p.base64 && end < text.size() && text[end] == '=') {  // padding ends a word
        ++end;
      }
      std::fill(covered.begin() + begin, covered.begin() + end, true);
    }
  }
  return covered;
}

}  // namespace

std::string Redact(std::string_view text, std::initializer_list<const SecretBytes*> secrets,
                   size_t max_size) {
  std::vector<Pattern> patterns = Patterns(secrets);
  std::vector<bool> covered = Covered(text, patterns);
  for (Pattern& p : patterns) {
    WipeString(p.text);
  }
  std::string out;
  for (size_t i = 0; i < text.size() && out.size() < max_size; ++i) {
    if (!covered[i]) {
      out += text[i];
    } else if (i == 0 || !covered[i - 1]) {
      out += kRedactedMarker;
    }
  }
  if (out.size() > max_size) {
    out.resize(max_size);
  }
  return out;
}

}  // namespace rekey
