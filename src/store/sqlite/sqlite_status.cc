// SqliteStatus (sqlite_status.h).
#include "store/sqlite/sqlite_status.h"

#include <string>

namespace rekey::sqlite {
namespace {

StatusCode CodeFor(int rc) {
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_PROTOCOL:
    case SQLITE_CANTOPEN:
      return StatusCode::kUnavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return StatusCode::kCorruption;
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return StatusCode::kPermissionDenied;
    case SQLITE_CONSTRAINT:
      return StatusCode::kConflict;
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
      return StatusCode::kInvalidArgument;
    default:
      return StatusCode::kInternal;
  }
}

}  // namespace

Status SqliteStatus(sqlite3* db, int rc, std::string_view what) {
  const char* file = db != nullptr ? sqlite3_db_filename(db, "main") : nullptr;
  // The connection's message is more specific than the code's, but only while it describes RC.
  const char* detail =
      db != nullptr && sqlite3_extended_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return SqliteStatus(file != nullptr ? file : "", rc, what, detail);
}

Status SqliteStatus(std::string_view path, int rc, std::string_view what, std::string_view detail) {
  if ((rc & 0xff) == SQLITE_NOTADB) {
    // Whatever was attempted, the answer for the user is the same.
    return Status::Corruption("state store " + std::string(path) + " is not an SQLite database");
  }
  std::string message = "state store ";
  message += path;
  message += ": ";
  message += what;
  message += ": ";
  message += detail;
  return Status(CodeFor(rc), std::move(message));
}

}  // namespace rekey::sqlite
