// Single-line YAML scalars as text: where one ends, and how to write a value as one so that
// every YAML reader (1.1 or 1.2) reads back the same string.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace rekey::file {

enum class YamlStyle { kPlain, kSingleQuoted, kDoubleQuoted };

// A scalar's token in the text: [begin, end), quotes included.
struct YamlToken {
  size_t begin = 0;
  size_t end = 0;
  YamlStyle style = YamlStyle::kPlain;
};

// The token of the scalar node that starts at OFFSET (on its tag or anchor, if it has one).
// IN_FLOW: inside a flow mapping, where `,` `]` `}` end a plain scalar. invalid_argument for a
// block scalar (| or >) or an unterminated quote.
Result<YamlToken> FindYamlToken(std::string_view text, size_t offset, bool in_flow);

// VALUE as a scalar token: plain when PREFERRED is plain and VALUE is unambiguously a string
// written plain; single-quoted when PREFERRED is single-quoted and VALUE has no control
// characters; otherwise double-quoted with escapes.
std::string YamlEncode(std::string_view value, YamlStyle preferred);

}  // namespace rekey::file
