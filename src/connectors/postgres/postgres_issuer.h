// The `postgres` issuer: a PostgreSQL login role (libpq). See doc/connectors/postgres.md for what
// each operation does on the server and which admin privileges it needs.
#pragma once

#include <memory>

#include "base/result.h"
#include "connectors/connector.h"

namespace rekey::postgres {

// An issuer for CONTEXT's binding. Admin connections come from a pool per system kept in
// context.resources, shared by every binding of that system in the process.
Result<std::unique_ptr<Issuer>> MakePostgresIssuer(const ConnectorContext& context);

}  // namespace rekey::postgres
