// Pieces several commands share: loading the inventory with its diagnostics printed, the
// --output flag, and the state directory's well-known files.
#pragma once

#include <string>

#include "cli/command.h"
#include "core/inventory.h"

namespace rekey {

// Loads and validates PATH; on failure prints every diagnostic to the error stream. TEXT, when
// given, receives the text that was read.
Result<Inventory> LoadInventoryForCommand(const Context& context, const std::string& path,
                                          std::string* text = nullptr);

// Adds "--output text|json" bound to OUTPUT (default text).
void AddOutputFlag(CLI::App* app, std::string* output);
// --parallel/-j N (1 to 256, default 1): how many runs `run` and `resume --all` execute at once.
void AddParallelFlag(CLI::App* app, int* parallel);

std::string MasterKeyPath(const Context& context);

}  // namespace rekey
