// rekey status [RUN_ID]: one run's steps, states, attempts, errors and timings (the newest run by
// default). rekey runs: every run, newest first.
#include <ostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/execute.h"
#include "cli/exit_codes.h"
#include "cli/run_report.h"

namespace rekey {
namespace {

class StatusCommand final : public Command {
 public:
  void Setup(CLI::App* app) override {
    app->add_option("run", run_id_, "The run (default: the newest)");
    AddOutputFlag(app, &output_);
  }

  int Run(const Context& context) override {
    auto state = OpenState(context);
    if (!state.ok()) {
      return ReportError(context, state.status());
    }
    Result<RunRecord> run = run_id_.empty() ? Newest(*state) : state->store->GetRun(run_id_);
    if (!run.ok()) {
      return ReportError(context, run.status());
    }
    Result<Plan> plan = StoredPlan(*run);
    if (!plan.ok()) {
      return ReportError(context, plan.status());
    }
    ReportRun(context, *state, *run, *plan, output_ == "json");
    return kExitOk;  // the status was shown; the run's own outcome is in it
  }

 private:
  static Result<RunRecord> Newest(State& state) {
    auto runs = state.store->ListRuns();
    if (!runs.ok()) {
      return runs.status();
    }
    if (runs->empty()) {
      return Status::NotFound("no runs yet");
    }
    return runs->front();
  }

  std::string run_id_;
  std::string output_ = "text";
};

class RunsCommand final : public Command {
 public:
  void Setup(CLI::App* app) override { AddOutputFlag(app, &output_); }

  int Run(const Context& context) override {
    auto state = OpenState(context);
    if (!state.ok()) {
      return ReportError(context, state.status());
    }
    auto runs = state->store->ListRuns();
    if (!runs.ok()) {
      return ReportError(context, runs.status());
    }
    nlohmann::json all = nlohmann::json::array();
    for (const RunRecord& r : *runs) {
      all.push_back({{"run", r.id},
                     {"identity", r.identity},
                     {"strategy", StrategyName(r.strategy)},
                     {"state", RunStateName(r.state)},
                     {"started_at", FormatTime(r.started_at)},
                     {"reason", r.reason}});
      if (output_ != "json") {
        *context.out << r.id << "  " << RunStateName(r.state) << "  " << StrategyName(r.strategy)
                     << "  " << r.identity << "  " << FormatTime(r.started_at) << "  " << r.reason
                     << "\n";
      }
    }
    if (output_ == "json") {
      *context.out << all.dump(2) << "\n";
    }
    return kExitOk;
  }

 private:
  std::string output_ = "text";
};

}  // namespace

std::unique_ptr<Command> MakeStatusCommand() { return std::make_unique<StatusCommand>(); }
std::unique_ptr<Command> MakeRunsCommand() { return std::make_unique<RunsCommand>(); }

}  // namespace rekey
