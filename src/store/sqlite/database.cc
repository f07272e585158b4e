// Database (database.h).
#include "store/sqlite/database.h"

#include <utility>

#include "store/sqlite/sqlite_status.h"

namespace rekey::sqlite {

Result<Database> Database::Open(const std::string& path, int busy_timeout_ms) {
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW, nullptr);
  // SQLite allocates a handle even when opening fails; it must be closed either way.
  Database db(raw, path);
  if (rc != SQLITE_OK) {
    return SqliteStatus(path, rc, "open",
                        raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
  }
  sqlite3_extended_result_codes(raw, 1);
  rc = sqlite3_busy_timeout(raw, busy_timeout_ms);
  if (rc != SQLITE_OK) {
    return SqliteStatus(raw, rc, "set busy timeout");
  }
  return db;
}

Status Database::Exec(const char* sql) {
  if (std::string_view(sql).find(';') == std::string_view::npos) {
    Result<Statement> statement = Prepare(sql);
    return statement.ok() ? statement->Run() : statement.status();
  }
  int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::Ok() : SqliteStatus(db_.get(), rc, sql);
}

Result<Statement> Database::Prepare(std::string_view sql) {
  if (sqlite3_stmt* kept = cache_->Take(sql)) {
    return Statement(kept, cache_.get());
  }
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqliteStatus(db_.get(), rc, "prepare " + std::string(sql));
  }
  return Statement(stmt, cache_.get());
}

}  // namespace rekey::sqlite
