// Rows (rows.h).
#include "store/sqlite/rows.h"

#include <string>

#include "store/sqlite/millis.h"

namespace rekey::sqlite {
namespace {

Status UnknownName(std::string_view what, const std::string& name) {
  return Status::Corruption("unknown " + std::string(what) + " '" + name + "'");
}

}  // namespace

void BindRun(Statement& statement, const RunRecord& run, const std::string& inventory_digest) {
  statement.BindText(1, run.id)
      .BindText(2, run.identity)
      .BindText(3, StrategyName(run.strategy))
      .BindText(4, RunStateName(run.state))
      .BindText(5, run.reason)
      .BindText(6, run.user)
      .BindText(7, run.host)
      .BindText(8, run.plan_json)
      .BindText(9, run.inventory_path)
      .BindText(10, "")
      .BindOptionalInt(11, ToMillis(run.started_at))
      .BindOptionalInt(12, ToMillis(run.finished_at))
      .BindOptionalInt(13, ToMillis(run.contained_at))
      .BindInt(14, run.blocked_step)
      .BindText(15, run.blocked_reason)
      .BindText(16, inventory_digest);
}

Result<RunRecord> ReadRun(const Statement& row) {
  RunRecord run;
  run.id = row.Text(0);
  run.identity = row.Text(1);
  std::optional<Strategy> strategy = ParseStrategy(row.Text(2));
  std::optional<RunState> state = ParseRunState(row.Text(3));
  if (!strategy.has_value()) {
    return UnknownName("strategy", row.Text(2)).WithContext("run " + run.id);
  }
  if (!state.has_value()) {
    return UnknownName("run state", row.Text(3)).WithContext("run " + run.id);
  }
  run.strategy = *strategy;
  run.state = *state;
  run.reason = row.Text(4);
  run.user = row.Text(5);
  run.host = row.Text(6);
  run.plan_json = row.Text(7);
  run.inventory_path = row.Text(8);
  run.inventory_text = row.Text(9);
  run.started_at = FromMillis(row.OptionalInt(10));
  run.finished_at = FromMillis(row.OptionalInt(11));
  run.contained_at = OptionalFromMillis(row.OptionalInt(12));
  run.blocked_step = static_cast<int>(row.Int(13));
  run.blocked_reason = row.Text(14);
  return run;
}

Result<StepRecord> ReadStep(const Statement& row) {
  StepRecord step;
  step.step = static_cast<int>(row.Int(0));
  std::optional<StepState> state = ParseStepState(row.Text(1));
  if (!state.has_value()) {
    return UnknownName("step state", row.Text(1)).WithContext("step " + std::to_string(step.step));
  }
  step.state = *state;
  step.attempts = static_cast<int>(row.Int(2));
  step.last_error = row.Text(3);
  step.evidence = row.Text(4);
  step.started_at = FromMillis(row.OptionalInt(5));
  step.finished_at = FromMillis(row.OptionalInt(6));
  return step;
}

StoredValue ReadValue(const Statement& row, int first) {
  StoredValue value;
  value.sealed = row.Blob(first);
  value.fingerprint = row.Text(first + 1);
  value.run_id = row.Text(first + 2);
  value.updated_at = FromMillis(row.OptionalInt(first + 3));
  return value;
}

}  // namespace rekey::sqlite
