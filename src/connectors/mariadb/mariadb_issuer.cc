#include "connectors/mariadb/mariadb_issuer.h"

namespace rekey::mariadb {

Result<std::unique_ptr<Issuer>> MakeMariadbIssuer(const ConnectorContext&) {
  return Status::Internal("the mariadb issuer is being written");
}

}  // namespace rekey::mariadb
