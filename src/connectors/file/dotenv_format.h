// The dotenv format: lines `KEY=value` or `export KEY=value`, the value unquoted (up to a ` #`
// comment), 'single-quoted' (literal) or "double-quoted" (with \\ \" \$ \` \n \r \t escapes).
// Edits replace only the value's bytes and keep its quoting where the new value allows it.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "secret/secret_bytes.h"

namespace rekey::file {

// The value of the last assignment of KEY (the one a shell or dotenv loader ends up with);
// not_found when KEY is not assigned; invalid_argument for an unterminated quote.
Result<SecretBytes> DotenvRead(std::string_view text, std::string_view key);

// TEXT with every assignment of KEY given VALUE; when KEY is not assigned, TEXT plus a new line
// `KEY=value` (after a line break if TEXT does not end with one). Quoting: kept when the new value
// can be written in it, otherwise single quotes, otherwise double quotes with escapes.
Result<std::string> DotenvReplace(std::string_view text, std::string_view key,
                                  std::string_view value);

// Whether NAME can be a dotenv variable name: [A-Za-z_][A-Za-z0-9_]*.
bool IsDotenvName(std::string_view name);

}  // namespace rekey::file
