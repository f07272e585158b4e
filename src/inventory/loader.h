// Reading an inventory: YAML text -> validated Inventory model. Every problem found is reported
// with its position, all at once; a typo never silently drops a holder.
#pragma once

#include <string>
#include <string_view>

#include "base/env.h"
#include "core/inventory.h"
#include "inventory/diagnostics.h"

namespace rekey {

// Parses and validates TEXT, read from PATH (used only in messages). On any error, returns
// invalid_argument ("N errors in PATH") and DIAGNOSTICS holds every one of them.
Result<Inventory> ParseInventory(std::string_view text, const std::string& path,
                                 Diagnostics* diagnostics);

// Reads PATH through ENV, then as ParseInventory. A file that cannot be read is a diagnostic at
// 0:0 too, so callers print one kind of thing. TEXT, when given, receives what was read (what a
// run stores must be the text it was planned from, not a second read of a file that may change).
Result<Inventory> LoadInventory(Env* env, const std::string& path, Diagnostics* diagnostics,
                                std::string* text = nullptr);

}  // namespace rekey
