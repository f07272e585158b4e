// The `vault-kv2` holder: one field of a HashiCorp Vault (or OpenBao) KV version 2 secret. See
// doc/connectors/vault-kv2.md.
#pragma once

#include <memory>

#include "base/result.h"
#include "connectors/connector.h"

namespace rekey::vault {

// A holder for CONTEXT's binding (options `path`, `field`). System options: `address`,
// `mount` (default secret), `admin_secret` (a token, sent as X-Vault-Token), `namespace`
// (X-Vault-Namespace), `ca_file`.
//
// Write reads the secret's current version and writes a new one with `cas` set to it, keeping
// every other field: a writer in between makes Vault refuse it, which is a conflict
// (permanent; the other writer's version stays). A secret that already holds the value is left
// alone (idempotent). Read: not_found when the secret or the field is absent. DestroyVersion
// destroys every version whose field equals the value (read one by one from the metadata's
// list); versions already destroyed or soft-deleted are skipped (a deleted version cannot be
// read). Errors name the system, the path and the HTTP status, never a value. Thread-safe.
Result<std::unique_ptr<Holder>> MakeVaultKv2Holder(const ConnectorContext& context);

}  // namespace rekey::vault
