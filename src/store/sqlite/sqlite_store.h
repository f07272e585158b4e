// SqliteStore: the Store in one SQLite file, STATE_DIR/state.db, for one machine. Several rekey
// processes may share the file: every write is part of an IMMEDIATE transaction that waits up
// to kBusyTimeoutMs for SQLite's write lock, and a run is executed under a lease
// (file_run_lease.h). Group commit: writes from several threads that arrive while one
// transaction commits share the next one (each in a savepoint of its own, so one write's
// failure undoes only that write), and each returns once its transaction is durable. The file
// format is specified in doc/state-format.md.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/group_commit.h"
#include "store/sqlite/database.h"
#include "store/sqlite/file_run_lease.h"
#include "store/store.h"

namespace rekey::sqlite {

class SqliteStore final : public Store {
 public:
  static constexpr int kBusyTimeoutMs = 5000;

  // Opens STATE_DIR/state.db, creating it (mode 0600) with the current schema when it does not
  // exist. corruption when the file is not a rekey store or has a schema version this rekey does
  // not understand. ENV supplies the clock and creates directories; it must outlive the store.
  // REQUIRES: STATE_DIR exists.
  static Result<std::unique_ptr<SqliteStore>> Open(Env* env, const std::string& state_dir);

  // Only Open can make the key: a store always has a configured connection and a checked schema.
  class Key {
    friend class SqliteStore;
    Key() = default;
  };
  SqliteStore(Key, Env* env, std::string state_dir, Database db)
      : env_(env), state_dir_(std::move(state_dir)), db_(std::move(db)) {}

  // The Store contract (store.h). Thread-safe: calls are serialised on one connection. A zero
  // updated_at or started_at is recorded as the time of the call.
  Result<CredentialVersions> GetCredential(const std::string& identity) override;
  Status Adopt(const std::string& identity, const StoredValue& value) override;
  Status StagePending(const std::string& identity, const StoredValue& value) override;
  Status Promote(const std::string& identity, const std::string& run_id) override;
  Status DiscardPending(const std::string& identity, const std::string& run_id) override;
  Status CreateRun(const RunRecord& run, const std::vector<int>& step_ids) override;
  Result<RunRecord> GetRun(const std::string& run_id) override;
  Result<std::vector<RunRecord>> ListRuns() override;
  Status UpdateRun(const RunRecord& run, const std::vector<StepRecord>& steps) override;
  Result<std::vector<StepRecord>> GetSteps(const std::string& run_id) override;
  Status UpdateSteps(const std::string& run_id, const std::vector<StepRecord>& steps) override;
  // Does not wait for the store's mutex: leases are a file of their own (file_run_lease.h),
  // which a lease keeps open after the store is gone.
  Result<std::unique_ptr<RunLease>> AcquireRunLease(const std::string& run_id) override;

 private:
  // The run holding an identity's lock, and its state name.
  struct LockHolder {
    std::string run_id;
    std::string state;
    // The refusal of another run's change to IDENTITY while this one holds it.
    Status Refusal(const std::string& identity) const {
      return Status::Conflict("identity " + identity + " is held by run " + run_id + " (" + state +
                              "); resume or roll back that run first");
    }
  };

  // Runs BODY inside an IMMEDIATE transaction under mu_, in a savepoint rolled back unless BODY
  // returns OK, and returns BODY's status once the transaction committed (or the commit's error).
  Status Write(const std::function<Status()>& body);
  struct QueuedWrite;
  // Runs BATCH's bodies in one transaction and sets their outcomes. REQUIRES: mu_ not held.
  void WriteBatch(const std::vector<QueuedWrite*>& batch);

  // Helpers for the methods above. REQUIRES: mu_ held.
  Result<std::optional<LockHolder>> FindLockHolder(const std::string& identity);
  Result<std::optional<StoredValue>> ReadSlot(const std::string& identity, Slot slot);
  Status WriteSlot(const std::string& identity, Slot slot, const StoredValue& value);
  // Runs SQL, a statement whose only parameter ?1 is IDENTITY.
  Status RunForIdentity(std::string_view sql, const std::string& identity);
  Result<bool> RunExists(const std::string& run_id);
  Status InsertSteps(const std::string& run_id, const std::vector<int>& step_ids);
  Status WriteStep(const std::string& run_id, const StepRecord& step);

  Env* const env_;
  const std::string state_dir_;
  std::mutex lease_mu_;
  std::shared_ptr<RunLeaseFile> leases_;  // opened by the first lease; guarded by lease_mu_
  std::mutex mu_;
  Database db_;  // guarded by mu_
  // The last inventory text CreateRun stored, and its digest (guarded by mu_).
  SharedText digested_text_;
  std::string digest_;

  GroupCommit<QueuedWrite> commits_;
};

}  // namespace rekey::sqlite
