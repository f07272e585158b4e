// Transaction: one SQLite write transaction, rolled back on destruction unless committed (RAII).
#pragma once

#include <utility>

#include "base/result.h"
#include "store/sqlite/database.h"

namespace rekey::sqlite {

class Transaction {
 public:
  // BEGIN IMMEDIATE on DB: takes the database's write lock now (waiting up to the busy timeout,
  // then unavailable), so what the transaction reads cannot be changed by another process before
  // it writes. DB must outlive the transaction.
  static Result<Transaction> Begin(Database& db);

  Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  // COMMIT. With synchronous=FULL the commit is on disk when this returns OK. After a failed
  // commit the transaction is rolled back on destruction. REQUIRES: not committed yet.
  Status Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}

  Database* db_;  // not owned; null once committed or moved from
};

}  // namespace rekey::sqlite
