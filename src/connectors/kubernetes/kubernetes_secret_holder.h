// The `kubernetes-secret` holder: one key of a Kubernetes Secret, through the API server's REST
// API. See doc/connectors/kubernetes-secret.md.
#pragma once

#include <memory>

#include "base/result.h"
#include "connectors/connector.h"

namespace rekey::kubernetes {

// A holder for CONTEXT's binding (`namespace`, `secret`, `key`). System options: `api_server`,
// `admin_secret` (a bearer token), `ca_file` (the cluster's CA).
//
// Write reads the Secret; when the key already holds the value, nothing more (idempotent); else
// a JSON merge patch sets data[key] and names the resourceVersion just read, so the API server
// refuses it (409) when anyone changed the Secret in between: a conflict (permanent), their
// change kept. Other keys are untouched. A missing Secret is not_found (rekey does not create
// Secrets). Read: not_found when the Secret or the key is absent. Errors name the system, the
// Secret and the HTTP status. Thread-safe.
Result<std::unique_ptr<Holder>> MakeKubernetesSecretHolder(const ConnectorContext& context);

}  // namespace rekey::kubernetes
