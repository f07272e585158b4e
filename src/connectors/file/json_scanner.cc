// A scanner of our own rather than a DOM: a DOM loses the byte offsets, and re-serialising it
// would reorder and reformat the user's file. The text has passed a full JSON parse already, so
// the scanner only needs to track structure, not validate every token.
#include "connectors/file/json_scanner.h"

#include <nlohmann/json.hpp>

namespace rekey::file {
namespace {

constexpr int kMaxDepth = 512;

class Scanner {
 public:
  Scanner(std::string_view text, const std::vector<std::string>& path) : text_(text), path_(path) {}

  Result<std::vector<JsonSpan>> Run() {
    if (text_.starts_with("\xef\xbb\xbf")) {
      pos_ = 3;
    }
    SkipSpace();
    bool ok = Value(0, true);
    SkipSpace();
    if (!ok || pos_ != text_.size()) {
      return Status::InvalidArgument("not valid JSON");
    }
    return std::move(found_);
  }

 private:
  // Scans one value. MATCHED: the keys leading here equal path_[0, depth).
  bool Value(size_t depth, bool matched) {
    if (++nesting_ > kMaxDepth) {
      return false;
    }
    size_t begin = pos_;
    bool ok = Dispatch(depth, matched && depth < path_.size());
    if (ok && matched && depth == path_.size()) {
      found_.push_back({begin, pos_, text_[begin] == '"'});
    }
    --nesting_;
    return ok;
  }

  bool Dispatch(size_t depth, bool descend) {
    if (pos_ >= text_.size()) {
      return false;
    }
    switch (text_[pos_]) {
      case '{':
        return Object(depth, descend);
      case '[':
        return Array();
      case '"':
        return String();
      default:
        return Literal();
    }
  }

  // DESCEND: look for path_[depth] among the keys.
  bool Object(size_t depth, bool descend) {
    ++pos_;
    SkipSpace();
    if (Consume('}')) {
      return true;
    }
    for (;;) {
      size_t key_begin = pos_;
      if (!Peek('"') || !String()) {
        return false;
      }
      bool match = descend && KeyEquals(key_begin, path_[depth]);
      SkipSpace();
      if (!Consume(':')) {
        return false;
      }
      SkipSpace();
      if (!Value(depth + 1, match) || !EndOfMember('}')) {
        return false;
      }
      if (Consume('}')) {
        return true;
      }
    }
  }

  // Key paths do not enter arrays: their elements are only skipped.
  bool Array() {
    ++pos_;
    SkipSpace();
    if (Consume(']')) {
      return true;
    }
    for (;;) {
      if (!Value(0, false) || !EndOfMember(']')) {
        return false;
      }
      if (Consume(']')) {
        return true;
      }
    }
  }

  // After a member: either CLOSE follows (left for the caller) or a comma, consumed.
  bool EndOfMember(char close) {
    SkipSpace();
    if (Peek(close)) {
      return true;
    }
    if (!Consume(',')) {
      return false;
    }
    SkipSpace();
    return true;
  }

  // pos_ is on the opening quote; leaves it after the closing one.
  bool String() {
    for (++pos_; pos_ < text_.size(); ++pos_) {
      if (text_[pos_] == '\\') {
        ++pos_;
      } else if (text_[pos_] == '"') {
        ++pos_;
        return true;
      } else if (static_cast<unsigned char>(text_[pos_]) < 0x20) {
        return false;
      }
    }
    return false;
  }

  // A number, true, false or null: its syntax is checked by the caller's full parse.
  bool Literal() {
    size_t begin = pos_;
    while (pos_ < text_.size() &&
           std::string_view(",]} \t\r\n").find(text_[pos_]) == std::string_view::npos) {
      ++pos_;
    }
    return pos_ > begin;
  }

  // Keys are compared unescaped; most have no escapes, so parse only those that do.
  bool KeyEquals(size_t begin, std::string_view key) const {
    std::string_view token = text_.substr(begin, pos_ - begin);
    if (token.find('\\') == std::string_view::npos) {
      return token.substr(1, token.size() - 2) == key;
    }
    nlohmann::json decoded = nlohmann::json::parse(token.begin(), token.end(), nullptr, false);
    return decoded.is_string() && decoded.get_ref<const std::string&>() == key;
  }

  void SkipSpace() {
    while (pos_ < text_.size() &&
           std::string_view(" \t\r\n").find(text_[pos_]) != std::string_view::npos) {
      ++pos_;
    }
  }
  bool Peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool Consume(char c) {
    if (!Peek(c)) {
      return false;
    }
    ++pos_;
    return true;
  }

  std::string_view text_;
  const std::vector<std::string>& path_;
  size_t pos_ = 0;
  int nesting_ = 0;
  std::vector<JsonSpan> found_;
};

}  // namespace

Result<std::vector<JsonSpan>> FindJsonValues(std::string_view text,
                                             const std::vector<std::string>& path) {
  return Scanner(text, path).Run();
}

}  // namespace rekey::file
