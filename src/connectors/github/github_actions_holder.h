// The `github-actions` holder: a GitHub Actions secret of a repository, an environment or an
// organisation, through the REST API. Write-only: GitHub never returns a secret's value. See
// doc/connectors/github-actions.md.
#pragma once

#include <memory>

#include "base/result.h"
#include "connectors/connector.h"

namespace rekey::github {

// A holder for CONTEXT's binding: `repo` (owner/name) or `org`, optional `environment` (with
// `repo`), `secret`. System options: `api_url` (default https://api.github.com), `admin_secret`
// (a token, sent as a Bearer), `ca_file`.
//
// Write fetches the public key of the secrets' scope, seals the value to it (libsodium sealed
// box), PUTs it with the key's id (an organisation secret keeps its visibility; a new one is
// private), and then verifies what can be verified: the API's 201/204 and the secret's
// updated_at at or after the write (by the server's clock). Rewriting the same value writes it
// again. Read is invalid_argument (write-only; the executor does not ask it). Errors name the
// system, the secret's path and the HTTP status; a 403 or 429 that is a rate limit is retried
// after its delay. Thread-safe.
Result<std::unique_ptr<Holder>> MakeGithubActionsHolder(const ConnectorContext& context);

}  // namespace rekey::github
