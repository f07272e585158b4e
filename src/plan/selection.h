// Which identities a command acts on: one by name, all of them, or those whose labels match a
// selector (key=value).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "core/inventory.h"

namespace rekey {

struct Selection {
  std::optional<std::string> identity;  // one, by name
  bool all = false;
  std::vector<std::string> selectors;  // "key=value"; an identity must match every one
};

// The identities selected, in inventory order. invalid_argument when the selection names no
// identity or a malformed selector; not_found when the named identity does not exist (with a
// suggestion) or no identity matches.
Result<std::vector<const Identity*>> SelectIdentities(const Inventory& inventory,
                                                      const Selection& selection);

}  // namespace rekey
