// Against the real server scripts/test-services starts (testing/services.h).
#include "connectors/postgres/postgres_issuer.h"

#include <gtest/gtest.h>

#include "testing/services.h"

namespace rekey::postgres {
namespace {}  // namespace
}  // namespace rekey::postgres
