// Database: owns one SQLite connection (sqlite3*) and closes it on destruction (RAII). Opens an
// existing file only: creating it, with the right mode, is the caller's job (private_file.h).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "store/sqlite/statement.h"

namespace rekey::sqlite {

class Database {
 public:
  // Opens the existing database file PATH read-write, refusing a symbolic link, with extended
  // result codes and a busy timeout of BUSY_TIMEOUT_MS: a call that finds the file locked by
  // another connection retries for that long before it fails as unavailable.
  static Result<Database> Open(const std::string& path, int busy_timeout_ms);

  // Runs SQL, one or more statements that contain no values (pragmas, DDL, BEGIN, COMMIT). A
  // single statement (no ';') is prepared once and kept, as Prepare does.
  Status Exec(const char* sql);
  // Prepares the single statement SQL; its values are bound afterwards. The statement is kept
  // for the next Prepare of the same text once the returned one is destroyed.
  // REQUIRES: the Statement is destroyed before this Database.
  Result<Statement> Prepare(std::string_view sql);
  // Rows inserted, updated or deleted by the last completed statement.
  int64_t Changes() const { return sqlite3_changes64(db_.get()); }
  const std::string& path() const { return path_; }

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };

  Database(sqlite3* db, std::string path)
      : db_(db), path_(std::move(path)), cache_(std::make_unique<StatementCache>()) {}

  std::unique_ptr<sqlite3, Closer> db_;
  std::string path_;
  // After db_, so that its statements are finalized before the connection closes; behind a
  // pointer, so that statements keep pointing at it when the Database moves.
  std::unique_ptr<StatementCache> cache_;
};

}  // namespace rekey::sqlite
