#include "cli/common.h"

#include <ostream>

#include "inventory/loader.h"

namespace rekey {

Result<Inventory> LoadInventoryForCommand(const Context& context, const std::string& path,
                                          std::string* text) {
  Diagnostics diagnostics(path);
  Result<Inventory> inventory = LoadInventory(context.env, path, &diagnostics, text);
  if (!inventory.ok()) {
    std::string text = diagnostics.Format();
    // A file that could not be read has no position: drop the ":0:0".
    if (diagnostics.size() == 1 && diagnostics.errors()[0].pos.line == 0) {
      text = path + ": error: " + diagnostics.errors()[0].message + "\n";
    }
    *context.err << text;
    if (diagnostics.size() > 1) {
      *context.err << inventory.status().message() << "\n";
    }
  }
  return inventory;
}

void AddOutputFlag(CLI::App* app, std::string* output) {
  app->add_option("--output,-o", *output, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_val("text");
}

void AddParallelFlag(CLI::App* app, int* parallel) {
  app->add_option("--parallel,-j", *parallel,
                  "Runs executed at once (several identities; admin connections are shared)")
      ->check(CLI::Range(1, 256))
      ->default_val(1);
}

std::string MasterKeyPath(const Context& context) { return context.state_dir + "/master.key"; }

}  // namespace rekey
