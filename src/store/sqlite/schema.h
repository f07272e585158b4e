// The state store's schema: created in a fresh file, checked in an existing one. The version
// rule: a file is only ever read and written by a rekey that knows its exact schema version.
#pragma once

#include "base/status.h"
#include "store/sqlite/database.h"

namespace rekey::sqlite {

// The version this rekey creates and understands, stored in meta.schema_version.
inline constexpr int kSchemaVersion = 2;

// Creates the tables in a database that has none; otherwise checks meta.schema_version and
// migrates a version-1 file to 2 (in place, in one transaction). corruption ("state store PATH
// has schema version 7; this rekey understands version 2: upgrade rekey") for a newer version,
// and for a file with tables but no valid version.
Status PrepareSchema(Database& db);

}  // namespace rekey::sqlite
