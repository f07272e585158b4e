#include "connectors/postgres/postgres_issuer.h"

namespace rekey::postgres {

Result<std::unique_ptr<Issuer>> MakePostgresIssuer(const ConnectorContext&) {
  return Status::Internal("the postgres issuer is being written");
}

}  // namespace rekey::postgres
