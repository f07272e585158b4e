// The text of an htpasswd file: one "user:hash" line per user, optionally followed by
// ":comment" (nginx), '#' starting a comment line. Servers take the first line whose user
// matches. rekey edits only its user's lines and keeps every other byte as it was.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace rekey::htpasswd {

// The hash on USER's first line, or nullopt when no line is USER's.
std::optional<std::string_view> HashOf(std::string_view text, std::string_view user);

// TEXT with USER's hash set to HASH: the first line of USER keeps its place and any ":comment",
// later lines of USER (which a server reading another line first would never check, but another
// server might) are removed; a line is appended when USER has none.
std::string WithHash(std::string_view text, std::string_view user, std::string_view hash);

}  // namespace rekey::htpasswd
