// rekey connectors: the connector types, their roles, capabilities, options and how each is
// verified.
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit_codes.h"
#include "connectors/registry.h"

namespace rekey {
namespace {

std::string Roles(const ConnectorType& t) {
  return t.issuer && t.holder ? "issuer, holder" : t.issuer ? "issuer" : "holder";
}

std::string OptionList(std::span<const OptionSpec> specs) {
  std::string out;
  for (const OptionSpec& s : specs) {
    out += (out.empty() ? "" : ", ") + std::string(s.name) + (s.required ? "*" : "");
  }
  return out.empty() ? "-" : out;
}

nlohmann::json OptionJson(std::span<const OptionSpec> specs) {
  nlohmann::json out = nlohmann::json::array();
  for (const OptionSpec& s : specs) {
    out.push_back({{"name", s.name}, {"required", s.required}, {"help", s.help}});
  }
  return out;
}

class ConnectorsCommand final : public Command {
 public:
  void Setup(CLI::App* app) override { AddOutputFlag(app, &output_); }

  int Run(const Context& context) override {
    nlohmann::json all = nlohmann::json::array();
    std::string text;
    for (const ConnectorType& t : ConnectorTypes()) {
      all.push_back({{"type", t.name},
                     {"summary", t.summary},
                     {"roles", Roles(t)},
                     {"verified", t.verified},
                     {"system_options", OptionJson(t.system_options)},
                     {"issuer_options", OptionJson(t.issuer_options)},
                     {"holder_options", OptionJson(t.holder_options)}});
      text += std::string(t.name) + " (" + Roles(t) + ") — " + std::string(t.summary) +
              "\n  verified against: " + std::string(t.verified) +
              "\n  system options: " + OptionList(t.system_options);
      if (t.issuer) {
        text += "\n  issuer options: " + OptionList(t.issuer_options);
      }
      if (t.holder) {
        text += "\n  holder options: " + OptionList(t.holder_options);
      }
      text += "\n\n";
    }
    if (output_ == "json") {
      *context.out << all.dump(2) << "\n";
    } else {
      *context.out << text << "* required. Every system also takes max_parallel, retry "
                   << "{attempts, initial, max} and timeout.\n";
    }
    return kExitOk;
  }

 private:
  std::string output_ = "text";
};

}  // namespace

std::unique_ptr<Command> MakeConnectorsCommand() { return std::make_unique<ConnectorsCommand>(); }

}  // namespace rekey
