// The raw format: the whole file is the value. A file that ends with "\n" keeps ending with one,
// and one trailing "\n" is not part of the value, so editors that add a final newline are safe.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "secret/secret_bytes.h"

namespace rekey::file {

// TEXT without one trailing "\n". KEY is unused. Never fails.
Result<SecretBytes> RawRead(std::string_view text, std::string_view key);
// VALUE, followed by "\n" when TEXT ended with one or VALUE itself ends with one (so that
// RawRead gives VALUE back). KEY is unused. Never fails.
Result<std::string> RawReplace(std::string_view text, std::string_view key, std::string_view value);

}  // namespace rekey::file
