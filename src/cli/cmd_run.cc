// rekey run: plans and executes resets durably. rekey resume: continues runs that stopped
// (crashed or blocked), from their stored plan and inventory.
#include <sodium.h>

#include <ostream>

#include "audit/record.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/execute.h"
#include "cli/exit_codes.h"
#include "cli/parallel_runs.h"
#include "plan/plan_json.h"
#include "run/connector_set.h"

namespace rekey {
namespace {

// Unanchored, like the run's step records: its run_finished (or run_resumed) anchors it, and a
// head replacement per run was an inode created and an fsync for every identity of `run --all`.
Status AuditRunStarted(State& state, const RunRecord& run) {
  return state.journal->Audit({{"event", "run_started"},
                               {"run", run.id},
                               {"identity", run.identity},
                               {"strategy", StrategyName(run.strategy)},
                               {"reason", run.reason},
                               {"user", run.user},
                               {"host", run.host},
                               {"plan_digest", AuditHash(run.plan_json)}},
                              AuditLog::Anchor::kNo);
}

// True when no step of RUN has started: the process that created it may have died before its
// run_started record reached the audit log.
bool NothingStarted(State& state, const RunRecord& run) {
  auto steps = state.store->GetSteps(run.id);
  if (!steps.ok()) {
    return false;
  }
  for (const StepRecord& r : *steps) {
    if (r.state != StepState::kPending) {
      return false;
    }
  }
  return true;
}

std::string NewRunId(Env* env) {
  std::time_t t = std::chrono::system_clock::to_time_t(env->Now());
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "r%04d%02d%02d-%02d%02d%02d-%08x", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, randombytes_random());
  return buf;
}

class RunCommand final : public Command {
 public:
  void Setup(CLI::App* app) override {
    AddSelectionFlags(app, &inventory_, &selection_, &strategy_);
    app->add_option("--reason", reason_, "Why (recorded in the run and the audit log)")->required();
    AddParallelFlag(app, &parallel_);
    AddOutputFlag(app, &output_);
  }

  int Run(const Context& context) override {
    std::string text;
    Result<Inventory> inv = LoadInventoryForCommand(context, inventory_, &text);
    if (!inv.ok()) {
      return kExitUsage;
    }
    auto plans = PlanSelection(*inv, selection_, *ParseStrategy(strategy_));
    if (!plans.ok()) {
      return ReportError(context, plans.status());
    }
    for (const Plan& p : *plans) {
      if (Status s = ConnectorSet::CheckImplemented(*inv->FindIdentity(p.identity)); !s.ok()) {
        return ReportError(context, s);
      }
    }
    auto state = OpenState(context);
    if (!state.ok()) {
      return ReportError(context, state.status());
    }
    const SharedText shared(std::move(text));  // every run's record carries it
    std::vector<std::string> identities;
    for (const Plan& p : *plans) {
      identities.push_back(p.identity);
    }
    return RunBatch(
        context, identities, parallel_, output_ != "json",
        [&](const Context& c, size_t i) { return RunOne(c, *state, (*plans)[i], shared); });
  }

 private:
  int RunOne(const Context& context, State& state, const Plan& plan, const SharedText& text) {
    auto creds = state.store->GetCredential(plan.identity);
    if (!creds.ok()) {
      return ReportError(context, creds.status());
    }
    if (!creds->current) {
      return ReportError(context, Status::InvalidArgument(
                                      "identity \"" + plan.identity +
                                      "\" has no current value in the store; take it in first: "
                                      "rekey adopt --inventory " +
                                      inventory_ + " " + plan.identity + " < current-value"));
    }
    RunRecord run;
    run.id = NewRunId(context.env);
    run.identity = plan.identity;
    run.strategy = plan.strategy;
    run.reason = reason_;
    run.user = CurrentUser(context.env);
    run.host = CurrentHost();
    run.plan_json = PlanToJson(plan).dump();
    run.inventory_path = inventory_;
    run.inventory_text = text;
    run.started_at = context.env->Now();
    std::vector<int> ids;
    for (const Step& s : plan.steps) {
      ids.push_back(s.id);
    }
    Status s = state.journal->Write("create run", [&] { return state.store->CreateRun(run, ids); });
    if (s.ok()) {
      s = AuditRunStarted(state, run);
    }
    if (!s.ok()) {
      BlockUnaudited(state, &run, s);
      return ReportError(context, s);
    }
    auto ended = ExecuteStoredRun(context, state, run);
    if (!ended.ok()) {
      return ReportError(context, ended.status());
    }
    return ReportRun(context, state, ended->run, ended->plan, output_ == "json");
  }

  // A run the audit log refused to record must not look as if it were running: it is blocked
  // before it touches anything, with the reason (best effort: the store may be what failed).
  static void BlockUnaudited(State& state, RunRecord* run, const Status& why) {
    if (auto stored = state.store->GetRun(run->id); stored.ok()) {
      run->state = RunState::kBlocked;
      run->blocked_reason = "the audit log refused the run's first record: " + why.ToString();
      (void)state.journal->Write("block unaudited run",
                                 [&] { return state.store->UpdateRun(*run, {}); });
    }
  }

  std::string inventory_;
  Selection selection_;
  std::string strategy_ = "rotate";
  std::string reason_;
  int parallel_ = 1;
  std::string output_ = "text";
};

class ResumeCommand final : public Command {
 public:
  void Setup(CLI::App* app) override {
    app->add_option("run", run_id_, "The run to resume (see `rekey runs`)");
    app->add_flag("--all", all_, "Every run that is running (crashed) or blocked");
    AddParallelFlag(app, &parallel_);
    AddOutputFlag(app, &output_);
  }

  int Run(const Context& context) override {
    if (run_id_.empty() == !all_) {
      return ReportError(context, Status::InvalidArgument("name a RUN_ID or pass --all"));
    }
    auto state = OpenState(context);
    if (!state.ok()) {
      return ReportError(context, state.status());
    }
    auto runs = Targets(*state);
    if (!runs.ok()) {
      return ReportError(context, runs.status());
    }
    std::vector<std::string> ids;
    for (const RunRecord& r : *runs) {
      ids.push_back(r.id);
    }
    int worst =
        RunBatch(context, ids, parallel_, output_ != "json",
                 [&](const Context& c, size_t i) { return ResumeOne(c, *state, (*runs)[i]); });
    if (runs->empty()) {
      *context.out << "nothing to resume: no run is running or blocked\n";
    }
    return worst;
  }

 private:
  Result<std::vector<RunRecord>> Targets(State& state) {
    if (!all_) {
      auto run = state.store->GetRun(run_id_);
      if (!run.ok()) {
        return run.status();
      }
      return std::vector<RunRecord>{*run};
    }
    auto all = state.store->ListRuns();
    if (!all.ok()) {
      return all.status();
    }
    std::vector<RunRecord> open;
    for (const RunRecord& r : *all) {
      if (r.state == RunState::kRunning || r.state == RunState::kBlocked) {
        open.push_back(r);
      }
    }
    return open;
  }

  int ResumeOne(const Context& context, State& state, const RunRecord& run) {
    if (run.state != RunState::kRunning && run.state != RunState::kBlocked) {
      *context.out << "run " << run.id << " already " << RunStateName(run.state) << "\n";
      return kExitOk;
    }
    // Announced again where nothing has started: the first announcement may not have landed.
    if (NothingStarted(state, run)) {
      if (Status s = AuditRunStarted(state, run); !s.ok()) {
        return ReportError(context, s);
      }
    }
    Status s = state.journal->Audit({{"event", "run_resumed"},
                                     {"run", run.id},
                                     {"identity", run.identity},
                                     {"user", CurrentUser(context.env)},
                                     {"host", CurrentHost()}});
    if (!s.ok()) {
      return ReportError(context, s);
    }
    auto ended = ExecuteStoredRun(context, state, run);
    if (!ended.ok()) {
      return ReportError(context, ended.status());
    }
    return ReportRun(context, state, ended->run, ended->plan, output_ == "json");
  }

  std::string run_id_;
  bool all_ = false;
  int parallel_ = 1;
  std::string output_ = "text";
};

}  // namespace

std::unique_ptr<Command> MakeRunCommand() { return std::make_unique<RunCommand>(); }
std::unique_ptr<Command> MakeResumeCommand() { return std::make_unique<ResumeCommand>(); }

}  // namespace rekey
