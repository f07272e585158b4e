// SQLite result codes to Status: one place decides what a failed SQLite call means to the caller.
#pragma once

#include <sqlite3.h>

#include <string_view>

#include "base/status.h"

namespace rekey::sqlite {

// The Status for result code RC from a call on DB (which may be null when opening failed):
// "state store PATH: WHAT: SQLite's message" ("state store PATH is not an SQLite database" for
// SQLITE_NOTADB). busy, locked and I/O errors are unavailable
// (retryable), corrupt and "not a database" are corruption, permission and read-only errors are
// permission_denied, constraint failures are conflict, anything else internal.
// REQUIRES: RC is neither SQLITE_OK, SQLITE_ROW nor SQLITE_DONE.
Status SqliteStatus(sqlite3* db, int rc, std::string_view what);

// The same for a database known by PATH, with DETAIL in place of SQLite's message (opening, where
// the connection may not know its file name yet).
Status SqliteStatus(std::string_view path, int rc, std::string_view what, std::string_view detail);

}  // namespace rekey::sqlite
