// Canary search: the forms in which a secret value could leak (raw, JSON-escaped, base64 and
// base64url at any alignment, hex, percent-encoding), and a search of text for any of them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rekey::it {

struct Needle {
  std::string encoding;  // e.g. "base64url (unpadded)"
  std::string text;
};

// Every form of VALUE worth looking for. Base64 forms are given whole and also as the part that
// any larger base64 text containing VALUE, at any of the three byte alignments, must contain.
// REQUIRES: VALUE is at least 12 bytes, so that no form is short enough to match by chance.
std::vector<Needle> Encodings(std::string_view value);

std::string Base64(std::string_view data, bool url, bool pad);
std::string Hex(std::string_view data, bool upper);
std::string PercentEncode(std::string_view data, bool upper);
std::string JsonEscape(std::string_view data);

// One place a canary was found: WHERE (a file, or a command's stream), WHICH value, and how.
struct Leak {
  std::string where;
  std::string value_name;
  std::string encoding;
};

// Searches HAYSTACK (named WHERE) for every encoding of each named value; appends what it finds.
void FindLeaks(std::string_view haystack, const std::string& where,
               const std::vector<std::pair<std::string, std::string>>& values,
               std::vector<Leak>* leaks);

std::string Describe(const std::vector<Leak>& leaks);

}  // namespace rekey::it
