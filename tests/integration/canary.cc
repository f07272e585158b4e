#include "canary.h"

#include <gtest/gtest.h>

#include <set>

namespace rekey::it {
namespace {

constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// The characters of base64(PREFIX zero bytes + VALUE + anything) that depend on VALUE alone:
// the whole 4-character groups made only of VALUE's bytes.
std::string Base64Core(std::string_view value, size_t prefix, bool url) {
  std::string padded(prefix, '\0');
  padded += value;
  std::string encoded = Base64(padded, url, false);
  size_t begin = prefix == 0 ? 0 : 4;
  size_t end = 4 * (padded.size() / 3);
  return end > begin ? encoded.substr(begin, end - begin) : "";
}

}  // namespace

std::string Base64(std::string_view data, bool url, bool pad) {
  const char* table = url ? kUrl : kStd;
  std::string out;
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t n = static_cast<uint8_t>(data[i]) << 16 | static_cast<uint8_t>(data[i + 1]) << 8 |
                 static_cast<uint8_t>(data[i + 2]);
    for (int shift : {18, 12, 6, 0}) {
      out += table[(n >> shift) & 63];
    }
  }
  size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t n = static_cast<uint8_t>(data[i]) << 16;
    if (rest == 2) {
      n |= static_cast<uint8_t>(data[i + 1]) << 8;
    }
    out += table[(n >> 18) & 63];
    out += table[(n >> 12) & 63];
    if (rest == 2) {
      out += table[(n >> 6) & 63];
    }
    if (pad) {
      out += rest == 1 ? "==" : "=";
    }
  }
  return out;
}

std::string Hex(std::string_view data, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (unsigned char c : data) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string PercentEncode(std::string_view data, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (unsigned char c : data) {
    bool unreserved = std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

std::string JsonEscape(std::string_view data) {
  std::string out;
  for (unsigned char c : data) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::vector<Needle> Encodings(std::string_view value) {
  EXPECT_GE(value.size(), 12u) << "canary values must be long enough not to match by chance";
  std::vector<Needle> all = {
      {"raw", std::string(value)},
      {"JSON-escaped", JsonEscape(value)},
      {"base64", Base64(value, false, true)},
      {"base64 (unpadded)", Base64(value, false, false)},
      {"base64url", Base64(value, true, true)},
      {"base64url (unpadded)", Base64(value, true, false)},
      {"hex", Hex(value, false)},
      {"HEX", Hex(value, true)},
      {"percent-encoded", PercentEncode(value, true)},
      {"percent-encoded (lower-case hex)", PercentEncode(value, false)},
  };
  for (size_t prefix : {0, 1, 2}) {
    for (bool url : {false, true}) {
      all.push_back({std::string(url ? "base64url" : "base64") +
                         " inside a larger text at offset " + std::to_string(prefix),
                     Base64Core(value, prefix, url)});
    }
  }
  // Identical forms (an alphanumeric value is its own JSON and percent encoding) once only.
  std::vector<Needle> unique;
  std::set<std::string> seen;
  for (Needle& n : all) {
    if (!n.text.empty() && seen.insert(n.text).second) {
      unique.push_back(std::move(n));
    }
  }
  return unique;
}

void FindLeaks(std::string_view haystack, const std::string& where,
               const std::vector<std::pair<std::string, std::string>>& values,
               std::vector<Leak>* leaks) {
  for (const auto& [name, value] : values) {
    for (const Needle& n : Encodings(value)) {
      if (haystack.find(n.text) != std::string_view::npos) {
        leaks->push_back({where, name, n.encoding});
      }
    }
  }
}

std::string Describe(const std::vector<Leak>& leaks) {
  std::string out;
  for (const Leak& l : leaks) {
    out += "  " + l.value_name + " (" + l.encoding + ") in " + l.where + "\n";
  }
  return out;
}

}  // namespace rekey::it
