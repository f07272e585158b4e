// The `redis` issuer: a Redis ACL user (hiredis). See doc/connectors/redis.md for what each
// operation does on the server and which admin privileges it needs.
#pragma once

#include <memory>

#include "base/result.h"
#include "connectors/connector.h"

namespace rekey::redis {

// An issuer for CONTEXT's binding. Admin connections come from a pool per system kept in
// context.resources, shared by every binding of that system in the process.
Result<std::unique_ptr<Issuer>> MakeRedisIssuer(const ConnectorContext& context);

}  // namespace rekey::redis
