// rekey rollback RUN_ID: restores the old value of a rotate run that has not removed it yet.
#include <ostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/execute.h"
#include "cli/exit_codes.h"
#include "run/rollback.h"

namespace rekey {
namespace {

class RollbackCommand final : public Command {
 public:
  void Setup(CLI::App* app) override {
    app->add_option("run", run_id_, "The rotate run to roll back")->required();
  }

  int Run(const Context& context) override {
    auto state = OpenState(context);
    if (!state.ok()) {
      return ReportError(context, state.status());
    }
    auto run = state->store->GetRun(run_id_);
    if (!run.ok()) {
      return ReportError(context, run.status());
    }
    auto lease = state->store->AcquireRunLease(run_id_);
    if (!lease.ok()) {
      return ReportError(context, lease.status());
    }
    auto inv = StoredInventory(*state, *run);
    auto plan = StoredPlan(*run);
    if (!inv.ok() || !plan.ok()) {
      return ReportError(context, inv.ok() ? plan.status() : inv.status());
    }
    auto ended = RollbackRun(DepsOf(context, *state), **inv, *plan, *run);
    if (!ended.ok()) {
      return ReportError(context, ended.status());
    }
    *context.out << "run " << run_id_ << " rolled back: the old value is in place again\n";
    return kExitOk;
  }

 private:
  std::string run_id_;
};

}  // namespace

std::unique_ptr<Command> MakeRollbackCommand() { return std::make_unique<RollbackCommand>(); }

}  // namespace rekey
