// How a dotenv value is quoted and unquoted. The dialect is the common subset of POSIX shells,
// docker compose and python-dotenv: single quotes are literal; double quotes understand
// \\ \" \$ \` \n \r \t; an unquoted value is taken as written.
#pragma once

#include <string>
#include <string_view>

#include "secret/secret_bytes.h"

namespace rekey::file {

enum class DotenvQuote { kNone, kSingle, kDouble };

// The value a token means. TOKEN includes its quotes when QUOTE is not kNone.
SecretBytes DotenvDecode(std::string_view token, DotenvQuote quote);

// The token for VALUE, in the style PREFERRED when VALUE can be written in it without any reader
// misreading it; otherwise single quotes; otherwise (a ' or a control character) double quotes
// with escapes. DotenvDecode of the result gives VALUE back.
std::string DotenvEncode(std::string_view value, DotenvQuote preferred);

}  // namespace rekey::file
