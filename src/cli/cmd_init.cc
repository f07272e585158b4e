// rekey init: creates the state directory and its master key (mode 0600).
#include <ostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit_codes.h"
#include "secret/master_key.h"

namespace rekey {
namespace {

class InitCommand final : public Command {
 public:
  void Setup(CLI::App*) override {}

  int Run(const Context& context) override {
    Status s = context.env->CreateDirs(context.state_dir, 0700);
    if (!s.ok()) {
      return ReportError(context, s);
    }
    std::string path = MasterKeyPath(context);
    if (context.env->Stat(path).ok()) {
      Result<MasterKey> existing = MasterKey::Load(context.env, path);
      if (!existing.ok()) {
        return ReportError(context, existing.status());
      }
      *context.out << "rekey is already initialised in " << context.state_dir
                   << "; keeping its master key\n";
      return kExitOk;
    }
    Result<MasterKey> key = MasterKey::Create(context.env, path);
    if (!key.ok()) {
      return ReportError(context, key.status());
    }
    *context.out << "initialised " << context.state_dir << ": master key " << path
                 << " (mode 0600). Back it up: without it the sealed values cannot be opened.\n";
    return kExitOk;
  }
};

}  // namespace

std::unique_ptr<Command> MakeInitCommand() { return std::make_unique<InitCommand>(); }

}  // namespace rekey
