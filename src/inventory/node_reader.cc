#include "inventory/node_reader.h"

#include <charconv>
#include <map>

#include "core/duration.h"
#include "inventory/suggest.h"

namespace rekey {

bool NodeReader::CheckKeys(const YamlNode& map, std::span<const std::string_view> allowed,
                           std::string_view where) {
  if (!map.IsMap()) {
    d_->Error(map.pos, std::string(where) + " must be a map of keys to values");
    return false;
  }
  std::map<std::string_view, SourcePos> seen;
  for (const auto& [key, value] : map.entries) {
    auto [it, fresh] = seen.emplace(key.scalar, key.pos);
    if (!fresh) {
      d_->Error(key.pos, "duplicate key \"" + key.scalar + "\" in " + std::string(where),
                "first given at " + d_->Where(it->second));
      continue;
    }
    bool known = false;
    for (std::string_view a : allowed) {
      known = known || a == key.scalar;
    }
    if (!known) {
      d_->Error(key.pos, "unknown key \"" + key.scalar + "\" in " + std::string(where),
                SuggestHint(key.scalar, allowed));
    }
  }
  return true;
}

std::optional<std::string> NodeReader::String(const YamlNode& node, std::string_view what) {
  if (!node.IsScalar()) {
    d_->Error(node.pos, std::string(what) + " must be a string");
    return std::nullopt;
  }
  return node.scalar;
}

std::optional<int64_t> NodeReader::Int(const YamlNode& node, std::string_view what, int64_t min,
                                       int64_t max) {
  int64_t value = 0;
  const std::string& s = node.scalar;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (!node.IsScalar() || ec != std::errc() || end != s.data() + s.size() || value < min ||
      value > max) {
    d_->Error(node.pos, std::string(what) + " must be a whole number from " + std::to_string(min) +
                            " to " + std::to_string(max));
    return std::nullopt;
  }
  return value;
}

std::optional<bool> NodeReader::Bool(const YamlNode& node, std::string_view what) {
  if (node.IsScalar() && !node.quoted) {
    if (node.scalar == "true" || node.scalar == "yes" || node.scalar == "on") {
      return true;
    }
    if (node.scalar == "false" || node.scalar == "no" || node.scalar == "off") {
      return false;
    }
  }
  d_->Error(node.pos, std::string(what) + " must be true or false");
  return std::nullopt;
}

std::optional<Millis> NodeReader::Duration(const YamlNode& node, std::string_view what) {
  auto text = String(node, what);
  if (!text) {
    return std::nullopt;
  }
  auto d = ParseDuration(*text);
  if (!d.ok()) {
    d_->Error(node.pos, std::string(what) + ": " + d.status().message());
    return std::nullopt;
  }
  return *d;
}

std::optional<std::vector<std::string>> NodeReader::StringList(const YamlNode& node,
                                                               std::string_view what) {
  bool ok = node.IsSequence() && !node.items.empty();
  std::vector<std::string> out;
  for (const YamlNode& item : node.items) {
    ok = ok && item.IsScalar();
    out.push_back(item.scalar);
  }
  if (!ok) {
    d_->Error(node.pos, std::string(what) + " must be a non-empty list of strings",
              "e.g. [/usr/local/bin/reload-app, --graceful]");
    return std::nullopt;
  }
  return out;
}

std::optional<std::string> NodeReader::Choice(const YamlNode& node, std::string_view what,
                                              std::span<const std::string_view> choices) {
  auto text = String(node, what);
  if (!text) {
    return std::nullopt;
  }
  for (std::string_view c : choices) {
    if (c == *text) {
      return text;
    }
  }
  d_->Error(node.pos, "unknown " + std::string(what) + " \"" + *text + "\"",
            SuggestHint(*text, choices));
  return std::nullopt;
}

std::optional<std::vector<std::string>> NodeReader::Names(const YamlNode& node,
                                                          std::string_view what) {
  if (node.IsScalar()) {
    return std::vector<std::string>{node.scalar};
  }
  return StringList(node, what);
}

}  // namespace rekey
