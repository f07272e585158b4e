// The executor: runs a stored plan's DAG to its end. Independent steps run in parallel on a
// bounded pool, at most `max_parallel` at a time per system; each attempt is journaled before it
// acts; retryable failures are retried with exponential backoff and jitter; a permanent failure
// or exhausted retries stops the run in `blocked` at that step. Resuming a crashed run is the
// same call: steps already done are skipped, and steps that were in flight are checked against
// the real system before they are repeated.
#pragma once

#include <functional>
#include <string>

#include "base/worker_pool.h"
#include "connectors/connector.h"
#include "core/inventory.h"
#include "core/plan.h"
#include "run/failpoints.h"
#include "run/journal.h"
#include "secret/master_key.h"
#include "store/store.h"

namespace rekey {

struct ExecutorOptions {
  int parallelism = 4;  // steps in flight at once, across systems
  // Called after each step finishes (for progress on a terminal); may be empty. Called from
  // worker threads, one at a time.
  std::function<void(const Step&, const StepRecord&)> on_step;
  // Performs one attempt of a step; empty means PerformStep against the real systems. Benchmarks
  // and tests substitute their own to push the real scheduler and journal (as ninja's
  // CommandRunner seam does).
  std::function<Result<std::string>(const Step&, bool check_first, Deadline)> perform;
};

struct ExecutorDeps {
  Env* env = nullptr;
  Store* store = nullptr;
  AuditLog* audit = nullptr;
  Failpoints* failpoints = nullptr;
  const MasterKey* master_key = nullptr;
  SystemResources* resources = nullptr;  // admin connections shared across runs; null: per run
  WorkerPool* pool = nullptr;            // threads shared across runs; null: the run's own
};

// Executes RUN (already created in the store, with its plan and inventory) until it succeeds or
// blocks; returns the run as it ended. The run's lease must be held by the caller. Errors are for
// what stops the executor itself (the store or audit log failing); a blocked run is an OK result
// with state kBlocked.
Result<RunRecord> ExecuteRun(const ExecutorDeps& deps, const Inventory& inventory, const Plan& plan,
                             RunRecord run, const ExecutorOptions& options);

}  // namespace rekey
