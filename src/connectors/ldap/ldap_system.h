// SystemAccess: what every `ldap` binding of one system shares in a process: where the directory
// is, how rekey binds to it as the admin, how it locks accounts and changes passwords, and the
// bounded pool of admin connections.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/result.h"
#include "connectors/connection_pool.h"
#include "connectors/connector.h"
#include "connectors/ldap/ldap_connection.h"

namespace rekey::ldap {

using Pool = ConnectionPool<LdapConnection>;

enum class Lock { kNone, kPpolicy, kAd };      // the system's `lock`
enum class Change { kAuto, kExop, kReplace };  // its `password_change`

constexpr int kInvalidCredentials = 49;

struct SystemAccess {
  std::string name;  // the system's, for messages
  LdapSettings settings;
  std::string bind_dn;
  SecretBytes admin_secret;
  Lock lock = Lock::kNone;
  Change change = Change::kAuto;
  std::unique_ptr<Pool> pool;  // of connections bound as bind_dn
  std::mutex mu;
  std::optional<bool> exop;  // guarded by mu: the root DSE lists Password Modify

  std::string Who() const { return "ldap system \"" + name + "\""; }

  // A new connection bound as the admin. A refused bind (49) is permission_denied.
  Result<std::unique_ptr<LdapConnection>> Connect(Deadline deadline) const;
};

// The settings of CONTEXT's system, checked (invalid_argument names the setting), with the admin
// secret read and an empty pool of max_parallel connections.
Result<std::shared_ptr<SystemAccess>> NewSystemAccess(const ConnectorContext& context);

}  // namespace rekey::ldap
