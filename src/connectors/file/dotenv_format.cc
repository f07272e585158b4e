// Every assignment line is parsed, not only the key's: a quoted multi-line value of another
// variable may contain a line that looks like `KEY=...` and must not be taken for it.
#include "connectors/file/dotenv_format.h"

#include <vector>

#include "connectors/file/dotenv_quoting.h"

namespace rekey::file {
namespace {

// The bytes of one assignment's value token, quotes included.
struct Token {
  size_t begin = 0;
  size_t end = 0;
  DotenvQuote quote = DotenvQuote::kNone;
};

bool IsBlank(char c) { return c == ' ' || c == '\t'; }
bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

size_t SkipBlanks(std::string_view text, size_t pos) {
  while (pos < text.size() && IsBlank(text[pos])) {
    ++pos;
  }
  return pos;
}

// Where the unquoted value starting at POS ends: at the line's end or a " #" comment, without
// trailing blanks or a CR.
size_t PlainEnd(std::string_view text, size_t pos, size_t eol) {
  size_t end = pos;
  while (end < eol && !(text[end] == '#' && (end == pos || IsBlank(text[end - 1])))) {
    ++end;
  }
  while (end > pos && (IsBlank(text[end - 1]) || text[end - 1] == '\r')) {
    --end;
  }
  return end;
}

// Where the quoted value starting at POS (on its opening quote) ends, or npos if it never does.
size_t QuotedEnd(std::string_view text, size_t pos) {
  char quote = text[pos];
  for (size_t i = pos + 1; i < text.size(); ++i) {
    if (quote == '"' && text[i] == '\\') {
      ++i;
    } else if (text[i] == quote) {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

struct Scan {
  std::vector<Token> tokens;  // the assignments of the key, in order
  bool unterminated = false;  // an assignment of the key opens a quote it never closes
};

// Where the `=` of the assignment on the line [POS, EOL) is, with the assigned NAME; npos when
// the line (a comment, a blank line) assigns nothing.
size_t FindEquals(std::string_view text, size_t pos, size_t eol, std::string_view* name) {
  size_t p = SkipBlanks(text, pos);
  if (text.substr(p, 6) == "export" && p + 6 < eol && IsBlank(text[p + 6])) {
    p = SkipBlanks(text, p + 6);
  }
  size_t name_end = p;
  while (name_end < eol && IsNameChar(text[name_end])) {
    ++name_end;
  }
  size_t eq = SkipBlanks(text, name_end);
  if (name_end == p || eq >= eol || text[eq] != '=') {
    return std::string_view::npos;
  }
  *name = text.substr(p, name_end - p);
  return eq;
}

// The value token after the `=` at EQ. A quoted value may end on a later line: *EOL moves to
// the end of that line. An unclosed quote makes the value plain and sets *UNTERMINATED.
Token ValueToken(std::string_view text, size_t eq, size_t* eol, bool* unterminated) {
  Token token{SkipBlanks(text, eq + 1), 0, DotenvQuote::kNone};
  char first = token.begin < *eol ? text[token.begin] : '\n';
  if (first == '"' || first == '\'') {
    token.end = QuotedEnd(text, token.begin);
    if (token.end != std::string_view::npos) {
      token.quote = first == '"' ? DotenvQuote::kDouble : DotenvQuote::kSingle;
      *eol = std::min(text.find('\n', token.end), text.size());
      return token;
    }
    *unterminated = true;
  }
  token.end = PlainEnd(text, token.begin, *eol);
  if (token.end == token.begin) {
    token.begin = token.end = eq + 1;  // `K= # c`: a new value goes before the blanks
  }
  return token;
}

// Parses the line starting at POS; returns where the next line starts.
size_t ScanLine(std::string_view text, size_t pos, std::string_view key, Scan& scan) {
  size_t eol = std::min(text.find('\n', pos), text.size());
  std::string_view name;
  size_t eq = FindEquals(text, pos, eol, &name);
  if (eq == std::string_view::npos) {
    return eol + 1;
  }
  bool unterminated = false;
  Token token = ValueToken(text, eq, &eol, &unterminated);
  if (name == key) {
    scan.tokens.push_back(token);
    scan.unterminated = scan.unterminated || unterminated;
  }
  return eol + 1;
}

Result<std::vector<Token>> FindAssignments(std::string_view text, std::string_view key) {
  Scan scan;
  for (size_t pos = 0; pos < text.size();) {
    pos = ScanLine(text, pos, key, scan);
  }
  if (scan.unterminated) {
    return Status::InvalidArgument("the value of " + std::string(key) +
                                   " opens a quote that is never closed");
  }
  return std::move(scan.tokens);
}

}  // namespace

bool IsDotenvName(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) {
    return false;
  }
  for (char c : name) {
    if (!IsNameChar(c) || c == '.' || c == '-') {
      return false;
    }
  }
  return true;
}

Result<SecretBytes> DotenvRead(std::string_view text, std::string_view key) {
  Result<std::vector<Token>> tokens = FindAssignments(text, key);
  if (!tokens.ok()) {
    return tokens.status();
  }
  if (tokens->empty()) {
    return Status::NotFound("no variable " + std::string(key));
  }
  const Token& t = tokens->back();
  return DotenvDecode(text.substr(t.begin, t.end - t.begin), t.quote);
}

Result<std::string> DotenvReplace(std::string_view text, std::string_view key,
                                  std::string_view value) {
  Result<std::vector<Token>> tokens = FindAssignments(text, key);
  if (!tokens.ok()) {
    return tokens.status();
  }
  std::string out;
  size_t copied = 0;
  for (const Token& t : *tokens) {
    out.append(text.substr(copied, t.begin - copied));
    out.append(DotenvEncode(value, t.quote));
    copied = t.end;
  }
  out.append(text.substr(copied));
  if (tokens->empty()) {
    std::string_view newline = text.find("\r\n") != std::string_view::npos ? "\r\n" : "\n";
    if (!text.empty() && !text.ends_with('\n')) {
      out.append(newline);
    }
    out.append(key).append("=").append(DotenvEncode(value, DotenvQuote::kNone)).append(newline);
  }
  return out;
}

}  // namespace rekey::file
