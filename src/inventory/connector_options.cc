#include "inventory/connector_options.h"

#include <algorithm>
#include <vector>

namespace rekey {
namespace {

constexpr std::string_view kRefHint =
    "write { env: VARIABLE } or { file: /path/to/secret }; an inventory never holds a secret";

std::optional<SecretRef> ReadSecretRef(NodeReader& reader, const YamlNode& node,
                                       std::string_view what) {
  Diagnostics* d = reader.diagnostics();
  if (!node.IsMap()) {
    // Never echo the value: it may be a real secret pasted by mistake.
    d->Error(node.pos, std::string(what) + " must be a reference, not an inline secret",
             std::string(kRefHint));
    return std::nullopt;
  }
  const YamlNode* env = node.Find("env");
  const YamlNode* file = node.Find("file");
  constexpr std::string_view kKeys[] = {"env", "file"};
  reader.CheckKeys(node, kKeys, what);
  if ((env == nullptr) == (file == nullptr)) {
    d->Error(node.pos, std::string(what) + " must name exactly one of env or file",
             std::string(kRefHint));
    return std::nullopt;
  }
  auto name = reader.String(env ? *env : *file, what);
  if (!name) {
    return std::nullopt;
  }
  return SecretRef{env ? SecretRef::Source::kEnv : SecretRef::Source::kFile, *name};
}

std::optional<OptionValue> ReadOption(NodeReader& reader, const YamlNode& node,
                                      const OptionSpec& spec) {
  std::string what(spec.name);
  switch (spec.type) {
    case OptionType::kString:
      if (auto v = reader.String(node, what)) {
        if (spec.choices.empty() ||
            std::find(spec.choices.begin(), spec.choices.end(), *v) != spec.choices.end()) {
          return *v;
        }
        std::string choices;
        for (std::string_view c : spec.choices) {
          choices += (choices.empty() ? "" : ", ") + std::string(c);
        }
        reader.diagnostics()->Error(node.pos, what + " \"" + *v + "\" is not allowed",
                                    "expected one of: " + choices);
      }
      return std::nullopt;
    case OptionType::kList:
      if (auto v = reader.StringList(node, what)) {
        return *v;
      }
      return std::nullopt;
    case OptionType::kSecretRef:
      if (auto v = ReadSecretRef(reader, node, what)) {
        return *v;
      }
      return std::nullopt;
    case OptionType::kBool:
      if (auto v = reader.Bool(node, what)) {
        return std::string(*v ? "true" : "false");
      }
      return std::nullopt;
    case OptionType::kInt:
      if (auto v = reader.Int(node, what, spec.min, spec.max)) {
        return std::to_string(*v);
      }
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

Options ReadConnectorOptions(NodeReader& reader, const YamlNode& map,
                             std::span<const std::string_view> fixed_keys,
                             std::span<const OptionSpec> specs, std::string_view where,
                             std::string_view role) {
  std::vector<std::string_view> allowed(fixed_keys.begin(), fixed_keys.end());
  for (const OptionSpec& s : specs) {
    allowed.push_back(s.name);
  }
  std::string place = std::string(where) + " (" + std::string(role) + ")";
  Options options;
  if (!reader.CheckKeys(map, allowed, place)) {
    return options;
  }
  for (const OptionSpec& spec : specs) {
    if (const YamlNode* node = map.Find(spec.name)) {
      if (auto value = ReadOption(reader, *node, spec)) {
        options.Set(std::string(spec.name), std::move(*value));
      }
    } else if (spec.required) {
      reader.diagnostics()->Error(
          map.pos, std::string(where) + " is missing \"" + std::string(spec.name) + "\"",
          std::string(role) + " needs it" +
              (spec.help.empty() ? "" : ": " + std::string(spec.help)));
    }
  }
  return options;
}

}  // namespace rekey
