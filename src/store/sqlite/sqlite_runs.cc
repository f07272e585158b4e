// SqliteStore's runs and steps (sqlite_store.h): a runs row per run, a steps row per plan step,
// and a locks row per identity while a run on it is unfinished.
#include <set>
#include <string>

#include "base/sha256.h"
#include "store/sqlite/millis.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite_store.h"

namespace rekey::sqlite {
namespace {

bool Finished(RunState state) {
  return state == RunState::kSucceeded || state == RunState::kRolledBack;
}

Status NoRun(const std::string& run_id) { return Status::NotFound("no run " + run_id); }

// The inventories table's key for TEXT: "sha256:" and its lower-case hex SHA-256.
std::string TextDigest(const std::string& text) { return "sha256:" + Sha256Hex(text); }

}  // namespace

Result<bool> SqliteStore::RunExists(const std::string& run_id) {
  Result<Statement> query = db_.Prepare("SELECT 1 FROM runs WHERE id = ?1");
  if (!query.ok()) {
    return query.status();
  }
  return query->BindText(1, run_id).Step();
}

Status SqliteStore::InsertSteps(const std::string& run_id, const std::vector<int>& step_ids) {
  Result<Statement> insert = db_.Prepare(
      "INSERT INTO steps(run_id, step, state, attempts, last_error, evidence) "
      "VALUES(?1, ?2, 'pending', 0, '', '')");
  if (!insert.ok()) {
    return insert.status();
  }
  for (int id : step_ids) {
    REKEY_RETURN_IF_ERROR(insert->BindText(1, run_id).BindInt(2, id).Run());
    insert->Reset();
  }
  return Status::Ok();
}

Status SqliteStore::CreateRun(const RunRecord& run, const std::vector<int>& step_ids) {
  if (run.id.empty() || run.identity.empty()) {
    return Status::InvalidArgument("a run needs an id and an identity");
  }
  if (std::set<int>(step_ids.begin(), step_ids.end()).size() != step_ids.size()) {
    return Status::InvalidArgument("run " + run.id + " lists a step id twice");
  }
  RunRecord record = run;
  if (record.started_at == SystemTime{}) {
    record.started_at = env_->Now();
  }
  return Write([&]() -> Status {
    Result<bool> exists = RunExists(run.id);
    if (!exists.ok() || *exists) {
      return exists.ok() ? Status::Conflict("run " + run.id + " exists already") : exists.status();
    }
    Result<std::optional<LockHolder>> holder = FindLockHolder(run.identity);
    if (!holder.ok()) {
      return holder.status();
    }
    if (holder->has_value()) {
      return (*holder)->Refusal(run.identity);
    }
    // The runs of `run --all` share one text: hashing and binding ~200 KB per run was a fifth
    // of a bulk reset's CPU, so the last digest is remembered (its text compared by pointer
    // first) and the row looked up first.
    if (run.inventory_text != digested_text_) {
      digested_text_ = run.inventory_text;
      digest_ = TextDigest(run.inventory_text.str());
    }
    const std::string digest = digest_;
    Result<Statement> known = db_.Prepare("SELECT 1 FROM inventories WHERE digest = ?1");
    if (!known.ok()) {
      return known.status();
    }
    Result<bool> found = known->BindText(1, digest).Step();
    if (!found.ok()) {
      return found.status();
    }
    if (!*found) {
      Result<Statement> text = db_.Prepare("INSERT INTO inventories(digest, text) VALUES(?1, ?2)");
      if (!text.ok()) {
        return text.status();
      }
      REKEY_RETURN_IF_ERROR(text->BindText(1, digest).BindText(2, run.inventory_text.str()).Run());
    }
    Result<Statement> insert = db_.Prepare("INSERT INTO runs(" + std::string(kRunInsertColumns) +
                                           ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                                           "?11, ?12, ?13, ?14, ?15, ?16)");
    if (!insert.ok()) {
      return insert.status();
    }
    BindRun(*insert, record, digest);
    REKEY_RETURN_IF_ERROR(insert->Run());
    Result<Statement> lock =
        db_.Prepare("INSERT OR REPLACE INTO locks(identity, run_id) VALUES(?1, ?2)");
    if (!lock.ok()) {
      return lock.status();
    }
    REKEY_RETURN_IF_ERROR(lock->BindText(1, run.identity).BindText(2, run.id).Run());
    return InsertSteps(run.id, step_ids);
  });
}

Result<RunRecord> SqliteStore::GetRun(const std::string& run_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Result<Statement> query =
      db_.Prepare("SELECT " + std::string(kRunColumns) + " FROM runs WHERE id = ?1");
  if (!query.ok()) {
    return query.status();
  }
  Result<bool> row = query->BindText(1, run_id).Step();
  if (!row.ok() || !*row) {
    return row.ok() ? NoRun(run_id) : row.status();
  }
  Result<RunRecord> run = ReadRun(*query);
  return run.ok() ? run : run.status().WithContext("state store " + db_.path());
}

Result<std::vector<RunRecord>> SqliteStore::ListRuns() {
  std::lock_guard<std::mutex> lock(mu_);
  Result<Statement> query = db_.Prepare("SELECT " + std::string(kRunColumns) +
                                        " FROM runs ORDER BY started_at DESC, id DESC");
  if (!query.ok()) {
    return query.status();
  }
  std::vector<RunRecord> runs;
  for (;;) {
    Result<bool> row = query->Step();
    if (!row.ok() || !*row) {
      return row.ok() ? Result<std::vector<RunRecord>>(std::move(runs)) : row.status();
    }
    Result<RunRecord> run = ReadRun(*query);
    if (!run.ok()) {
      return run.status().WithContext("state store " + db_.path());
    }
    runs.push_back(std::move(*run));
  }
}

Status SqliteStore::UpdateRun(const RunRecord& run, const std::vector<StepRecord>& steps) {
  return Write([&]() -> Status {
    for (const StepRecord& step : steps) {
      REKEY_RETURN_IF_ERROR(WriteStep(run.id, step));
    }
    Result<Statement> query = db_.Prepare("SELECT identity, state FROM runs WHERE id = ?1");
    if (!query.ok()) {
      return query.status();
    }
    Result<bool> row = query->BindText(1, run.id).Step();
    if (!row.ok() || !*row) {
      return row.ok() ? NoRun(run.id) : row.status();
    }
    const std::string identity = query->Text(0);
    std::optional<RunState> stored = ParseRunState(query->Text(1));
    // A finished run released its lock; letting it run again would break one run per identity.
    if (stored.has_value() && Finished(*stored) && *stored != run.state) {
      return Status::Conflict("run " + run.id + " has finished (" + query->Text(1) +
                              "); it cannot become " + std::string(RunStateName(run.state)));
    }
    Result<Statement> update = db_.Prepare(
        "UPDATE runs SET state = ?2, finished_at = ?3, contained_at = ?4, blocked_step = ?5, "
        "blocked_reason = ?6 WHERE id = ?1");
    if (!update.ok()) {
      return update.status();
    }
    REKEY_RETURN_IF_ERROR(update->BindText(1, run.id)
                              .BindText(2, RunStateName(run.state))
                              .BindOptionalInt(3, ToMillis(run.finished_at))
                              .BindOptionalInt(4, ToMillis(run.contained_at))
                              .BindInt(5, run.blocked_step)
                              .BindText(6, run.blocked_reason)
                              .Run());
    if (!Finished(run.state)) {
      return Status::Ok();
    }
    Result<Statement> unlock = db_.Prepare("DELETE FROM locks WHERE identity = ?1 AND run_id = ?2");
    if (!unlock.ok()) {
      return unlock.status();
    }
    return unlock->BindText(1, identity).BindText(2, run.id).Run();
  });
}

}  // namespace rekey::sqlite
