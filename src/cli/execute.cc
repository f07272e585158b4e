#include "cli/execute.h"

#include <unistd.h>

#include <iostream>

#include "cli/exit_codes.h"
#include "cli/run_report.h"
#include "inventory/loader.h"
#include "plan/describe.h"
#include "plan/plan_json.h"
#include "run/executor.h"

namespace rekey {

Result<Plan> StoredPlan(const RunRecord& run) {
  nlohmann::json j = nlohmann::json::parse(run.plan_json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    return Status::Corruption("run " + run.id + " has a malformed stored plan");
  }
  return PlanFromJson(j);
}

Result<std::shared_ptr<const Inventory>> StoredInventory(State& state, const RunRecord& run) {
  std::lock_guard lock(state.inventories->mu);
  for (const auto& [text, inventory] : state.inventories->parsed) {
    if (text == run.inventory_text) {
      return inventory;
    }
  }
  Diagnostics d(run.inventory_path);
  Result<Inventory> inv = ParseInventory(run.inventory_text.str(), run.inventory_path, &d);
  if (!inv.ok()) {
    return Status::Corruption("run " + run.id + "'s stored inventory no longer validates:\n" +
                              d.Format());
  }
  auto parsed = std::make_shared<const Inventory>(std::move(*inv));
  state.inventories->parsed.emplace_back(run.inventory_text, parsed);
  return parsed;
}

ExecutorDeps DepsOf(const Context& context, State& state) {
  return {context.env,       state.store.get(),     state.audit.get(), state.failpoints.get(),
          &state.master_key, state.resources.get(), state.pool.get()};
}

Result<EndedRun> ExecuteStoredRun(const Context& context, State& state, const RunRecord& run) {
  auto lease = state.store->AcquireRunLease(run.id);
  if (!lease.ok()) {
    return lease.status();
  }
  auto plan = StoredPlan(run);
  if (!plan.ok()) {
    return plan.status();
  }
  auto inventory = StoredInventory(state, run);
  if (!inventory.ok()) {
    return inventory.status();
  }
  ExecutorOptions options;
  if (context.show_progress && ::isatty(STDERR_FILENO)) {
    size_t total = plan->steps.size();
    options.on_step = [&context, total](const Step& s, const StepRecord& r) {
      *context.err << "  [" << s.id << "/" << total << "] " << StepStateName(r.state) << "  "
                   << StepSummary(s) << "\n";
    };
  }
  Result<RunRecord> ended = ExecuteRun(DepsOf(context, state), **inventory, *plan, run, options);
  if (!ended.ok()) {
    return ended.status();
  }
  return EndedRun{std::move(*ended), std::move(*plan)};
}

int ReportRun(const Context& context, State& state, const RunRecord& run, const Plan& plan,
              bool json) {
  auto steps = state.store->GetSteps(run.id);
  if (!steps.ok()) {
    return ReportError(context, steps.status());
  }
  if (json) {
    *context.out << RunToJson(run, plan, *steps).dump(2) << "\n";
  } else {
    *context.out << RunToText(run, plan, *steps);
  }
  return run.state == RunState::kSucceeded ? kExitOk : kExitFailed;
}

}  // namespace rekey
