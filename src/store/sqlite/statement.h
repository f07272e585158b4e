// Statement: owns one prepared SQLite statement (sqlite3_stmt*) and finalizes it on destruction
// (RAII). Values enter SQL only as bound parameters, never as text spliced into the SQL.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace rekey::sqlite {

class Statement {
 public:
  // Takes ownership of STMT. REQUIRES: STMT is not null.
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}

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
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
  };

  Statement& Check(int rc, int index);

  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
  Status bind_status_;  // the first failed bind
};

}  // namespace rekey::sqlite
