#include "connectors/file/dotenv_quoting.h"

namespace rekey::file {
namespace {

bool IsControl(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

// Safe unquoted for every reader: no blanks, quotes, comments, expansions (`$`, `~`, backticks)
// or shell operators.
bool PlainSafe(std::string_view value) {
  for (char c : value) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && std::string_view("_-.,/:@%+=^").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

// Safe in double quotes without escapes: readers disagree on what `\` and `$` mean there.
bool DoubleSafe(std::string_view value) {
  for (char c : value) {
    if (IsControl(c) || std::string_view("\\\"$`").find(c) != std::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool SingleSafe(std::string_view value) {
  for (char c : value) {
    if (IsControl(c) || c == '\'') {
      return false;
    }
  }
  return true;
}

std::string DoubleEscaped(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\\':
      case '"':
      case '$':
      case '`':
        out += '\\';
        [[fallthrough]];
      default:
        out += c;
    }
  }
  return out + "\"";
}

char Unescaped(char c) {
  switch (c) {
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    default:
      return c;
  }
}

}  // namespace

SecretBytes DotenvDecode(std::string_view token, DotenvQuote quote) {
  if (quote == DotenvQuote::kNone) {
    return SecretBytes(token);
  }
  std::string_view inner = token.substr(1, token.size() - 2);
  if (quote == DotenvQuote::kSingle) {
    return SecretBytes(inner);
  }
  std::string out;
  for (size_t i = 0; i < inner.size(); ++i) {
    bool escape = inner[i] == '\\' && i + 1 < inner.size() &&
                  std::string_view("\\\"$`nrt").find(inner[i + 1]) != std::string_view::npos;
    out += escape ? Unescaped(inner[++i]) : inner[i];
  }
  return SecretBytes::Take(out);
}

std::string DotenvEncode(std::string_view value, DotenvQuote preferred) {
  if (preferred == DotenvQuote::kNone && PlainSafe(value)) {
    return std::string(value);
  }
  if (preferred == DotenvQuote::kDouble && DoubleSafe(value)) {
    return "\"" + std::string(value) + "\"";
  }
  if (SingleSafe(value)) {
    return "'" + std::string(value) + "'";
  }
  return DoubleEscaped(value);
}

}  // namespace rekey::file
