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

  // Runs SQL, one or more statements that contain no values (pragmas, DDL, BEGIN, COMMIT).
  Status Exec(const char* sql);
  // Prepares the single statement SQL; its values are bound afterwards.
  Result<Statement> Prepare(std::string_view sql);
  // Rows inserted, updated or deleted by the last completed statement.
  int64_t Changes() const { return sqlite3_changes64(db_.get()); }
  const std::string& path() const { return path_; }

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };

  Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  std::unique_ptr<sqlite3, Closer> db_;
  std::string path_;
};

}  // namespace rekey::sqlite
