// The text formats a file holder edits in place. Each format is a pair of pure functions over the
// file's text, so they never see a path and are tested without files. Messages they return never
// contain a value; the holder prefixes them with the file's path.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "secret/secret_bytes.h"

namespace rekey::file {

struct FileFormat {
  std::string_view name;
  bool needs_key = false;     // dotenv, json and yaml address a value by `key`; raw does not
  bool creates_file = false;  // Write may create a missing file (dotenv, raw)
  // The value at KEY in TEXT; not_found when the key is absent.
  Result<SecretBytes> (*read)(std::string_view text, std::string_view key) = nullptr;
  // TEXT with the value at KEY replaced by VALUE and every other byte unchanged.
  Result<std::string> (*replace)(std::string_view text, std::string_view key,
                                 std::string_view value) = nullptr;
};

// The format called NAME ("dotenv", "json", "yaml", "raw"); null for any other name. The result
// is static: it lives for the whole process.
const FileFormat* FindFileFormat(std::string_view name);

// Splits a dotted key path: "db.password" -> {"db", "password"}. Empty when KEY is empty or has
// an empty segment ("db..password"), which callers report as invalid.
std::vector<std::string> SplitKeyPath(std::string_view key);

}  // namespace rekey::file
