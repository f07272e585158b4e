// The state store: credential versions (sealed), runs, their steps and attempts, and the one-run-
// per-identity locks. An interface so that SQLite (one machine, src/store/sqlite/) and later
// PostgreSQL (several workers with leases) serve the same executor. Every mutating call is
// durable (committed and synced) when it returns OK: the executor relies on that for
// write-ahead journaling.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/env.h"
#include "base/result.h"
#include "base/shared_text.h"
#include "core/plan.h"

namespace rekey {

enum class Slot { kCurrent, kPending, kPrevious };

// One credential version: the value sealed under the master key, and its fingerprint.
struct StoredValue {
  std::string sealed;       // binary, as Sealer::Seal returns it
  std::string fingerprint;  // 64 hex chars
  std::string run_id;       // the run that made it; empty when adopted
  SystemTime updated_at{};
};

struct CredentialVersions {
  std::optional<StoredValue> current;
  std::optional<StoredValue> pending;
  std::optional<StoredValue> previous;
};

enum class RunState {
  kRunning,     // started, not finished (also what a crashed run looks like)
  kBlocked,     // stopped at a step that failed permanently or ran out of retries
  kSucceeded,   // every step done, every verification passed
  kRolledBack,  // rotate only: the old value restored where it had been replaced
};

enum class StepState {
  kPending,  // not started
  kRunning,  // journaled as started: in flight, or interrupted by a crash
  kDone,
  kFailed,  // the run is blocked here
};

struct RunRecord {
  std::string id;
  std::string identity;
  Strategy strategy = Strategy::kRotate;
  RunState state = RunState::kRunning;
  std::string reason;  // why it was started (--reason)
  std::string user;
  std::string host;
  std::string plan_json;       // the plan as shown, executed as stored
  std::string inventory_path;  // where the inventory was read from
  SharedText inventory_text;   // the inventory it was planned from (references only, no secrets)
  SystemTime started_at{};
  SystemTime finished_at{};                // zero while running
  std::optional<SystemTime> contained_at;  // contain: when every issuer was seen rejecting
  int blocked_step = 0;
  std::string blocked_reason;
};

struct StepRecord {
  int step = 0;  // the plan's step id
  StepState state = StepState::kPending;
  int attempts = 0;
  std::string last_error;  // redacted; never a secret
  std::string evidence;    // e.g. "old value rejected by orders-db"
  SystemTime started_at{};
  SystemTime finished_at{};
};

// Held while a process executes a run; released on destruction or when the process dies, so a
// crashed run can be resumed by another process.
class RunLease {
 public:
  virtual ~RunLease() = default;
};

class Store {
 public:
  virtual ~Store() = default;

  // --- credential versions ---
  virtual Result<CredentialVersions> GetCredential(const std::string& identity) = 0;
  // Sets current directly (rekey adopt). conflict when a run holds the identity.
  virtual Status Adopt(const std::string& identity, const StoredValue& value) = 0;
  // Records VALUE as the identity's pending value for VALUE.run_id. Durable before it returns: the
  // write-ahead point. conflict when a different pending value exists.
  virtual Status StagePending(const std::string& identity, const StoredValue& value) = 0;
  // In one transaction: previous := current, current := pending, pending := none. Idempotent:
  // OK when already promoted for RUN_ID.
  virtual Status Promote(const std::string& identity, const std::string& run_id) = 0;
  // Drops the pending value of RUN_ID (rollback).
  virtual Status DiscardPending(const std::string& identity, const std::string& run_id) = 0;

  // --- runs ---
  // In one transaction: takes the identity's lock for RUN and inserts it with one kPending
  // step per STEP_IDS. conflict ("identity X is held by run R (state); ...") when another
  // unfinished run holds the identity.
  virtual Status CreateRun(const RunRecord& run, const std::vector<int>& step_ids) = 0;
  virtual Result<RunRecord> GetRun(const std::string& run_id) = 0;
  // Every run, newest first.
  virtual Result<std::vector<RunRecord>> ListRuns() = 0;
  // In one transaction: writes STEPS as UpdateSteps does, then updates the run's state,
  // finished_at, contained_at, blocked_*; a run that reaches kSucceeded or kRolledBack releases
  // its identity's lock. Nothing is written when any of it fails.
  virtual Status UpdateRun(const RunRecord& run, const std::vector<StepRecord>& steps) = 0;
  virtual Result<std::vector<StepRecord>> GetSteps(const std::string& run_id) = 0;
  // In one transaction: rewrites each of STEPS whole. Nothing is written when any of it fails
  // (not_found: no such run or step).
  virtual Status UpdateSteps(const std::string& run_id, const std::vector<StepRecord>& steps) = 0;
  // Exclusive right to execute RUN_ID in this process. conflict when another live process
  // holds it.
  virtual Result<std::unique_ptr<RunLease>> AcquireRunLease(const std::string& run_id) = 0;
};

std::string_view RunStateName(RunState s);
std::optional<RunState> ParseRunState(std::string_view name);
std::string_view StepStateName(StepState s);
std::optional<StepState> ParseStepState(std::string_view name);
std::string_view SlotName(Slot s);

// Opens the default store: SQLite at STATE_DIR/state.db (created with mode 0600).
Result<std::unique_ptr<Store>> OpenStore(Env* env, const std::string& state_dir);

}  // namespace rekey
