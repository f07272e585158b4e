#include "connectors/file/yaml_scalar.h"

#include <array>
#include <cstdio>

namespace rekey::file {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsControl(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

// Skips a node's anchor and tag (`&a !!str value`) to the scalar itself.
size_t SkipProperties(std::string_view text, size_t pos) {
  while (pos < text.size() && (text[pos] == '&' || text[pos] == '!')) {
    while (pos < text.size() && !IsBlank(text[pos]) && text[pos] != '\n') {
      ++pos;
    }
    while (pos < text.size() && IsBlank(text[pos])) {
      ++pos;
    }
  }
  return pos;
}

size_t QuotedEnd(std::string_view text, size_t pos) {
  char quote = text[pos];
  for (size_t i = pos + 1; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;
    } else if (text[i] == quote && quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
      ++i;
    } else if (text[i] == quote) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

size_t PlainEnd(std::string_view text, size_t pos, bool in_flow) {
  std::string_view stops = in_flow ? "\r\n,[]{}" : "\r\n";
  size_t end = pos;
  while (end < text.size() && stops.find(text[end]) == std::string_view::npos &&
         !(text[end] == '#' && end > pos && IsBlank(text[end - 1]))) {
    ++end;
  }
  while (end > pos && IsBlank(text[end - 1])) {
    --end;
  }
  return end;
}

// Words YAML 1.1 reads as booleans or null when plain.
bool IsReservedWord(std::string_view value) {
  static constexpr std::array<std::string_view, 9> kWords = {"y",   "n",    "yes",   "no",  "on",
                                                             "off", "true", "false", "null"};
  std::string lower;
  for (char c : value) {
    lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  }
  for (std::string_view word : kWords) {
    if (lower == word) {
      return true;
    }
  }
  return false;
}

// Starts with a digit and could be a number or date in some YAML version (0x1F, 1_000, 1e3,
// 2024-01-02).
bool MayBeNumber(std::string_view value) {
  return IsDigit(value[0]) &&
         value.find_first_not_of("0123456789abcdefABCDEFxXoO._:+-") == std::string_view::npos;
}

bool PlainSafe(std::string_view value) {
  if (value.empty() ||
      !(IsAlpha(value[0]) || IsDigit(value[0]) || value[0] == '_' || value[0] == '/')) {
    return false;
  }
  for (char c : value) {
    if (!IsAlpha(c) && !IsDigit(c) &&
        std::string_view("_-./+=%@^~").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return !IsReservedWord(value) && !MayBeNumber(value);
}

std::string SingleQuoted(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    out += c;
    if (c == '\'') {
      out += c;
    }
  }
  return out + "'";
}

void AppendEscaped(std::string& out, char c) {
  switch (c) {
    case '\\':
      out += "\\\\";
      return;
    case '"':
      out += "\\\"";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default:
      break;
  }
  if (!IsControl(c)) {
    out += c;
    return;
  }
  char hex[5];
  std::snprintf(hex, sizeof hex, "\\x%02X", static_cast<unsigned char>(c));
  out += hex;
}

}  // namespace

Result<YamlToken> FindYamlToken(std::string_view text, size_t offset, bool in_flow) {
  size_t pos = SkipProperties(text, offset);
  if (pos >= text.size()) {
    return Status::InvalidArgument("the scalar ends the file unexpectedly");
  }
  char first = text[pos];
  if (first == '|' || first == '>') {
    return Status::InvalidArgument("block scalars (| or >) are not supported");
  }
  if (first == '"' || first == '\'') {
    size_t end = QuotedEnd(text, pos);
    if (end == std::string_view::npos) {
      return Status::InvalidArgument("the scalar opens a quote that is never closed");
    }
    return YamlToken{pos, end, first == '"' ? YamlStyle::kDoubleQuoted : YamlStyle::kSingleQuoted};
  }
  return YamlToken{pos, PlainEnd(text, pos, in_flow), YamlStyle::kPlain};
}

std::string YamlEncode(std::string_view value, YamlStyle preferred) {
  if (preferred == YamlStyle::kPlain && PlainSafe(value)) {
    return std::string(value);
  }
  bool has_control = false;
  for (char c : value) {
    has_control = has_control || IsControl(c);
  }
  if (preferred == YamlStyle::kSingleQuoted && !has_control) {
    return SingleQuoted(value);
  }
  std::string out = "\"";
  for (char c : value) {
    AppendEscaped(out, c);
  }
  return out + "\"";
}

}  // namespace rekey::file
