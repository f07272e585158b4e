// NodeReader: typed access to YamlNode values with diagnostics: every "must be a list", unknown
// key and bad scalar message of the inventory comes from here, worded one way.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/diagnostics.h"
#include "inventory/yaml_tree.h"

namespace rekey {

class NodeReader {
 public:
  explicit NodeReader(Diagnostics* diagnostics) : d_(diagnostics) {}

  Diagnostics* diagnostics() const { return d_; }

  // Reports each key of MAP not in ALLOWED ("unknown key "x" in WHERE", with a suggestion) and
  // each key given twice. False when MAP is not a map (reported).
  bool CheckKeys(const YamlNode& map, std::span<const std::string_view> allowed,
                 std::string_view where);

  // Typed values; each reports a node of the wrong shape ("WHAT must be ...") and returns
  // nullopt.
  std::optional<std::string> String(const YamlNode& node, std::string_view what);
  std::optional<int64_t> Int(const YamlNode& node, std::string_view what, int64_t min, int64_t max);
  std::optional<bool> Bool(const YamlNode& node, std::string_view what);
  std::optional<Millis> Duration(const YamlNode& node, std::string_view what);
  std::optional<std::vector<std::string>> StringList(const YamlNode& node, std::string_view what);
  // One of CHOICES, else reported with a suggestion.
  std::optional<std::string> Choice(const YamlNode& node, std::string_view what,
                                    std::span<const std::string_view> choices);
  // A non-empty list of names, or one name (written as a scalar).
  std::optional<std::vector<std::string>> Names(const YamlNode& node, std::string_view what);

 private:
  Diagnostics* d_;
};

}  // namespace rekey
