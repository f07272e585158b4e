// The `etcd` holder: a key in etcd v3, over its JSON gRPC gateway (/v3/kv/range, /v3/kv/txn,
// /v3/auth/authenticate). See doc/connectors/etcd.md.
#pragma once

#include <memory>

#include "base/result.h"
#include "connectors/connector.h"

namespace rekey::etcd {

// A holder for CONTEXT's binding (option `key`). System options: `endpoints` (one http(s) URL),
// `user` and `admin_secret` (its password) when the cluster has auth enabled, `ca_file`.
//
// Write reads the key, does nothing when it already holds the value (idempotent), else puts it
// in a transaction that compares the key's mod_revision with the one just read: a writer that
// changed the key in between makes it conflict (permanent), and its value is kept. Read:
// not_found when the key is absent. DestroyVersion: nothing (etcd's history is compacted, not
// destroyed per key). An auth token etcd no longer knows (a password change drops them) is
// replaced by a new login once per request. Errors name the system, the key and the HTTP
// status; never a value. Thread-safe.
Result<std::unique_ptr<Holder>> MakeEtcdHolder(const ConnectorContext& context);

}  // namespace rekey::etcd
