// Queries on a YAML text, answered with yaml-cpp. This file is the one site where the file holder
// calls yaml-cpp, so no exception escapes it; parse errors become Status values that give the
// line and column but never the text around them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace rekey::file {

// What sits at a key path of a YAML document.
struct YamlNodeAt {
  enum class Kind { kAbsent, kNull, kScalar, kCollection };
  Kind kind = Kind::kAbsent;
  std::string value;     // the scalar's value (kScalar)
  size_t offset = 0;     // byte offset in the text where the node (its tag or anchor first) starts
  bool in_flow = false;  // the enclosing mapping is a flow mapping ({a: b})
};

// The node at PATH (mapping keys from the root) of TEXT's first document. invalid_argument when
// TEXT is not YAML. The caller wipes the returned value when it is done with it.
Result<YamlNodeAt> FindYamlNode(std::string_view text, const std::vector<std::string>& path);

// Whether NEW_TEXT's document equals OLD_TEXT's except that the scalar at PATH is VALUE: true
// only if nothing else changed (an anchor shared with other keys would make it false).
bool IsSameYamlExcept(std::string_view old_text, std::string_view new_text,
                      const std::vector<std::string>& path, std::string_view value);

}  // namespace rekey::file
