// The connector registry: the one table of connector types, with each type's roles, the options
// it accepts (used by inventory validation), its capabilities and its factories. Explicit, not
// self-registering: adding a type means adding a row to registry.cc.
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "connectors/connector.h"

namespace rekey {

enum class OptionType {
  kString,
  kList,       // a YAML sequence of strings (argv)
  kSecretRef,  // { env: NAME } or { file: PATH }
  kBool,
  kInt,
};

struct OptionSpec {
  std::string_view name;
  OptionType type = OptionType::kString;
  bool required = false;
  std::string_view help;
  // kString only: when not empty, the value must be one of these (validation says which).
  std::span<const std::string_view> choices = {};
  // kInt only: the range validation accepts.
  int min = 0;
  int max = 65535;
};

struct ConnectorType {
  std::string_view name;
  std::string_view summary;
  bool issuer = false;
  bool holder = false;
  std::span<const OptionSpec> system_options;
  std::span<const OptionSpec> issuer_options;
  std::span<const OptionSpec> holder_options;
  // Capabilities of a binding of this type; options are already validated.
  Capabilities (*capabilities)(const Options& system, const Options& binding) = nullptr;
  // Set for each role the type plays (registry_test checks it).
  Result<std::unique_ptr<Issuer>> (*make_issuer)(const ConnectorContext& context) = nullptr;
  Result<std::unique_ptr<Holder>> (*make_holder)(const ConnectorContext& context) = nullptr;
  // How the connector is tested: "real server (...)" or "documented API contract (...)".
  std::string_view verified;
};

// Every type, in the table's order.
std::span<const ConnectorType> ConnectorTypes();
// Null when no type has that name.
const ConnectorType* FindConnectorType(std::string_view name);

}  // namespace rekey
