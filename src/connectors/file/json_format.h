// The json format: the value is a string at a dotted key path ("db.password"). Edits replace
// only that string token, so the file keeps its layout, key order and every other byte. rekey
// never adds keys to a JSON file: a missing key is reported, with what to add.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "secret/secret_bytes.h"

namespace rekey::file {

// The string at KEY (the last one, where an object repeats the key, as parsers do). not_found
// when absent; invalid_argument when TEXT is not JSON or the value is not a string.
Result<SecretBytes> JsonRead(std::string_view text, std::string_view key);

// TEXT with every string at KEY replaced by VALUE, JSON-escaped. Errors as JsonRead, and
// invalid_argument when VALUE is not valid UTF-8 (a JSON string cannot hold it).
Result<std::string> JsonReplace(std::string_view text, std::string_view key,
                                std::string_view value);

}  // namespace rekey::file
