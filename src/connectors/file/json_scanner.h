// A scanner that finds where the values at a key path sit in a JSON text, as byte offsets, so a
// value can be replaced without re-serialising (and so restructuring) the rest of the file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace rekey::file {

// One value's bytes in the text: [begin, end).
struct JsonSpan {
  size_t begin = 0;
  size_t end = 0;
  bool is_string = false;  // the value is a string token (quotes included in the span)
};

// Every value at PATH (object keys from the root; arrays are not entered), in text order: more
// than one when an object repeats a key. REQUIRES: PATH is not empty. invalid_argument when TEXT
// is not well-formed enough to scan or nests deeper than 512 levels.
Result<std::vector<JsonSpan>> FindJsonValues(std::string_view text,
                                             const std::vector<std::string>& path);

}  // namespace rekey::file
