// Transaction (transaction.h).
#include "store/sqlite/transaction.h"

#include "base/check.h"

namespace rekey::sqlite {

Result<Transaction> Transaction::Begin(Database& db) {
  REKEY_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) {
    // Nothing to report to: the transaction failed already, and its changes are dropped.
    (void)db_->Exec("ROLLBACK");
  }
}

Status Transaction::Commit() {
  REKEY_CHECK(db_ != nullptr);
  Status status = db_->Exec("COMMIT");
  if (status.ok()) {
    db_ = nullptr;
  }
  return status;
}

}  // namespace rekey::sqlite
