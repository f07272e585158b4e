// Against the real server scripts/test-services starts (testing/services.h).
#include "connectors/mariadb/mariadb_issuer.h"

#include <gtest/gtest.h>

#include "testing/services.h"

namespace rekey::mariadb {
namespace {}  // namespace
}  // namespace rekey::mariadb
