// Statement: owns one prepared SQLite statement (sqlite3_stmt*) and finalizes it on destruction
// (RAII). Values enter SQL only as bound parameters, never as text spliced into the SQL.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/result.h"

namespace rekey::sqlite {

// Prepared statements kept for reuse, by their SQL text: preparing a statement was two thirds of
// what SQLite cost a small write. Owns the statements it holds and finalizes them on
// destruction; not thread-safe (a connection is used by one thread at a time).
class StatementCache {
 public:
  StatementCache() = default;
  ~StatementCache();
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // An idle statement prepared from SQL, or null when there is none.
  sqlite3_stmt* Take(std::string_view sql);
  // Keeps STMT (reset, its bindings cleared) for the next Take of its SQL.
  void Put(sqlite3_stmt* stmt);

 private:
  std::unordered_map<std::string, std::vector<sqlite3_stmt*>> idle_;
};

class Statement {
 public:
  // Takes ownership of STMT; with a CACHE, STMT goes back to it on destruction instead of being
  // finalized, and the cache must outlive the statement. REQUIRES: STMT is not null.
  explicit Statement(sqlite3_stmt* stmt, StatementCache* cache = nullptr)
      : stmt_(stmt, Release{cache}) {}

  // Bind parameter INDEX (1-based, the N of "?N") and return *this, so binds chain. The values are
  // copied. A failed bind is remembered and returned by the next Step() or Run().
  Statement& BindText(int index, std::string_view text);
  Statement& BindBlob(int index, std::string_view bytes);
  Statement& BindInt(int index, int64_t value);
  // NULL when VALUE is empty.
  Statement& BindOptionalInt(int index, std::optional<int64_t> value);

  // Advances to the next row: true when one is available, false when the statement is done.
  Result<bool> Step();
  // Steps until done, for statements that return no rows.
  Status Run();
  // Clears the result so the statement can be stepped again; bindings are kept.
  void Reset() { sqlite3_reset(stmt_.get()); }

  // Columns of the current row, 0-based. REQUIRES: the last Step() returned true.
  std::string Text(int column) const;
  std::string Blob(int column) const;
  int64_t Int(int column) const { return sqlite3_column_int64(stmt_.get(), column); }
  // Empty when the column is NULL.
  std::optional<int64_t> OptionalInt(int column) const;

 private:
  struct Release {
    StatementCache* cache;
    void operator()(sqlite3_stmt* stmt) const;
  };

  Statement& Check(int rc, int index);

  std::unique_ptr<sqlite3_stmt, Release> stmt_;
  Status bind_status_;  // the first failed bind
};

}  // namespace rekey::sqlite
