#include "connectors/exec/exec_issuer.h"

#include "connectors/exec/command.h"

namespace rekey::exec {
namespace {

using Argv = std::vector<std::string>;

class ExecIssuer final : public Issuer {
 public:
  ExecIssuer(Env* env, const Options& options) : env_(env), options_(options) {}

  Status Install(const SecretBytes& value, const SecretBytes* old, Deadline deadline) override {
    return Run({.name = "install", .input = &value, .fd3 = old}, deadline).status();
  }
  Status Remove(const SecretBytes& value, const SecretBytes* next, Deadline deadline) override {
    return Run({.name = "remove", .input = &value, .fd3 = next}, deadline).status();
  }
  Result<bool> Accepts(const SecretBytes& value, Deadline deadline) override {
    Result<int> code = Run(
        {.name = "accepts", .input = &value, .fd3 = nullptr, .exit_1_is_answer = true}, deadline);
    if (!code.ok()) {
      return code.status();
    }
    return *code == 0;
  }
  Status EndSessions(const SecretBytes& value, Deadline deadline) override {
    return Run({.name = "end_sessions", .input = &value}, deadline).status();
  }
  Status Disable(Deadline deadline) override { return Run({.name = "disable"}, deadline).status(); }
  Status Enable(Deadline deadline) override { return Run({.name = "enable"}, deadline).status(); }

 private:
  // Runs the command called COMMAND.name, which the options may lack.
  Result<int> Run(Command command, Deadline deadline) {
    command.argv = options_.GetList(command.name);
    if (command.argv == nullptr) {
      return Status::Internal("exec issuer has no `" + std::string(command.name) + "` command");
    }
    return RunCommand(env_, command, deadline);
  }

  Env* env_;
  const Options options_;  // the binding's, checked by the factory
};

constexpr std::string_view kCommands[] = {"install",      "remove",  "accepts",
                                          "end_sessions", "disable", "enable"};

Status CheckCommands(const Options& options) {
  for (std::string_view required : {"install", "accepts"}) {
    if (options.GetList(required) == nullptr) {
      return Status::InvalidArgument("`" + std::string(required) + "` (an argv list) is required");
    }
  }
  for (std::string_view name : kCommands) {
    const Argv* argv = options.GetList(name);
    if (argv != nullptr && (argv->empty() || argv->front().empty())) {
      return Status::InvalidArgument("`" + std::string(name) + "` is an empty command");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Issuer>> MakeExecIssuer(const ConnectorContext& context) {
  REKEY_CHECK(context.env != nullptr && context.binding != nullptr);
  const Options& options = context.binding->options;
  REKEY_RETURN_IF_ERROR(CheckCommands(options).WithContext("exec issuer " + context.binding->name));
  return std::unique_ptr<Issuer>(std::make_unique<ExecIssuer>(context.env, options));
}

}  // namespace rekey::exec
