// SqliteStore: opening, the transaction helper, the lock and slot helpers and the lease
// (sqlite_store.h). The credential methods are in sqlite_credentials.cc, the run and step methods
// in sqlite_runs.cc.
#include "store/sqlite/sqlite_store.h"

#include "store/sqlite/file_run_lease.h"
#include "store/sqlite/millis.h"
#include "store/sqlite/private_file.h"
#include "store/sqlite/rows.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/transaction.h"

namespace rekey::sqlite {
namespace {

// WAL lets readers work while a writer commits. synchronous=FULL fsyncs the log at every commit,
// so a call that returned OK survives a crash or power loss: the write-ahead invariant rests on it.
Status Configure(Database& db) {
  Result<Statement> wal = db.Prepare("PRAGMA journal_mode=WAL");
  if (!wal.ok()) {
    return wal.status();
  }
  Result<bool> row = wal->Step();
  if (!row.ok()) {
    return row.status();
  }
  if (!*row || wal->Text(0) != "wal") {
    return Status::Unavailable("state store " + db.path() + ": cannot use WAL journal mode");
  }
  return db.Exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(Env* env, const std::string& state_dir) {
  const std::string path = state_dir + "/state.db";
  // Before SQLite opens them: closing a descriptor of a file drops every POSIX lock the process
  // holds on it, SQLite's too, and a process without SQLite's locks is taken for gone by the
  // next one to open the database, which resets the shared index under it (private_file.h opens
  // nothing that is private already, for a second store in the process). SQLite gives the -wal
  // and -shm it creates the database file's mode; older ones are narrowed here.
  REKEY_RETURN_IF_ERROR(CreatePrivateFile(path));
  REKEY_RETURN_IF_ERROR(RestrictIfExists(path + "-wal"));
  REKEY_RETURN_IF_ERROR(RestrictIfExists(path + "-shm"));
  Result<Database> db = Database::Open(path, kBusyTimeoutMs);
  if (!db.ok()) {
    return db.status();
  }
  REKEY_RETURN_IF_ERROR(Configure(*db));
  REKEY_RETURN_IF_ERROR(PrepareSchema(*db));
  return std::make_unique<SqliteStore>(Key(), env, state_dir, std::move(*db));
}

struct SqliteStore::QueuedWrite {
  const std::function<Status()>* body;
  Status status;
};

Status SqliteStore::Write(const std::function<Status()>& body) {
  QueuedWrite me{.body = &body, .status = Status::Ok()};
  commits_.Submit(&me,
                  [this](const std::vector<QueuedWrite*>& batch) noexcept { WriteBatch(batch); });
  return me.status;
}

void SqliteStore::WriteBatch(const std::vector<QueuedWrite*>& batch) {
  std::lock_guard<std::mutex> lock(mu_);
  Result<Transaction> txn = Transaction::Begin(db_);
  if (!txn.ok()) {
    for (QueuedWrite* w : batch) {
      w->status = txn.status();
    }
    return;
  }
  for (QueuedWrite* w : batch) {
    w->status = db_.Exec("SAVEPOINT write");
    if (w->status.ok()) {
      w->status = (*w->body)();
      // A failed write leaves nothing behind; if even that fails, the whole batch is undone.
      Status end = db_.Exec(w->status.ok() ? "RELEASE write" : "ROLLBACK TO write; RELEASE write");
      if (!end.ok()) {
        for (QueuedWrite* all : batch) {
          all->status = end;
        }
        return;  // the transaction rolls back on destruction
      }
    }
  }
  Status commit = txn->Commit();
  for (QueuedWrite* w : batch) {
    if (w->status.ok()) {
      w->status = commit;
    }
  }
}

Result<std::optional<SqliteStore::LockHolder>> SqliteStore::FindLockHolder(
    const std::string& identity) {
  // A finished run never holds a lock (UpdateRun drops it); the filter keeps a stray row harmless.
  Result<Statement> query = db_.Prepare(
      "SELECT locks.run_id, runs.state FROM locks JOIN runs ON runs.id = locks.run_id "
      "WHERE locks.identity = ?1 AND runs.state IN ('running', 'blocked')");
  if (!query.ok()) {
    return query.status();
  }
  Result<bool> row = query->BindText(1, identity).Step();
  if (!row.ok()) {
    return row.status();
  }
  if (!*row) {
    return std::optional<LockHolder>();
  }
  return std::optional<LockHolder>(LockHolder{query->Text(0), query->Text(1)});
}

Result<std::optional<StoredValue>> SqliteStore::ReadSlot(const std::string& identity, Slot slot) {
  Result<Statement> query = db_.Prepare("SELECT " + std::string(kValueColumns) +
                                        " FROM credentials WHERE identity = ?1 AND slot = ?2");
  if (!query.ok()) {
    return query.status();
  }
  Result<bool> row = query->BindText(1, identity).BindText(2, SlotName(slot)).Step();
  if (!row.ok()) {
    return row.status();
  }
  return *row ? std::optional<StoredValue>(ReadValue(*query, 0)) : std::nullopt;
}

Status SqliteStore::WriteSlot(const std::string& identity, Slot slot, const StoredValue& value) {
  Result<Statement> insert = db_.Prepare(
      "INSERT OR REPLACE INTO credentials(identity, slot, sealed, fingerprint, run_id, updated_at) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  if (!insert.ok()) {
    return insert.status();
  }
  SystemTime updated_at = value.updated_at == SystemTime{} ? env_->Now() : value.updated_at;
  return insert->BindText(1, identity)
      .BindText(2, SlotName(slot))
      .BindBlob(3, value.sealed)
      .BindText(4, value.fingerprint)
      .BindText(5, value.run_id)
      .BindOptionalInt(6, ToMillis(updated_at))
      .Run();
}

Status SqliteStore::RunForIdentity(std::string_view sql, const std::string& identity) {
  Result<Statement> statement = db_.Prepare(sql);
  if (!statement.ok()) {
    return statement.status();
  }
  return statement->BindText(1, identity).Run();
}

Result<std::unique_ptr<RunLease>> SqliteStore::AcquireRunLease(const std::string& run_id) {
  std::shared_ptr<RunLeaseFile> leases;
  {
    std::lock_guard lock(lease_mu_);
    if (leases_ == nullptr) {
      const std::string dir = state_dir_ + "/locks";
      REKEY_RETURN_IF_ERROR(env_->CreateDirs(dir, 0700));
      Result<std::shared_ptr<RunLeaseFile>> opened = RunLeaseFile::Open(dir);
      if (!opened.ok()) {
        return opened.status();
      }
      leases_ = std::move(*opened);
    }
    leases = leases_;
  }
  return leases->Acquire(run_id);
}

}  // namespace rekey::sqlite
