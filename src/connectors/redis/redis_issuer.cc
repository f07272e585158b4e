#include "connectors/redis/redis_issuer.h"

namespace rekey::redis {

Result<std::unique_ptr<Issuer>> MakeRedisIssuer(const ConnectorContext&) {
  return Status::Internal("the redis issuer is being written");
}

}  // namespace rekey::redis
