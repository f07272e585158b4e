// Executing a run as stored (its plan and the inventory text it was made from), shared by
// `rekey run` and `rekey resume`, and printing how it ended.
#pragma once

#include "cli/state.h"
#include "core/inventory.h"
#include "core/plan.h"
#include "run/executor.h"

namespace rekey {

// The plan and the inventory RUN was made from, as stored with it; corruption when either no
// longer reads back. An inventory text is parsed once per command (STATE keeps it): the runs of
// `run --all` share one, and parsing it per run made bulk resets quadratic in its size.
Result<Plan> StoredPlan(const RunRecord& run);
Result<std::shared_ptr<const Inventory>> StoredInventory(State& state, const RunRecord& run);

// The executor's dependencies, from the opened state directory.
ExecutorDeps DepsOf(const Context& context, State& state);

// A run as it ended, with the stored plan it executed.
struct EndedRun {
  RunRecord run;
  Plan plan;
};

// Takes the run's lease (conflict when another process executes it), re-reads its stored
// inventory and plan, executes it and returns how it ended. Progress goes to the error stream
// when it is a terminal.
Result<EndedRun> ExecuteStoredRun(const Context& context, State& state, const RunRecord& run);

// Prints the status of RUN, whose stored plan is PLAN (text or JSON), to the output stream;
// returns 0 when it succeeded, 1 otherwise.
int ReportRun(const Context& context, State& state, const RunRecord& run, const Plan& plan,
              bool json);

}  // namespace rekey
