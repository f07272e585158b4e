// The `ssh` issuer: an ed25519 public key in a user's authorized_keys, on this machine
// (`local: true`) or on a host reached over SSH as an admin (libssh). See doc/connectors/ssh.md
// for what each operation does and what it leaves alone.
#pragma once

#include <memory>

#include "base/result.h"
#include "connectors/connector.h"

namespace rekey::ssh {

// An issuer for CONTEXT's binding. A remote system's admin sessions come from a pool per system
// kept in context.resources, shared by every binding of that system in the process.
Result<std::unique_ptr<Issuer>> MakeSshIssuer(const ConnectorContext& context);

}  // namespace rekey::ssh
