// The `mariadb` issuer: a MariaDB/MySQL account (libmariadb). See doc/connectors/mariadb.md for
// what each operation does on the server and which admin privileges it needs.
#pragma once

#include <memory>

#include "base/result.h"
#include "connectors/connector.h"

namespace rekey::mariadb {

// An issuer for CONTEXT's binding. Admin connections come from a pool per system kept in
// context.resources, shared by every binding of that system in the process.
Result<std::unique_ptr<Issuer>> MakeMariadbIssuer(const ConnectorContext& context);

}  // namespace rekey::mariadb
