// Reading the connector-specific part of a system or binding, typed by the registry's option
// specs: unknown keys, values of the wrong shape, missing required options and inline secrets are
// reported here.
#pragma once

#include <span>
#include <string_view>

#include "connectors/registry.h"
#include "inventory/node_reader.h"

namespace rekey {

// Reads every key of MAP that is not in FIXED_KEYS as an option of SPECS. Keys in neither are
// unknown. WHERE names the map in messages; ROLE ("a postgres issuer") says whose options these
// are.
Options ReadConnectorOptions(NodeReader& reader, const YamlNode& map,
                             std::span<const std::string_view> fixed_keys,
                             std::span<const OptionSpec> specs, std::string_view where,
                             std::string_view role);

}  // namespace rekey
