#include "connectors/htpasswd/htpasswd_file.h"

#include <functional>

namespace rekey::htpasswd {
namespace {

// Where USER's hash lies in LINE (without its newline), or nullopt when LINE is not USER's.
struct HashField {
  size_t begin;
  size_t end;
};

std::optional<HashField> FindHash(std::string_view line, std::string_view user) {
  if (line.starts_with('#') || !line.starts_with(user) || line.size() <= user.size() ||
      line[user.size()] != ':') {
    return std::nullopt;
  }
  size_t begin = user.size() + 1;
  size_t end = line.find_first_of(":\r", begin);
  return HashField{begin, end == std::string_view::npos ? line.size() : end};
}

// Calls VISIT with each line of TEXT (without its '\n') and whether a '\n' ended it.
void ForEachLine(std::string_view text,
                 const std::function<void(std::string_view line, bool newline)>& visit) {
  while (!text.empty()) {
    size_t newline = text.find('\n');
    if (newline == std::string_view::npos) {
      visit(text, false);
      return;
    }
    visit(text.substr(0, newline), true);
    text.remove_prefix(newline + 1);
  }
}

}  // namespace

std::optional<std::string_view> HashOf(std::string_view text, std::string_view user) {
  std::optional<std::string_view> hash;
  ForEachLine(text, [&](std::string_view line, bool) {
    if (!hash) {
      if (std::optional<HashField> field = FindHash(line, user)) {
        hash = line.substr(field->begin, field->end - field->begin);
      }
    }
  });
  return hash;
}

std::string WithHash(std::string_view text, std::string_view user, std::string_view hash) {
  std::string out;
  bool placed = false;
  bool ends_in_newline = true;
  ForEachLine(text, [&](std::string_view line, bool newline) {
    std::optional<HashField> field = FindHash(line, user);
    if (field && placed) {
      return;
    }
    if (field) {
      out.append(line.substr(0, field->begin)).append(hash).append(line.substr(field->end));
      placed = true;
    } else {
      out.append(line);
    }
    if (newline) {
      out.push_back('\n');
    }
    ends_in_newline = newline;
  });
  if (!placed) {
    if (!ends_in_newline) {
      out.push_back('\n');
    }
    out.append(user).append(":").append(hash).append("\n");
  }
  return out;
}

}  // namespace rekey::htpasswd
