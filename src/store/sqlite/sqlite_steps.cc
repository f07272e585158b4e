// SqliteStore's steps (sqlite_store.h): one steps row per plan step of a run, created pending by
// CreateRun and rewritten whole by UpdateSteps.
#include <string>

#include "store/sqlite/millis.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite_store.h"

namespace rekey::sqlite {

Result<std::vector<StepRecord>> SqliteStore::GetSteps(const std::string& run_id) {
  std::lock_guard<std::mutex> lock(mu_);
  Result<bool> exists = RunExists(run_id);
  if (!exists.ok() || !*exists) {
    return exists.ok() ? Status::NotFound("no run " + run_id) : exists.status();
  }
  Result<Statement> query = db_.Prepare("SELECT " + std::string(kStepColumns) +
                                        " FROM steps WHERE run_id = ?1 ORDER BY step");
  if (!query.ok()) {
    return query.status();
  }
  query->BindText(1, run_id);
  std::vector<StepRecord> steps;
  for (;;) {
    Result<bool> row = query->Step();
    if (!row.ok() || !*row) {
      return row.ok() ? Result<std::vector<StepRecord>>(std::move(steps)) : row.status();
    }
    Result<StepRecord> step = ReadStep(*query);
    if (!step.ok()) {
      return step.status().WithContext("state store " + db_.path() + ": run " + run_id);
    }
    steps.push_back(std::move(*step));
  }
}

Status SqliteStore::UpdateSteps(const std::string& run_id, const std::vector<StepRecord>& steps) {
  return Write([&] {
    for (const StepRecord& step : steps) {
      REKEY_RETURN_IF_ERROR(WriteStep(run_id, step));
    }
    return Status::Ok();
  });
}

Status SqliteStore::WriteStep(const std::string& run_id, const StepRecord& step) {
  Result<Statement> update = db_.Prepare(
      "UPDATE steps SET state = ?3, attempts = ?4, last_error = ?5, evidence = ?6, "
      "started_at = ?7, finished_at = ?8 WHERE run_id = ?1 AND step = ?2");
  if (!update.ok()) {
    return update.status();
  }
  REKEY_RETURN_IF_ERROR(update->BindText(1, run_id)
                            .BindInt(2, step.step)
                            .BindText(3, StepStateName(step.state))
                            .BindInt(4, step.attempts)
                            .BindText(5, step.last_error)
                            .BindText(6, step.evidence)
                            .BindOptionalInt(7, ToMillis(step.started_at))
                            .BindOptionalInt(8, ToMillis(step.finished_at))
                            .Run());
  if (db_.Changes() == 1) {
    return Status::Ok();
  }
  Result<bool> exists = RunExists(run_id);
  if (!exists.ok()) {
    return exists.status();
  }
  return Status::NotFound(*exists ? "run " + run_id + " has no step " + std::to_string(step.step)
                                  : "no run " + run_id);
}

}  // namespace rekey::sqlite
