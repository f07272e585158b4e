// Rows: how runs, steps and credential versions map to table rows, in one place, so that every
// query selects the columns in the order its reader expects. The columns are specified in
// doc/state-format.md.
#pragma once

#include <string_view>

#include "base/result.h"
#include "store/sqlite/statement.h"
#include "store/store.h"

namespace rekey::sqlite {

// The runs columns a new row sets, in the order BindRun binds them (?1 to ?16).
inline constexpr std::string_view kRunInsertColumns =
    "id, identity, strategy, state, reason, user, host, plan_json, inventory_path, "
    "inventory_text, started_at, finished_at, contained_at, blocked_step, blocked_reason, "
    "inventory_digest";
// What a query selects from runs, in the order ReadRun reads it. The inventory text is the
// inventories row the run names by digest, or (runs made by schema version 1) the run's own.
inline constexpr std::string_view kRunColumns =
    "id, identity, strategy, state, reason, user, host, plan_json, inventory_path, "
    "CASE inventory_digest WHEN '' THEN inventory_text "
    "ELSE (SELECT text FROM inventories WHERE digest = inventory_digest) END, "
    "started_at, finished_at, contained_at, blocked_step, blocked_reason";
// Binds every field of RUN as parameters ?1 to ?16, in kRunInsertColumns order, the inventory
// as INVENTORY_DIGEST (its text is in the inventories table).
void BindRun(Statement& statement, const RunRecord& run, const std::string& inventory_digest);
// The run in the current row of a query selecting kRunColumns. corruption for an unknown
// strategy or state name.
Result<RunRecord> ReadRun(const Statement& row);

// The steps columns (less run_id), in the order ReadStep reads them.
inline constexpr std::string_view kStepColumns =
    "step, state, attempts, last_error, evidence, started_at, finished_at";
// The step in the current row of a query selecting kStepColumns. corruption for an unknown state.
Result<StepRecord> ReadStep(const Statement& row);

// The credentials columns of one version, in the order ReadValue reads them.
inline constexpr std::string_view kValueColumns = "sealed, fingerprint, run_id, updated_at";
// The version in the current row, starting at column FIRST.
StoredValue ReadValue(const Statement& row, int first);

}  // namespace rekey::sqlite
