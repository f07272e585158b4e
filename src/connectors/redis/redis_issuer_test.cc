// Against the real server scripts/test-services starts (testing/services.h).
#include "connectors/redis/redis_issuer.h"

#include <gtest/gtest.h>

#include "testing/services.h"

namespace rekey::redis {
namespace {}  // namespace
}  // namespace rekey::redis
