// rekey validate --inventory FILE: checks an inventory and reports every problem at once.
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit_codes.h"
#include "inventory/loader.h"

namespace rekey {
namespace {

class ValidateCommand final : public Command {
 public:
  void Setup(CLI::App* app) override {
    app->add_option("--inventory,-i", path_, "Inventory file (YAML)")->required();
    AddOutputFlag(app, &output_);
  }

  int Run(const Context& context) override {
    if (output_ == "json") {
      return RunJson(context);
    }
    Result<Inventory> inv = LoadInventoryForCommand(context, path_);
    if (!inv.ok()) {
      return kExitUsage;
    }
    size_t issuers = 0, holders = 0, consumers = 0;
    for (const Identity& id : inv->identities) {
      issuers += id.issuers.size();
      holders += id.holders.size();
      consumers += id.consumers.size();
    }
    auto n = [](size_t count, const char* one, const char* many) {
      return std::to_string(count) + " " + (count == 1 ? one : many);
    };
    *context.out << path_ << ": ok: " << n(inv->systems.size(), "system", "systems") << ", "
                 << n(inv->identities.size(), "identity", "identities") << " ("
                 << n(issuers, "issuer", "issuers") << ", " << n(holders, "holder", "holders")
                 << ", " << n(consumers, "consumer", "consumers") << ")\n";
    return kExitOk;
  }

 private:
  int RunJson(const Context& context) {
    Diagnostics diagnostics(path_);
    Result<Inventory> inv = LoadInventory(context.env, path_, &diagnostics);
    nlohmann::json errors = nlohmann::json::array();
    for (const Diagnostic& d : diagnostics.errors()) {
      errors.push_back({{"file", path_},
                        {"line", d.pos.line},
                        {"column", d.pos.column},
                        {"message", d.message},
                        {"hint", d.hint}});
    }
    nlohmann::json out = {{"ok", inv.ok()}, {"errors", errors}};
    if (inv.ok()) {
      out["systems"] = inv->systems.size();
      out["identities"] = inv->identities.size();
    }
    *context.out << out.dump(2) << "\n";
    return inv.ok() ? kExitOk : kExitUsage;
  }

  std::string path_;
  std::string output_ = "text";
};

}  // namespace

std::unique_ptr<Command> MakeValidateCommand() { return std::make_unique<ValidateCommand>(); }

}  // namespace rekey
