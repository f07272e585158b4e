// PrepareSchema (schema.h). Keep doc/state-format.md in step with kCreateTables.
#include "store/sqlite/schema.h"

#include <string>

#include "store/sqlite/transaction.h"

namespace rekey::sqlite {
namespace {

constexpr const char* kCreateTables = R"sql(
CREATE TABLE meta(
  key TEXT PRIMARY KEY NOT NULL,
  value NOT NULL
);
CREATE TABLE runs(
  id TEXT PRIMARY KEY NOT NULL,
  identity TEXT NOT NULL,
  strategy TEXT NOT NULL CHECK (strategy IN ('rotate', 'contain')),
  state TEXT NOT NULL CHECK (state IN ('running', 'blocked', 'succeeded', 'rolled_back')),
  reason TEXT NOT NULL,
  user TEXT NOT NULL,
  host TEXT NOT NULL,
  plan_json TEXT NOT NULL,
  inventory_path TEXT NOT NULL,
  inventory_text TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  finished_at INTEGER,
  contained_at INTEGER,
  blocked_step INTEGER NOT NULL,
  blocked_reason TEXT NOT NULL,
  inventory_digest TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_by_start ON runs(started_at DESC, id DESC);
CREATE INDEX runs_by_identity ON runs(identity);
CREATE TABLE steps(
  run_id TEXT NOT NULL REFERENCES runs(id),
  step INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
  attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  evidence TEXT NOT NULL,
  started_at INTEGER,
  finished_at INTEGER,
  PRIMARY KEY (run_id, step)
) WITHOUT ROWID;
CREATE TABLE credentials(
  identity TEXT NOT NULL,
  slot TEXT NOT NULL CHECK (slot IN ('current', 'pending', 'previous')),
  sealed BLOB NOT NULL,
  fingerprint TEXT NOT NULL,
  run_id TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (identity, slot)
) WITHOUT ROWID;
CREATE TABLE locks(
  identity TEXT PRIMARY KEY NOT NULL,
  run_id TEXT NOT NULL REFERENCES runs(id)
) WITHOUT ROWID;
)sql";

// Version 2: inventory texts are stored once, by digest, instead of once per run (a 1,000-identity
// inventory is ~200 KB, and `run --all` makes one run per identity; SQLite rewrites a whole row,
// text included, on every update of the run).
constexpr const char* kInventoriesTable =
    "CREATE TABLE inventories(digest TEXT PRIMARY KEY NOT NULL, text TEXT NOT NULL);";

// The first column of the first row of SQL, or 0 when it returns no row.
Result<int64_t> QueryInt(Database& db, std::string_view sql) {
  Result<Statement> query = db.Prepare(sql);
  if (!query.ok()) {
    return query.status();
  }
  Result<bool> row = query->Step();
  if (!row.ok()) {
    return row.status();
  }
  return *row ? query->Int(0) : 0;
}

Status Create(Database& db) {
  REKEY_RETURN_IF_ERROR(db.Exec(kCreateTables));
  REKEY_RETURN_IF_ERROR(db.Exec(kInventoriesTable));
  Result<Statement> insert =
      db.Prepare("INSERT INTO meta(key, value) VALUES('schema_version', ?1)");
  if (!insert.ok()) {
    return insert.status();
  }
  return insert->BindInt(1, kSchemaVersion).Run();
}

// Version 1 kept each run's inventory text in runs.inventory_text; those rows stay as they are
// (inventory_digest ''), readable as before.
Status MigrateFrom1(Database& db) {
  REKEY_RETURN_IF_ERROR(
      db.Exec("ALTER TABLE runs ADD COLUMN inventory_digest TEXT NOT NULL DEFAULT ''"));
  REKEY_RETURN_IF_ERROR(db.Exec(kInventoriesTable));
  return db.Exec("UPDATE meta SET value = 2 WHERE key = 'schema_version'");
}

Status CheckVersion(Database& db) {
  Result<Statement> query =
      db.Prepare("SELECT typeof(value) = 'integer', value FROM meta WHERE key = 'schema_version'");
  if (!query.ok()) {
    return query.status();
  }
  Result<bool> row = query->Step();
  if (!row.ok()) {
    return row.status();
  }
  const std::string prefix = "state store " + db.path() + " has ";
  if (!*row || query->Int(0) == 0 || query->Int(1) < 1) {
    return Status::Corruption(prefix + "no valid schema version in its meta table");
  }
  if (query->Int(1) == 1) {
    return MigrateFrom1(db);
  }
  if (query->Int(1) != kSchemaVersion) {
    return Status::Corruption(prefix + "schema version " + std::to_string(query->Int(1)) +
                              "; this rekey understands version " + std::to_string(kSchemaVersion) +
                              ": upgrade rekey");
  }
  return Status::Ok();
}

}  // namespace

Status PrepareSchema(Database& db) {
  Result<Transaction> txn = Transaction::Begin(db);
  if (!txn.ok()) {
    return txn.status();
  }
  Result<int64_t> meta =
      QueryInt(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'");
  Result<int64_t> objects = QueryInt(db, "SELECT count(*) FROM sqlite_master");
  if (!meta.ok() || !objects.ok()) {
    return meta.ok() ? objects.status() : meta.status();
  }
  if (*meta == 1) {
    REKEY_RETURN_IF_ERROR(CheckVersion(db));
    return txn->Commit();
  }
  if (*objects != 0) {
    return Status::Corruption("state store " + db.path() +
                              " is not a rekey state store: it has tables but no meta table");
  }
  REKEY_RETURN_IF_ERROR(Create(db));
  return txn->Commit();
}

}  // namespace rekey::sqlite
