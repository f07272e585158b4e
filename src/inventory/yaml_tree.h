// YamlNode: a YAML document as a plain tree with the source position of every node, read with
// libyaml's event parser. It is the one place rekey touches a YAML library when reading
// inventories, and it never throws.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/inventory.h"
#include "inventory/diagnostics.h"

namespace rekey {

struct YamlNode {
  enum class Kind { kNull, kScalar, kSequence, kMap };
  Kind kind = Kind::kNull;
  SourcePos pos;
  std::string scalar;           // kScalar: the text, unquoted
  bool quoted = false;          // kScalar: written in quotes (so "true" is a string, not a flag)
  std::vector<YamlNode> items;  // kSequence
  std::vector<std::pair<YamlNode, YamlNode>> entries;  // kMap, in source order

  bool IsMap() const { return kind == Kind::kMap; }
  bool IsSequence() const { return kind == Kind::kSequence; }
  bool IsScalar() const { return kind == Kind::kScalar; }
  // The value of key NAME in a map, or null.
  const YamlNode* Find(std::string_view name) const;
};

// Parses TEXT (one document). On a syntax error, or a construct rekey does not read (aliases,
// several documents, non-scalar keys), adds a diagnostic and returns nullopt.
std::optional<YamlNode> ParseYaml(std::string_view text, Diagnostics* diagnostics);

}  // namespace rekey
