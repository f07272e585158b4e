// The `htpasswd` issuer: a user's bcrypt line in an htpasswd file that a web server checks HTTP
// basic auth against. See doc/connectors/htpasswd.md.
#pragma once

#include <memory>

#include "base/result.h"
#include "connectors/connector.h"

namespace rekey::htpasswd {

// An issuer for CONTEXT's binding (its `path`, `user` and `check_path`) on a web server system
// (its `url`, `ca_file`, `cost`, `reload`). invalid_argument, naming the binding, for settings
// that cannot work.
Result<std::unique_ptr<Issuer>> MakeHtpasswdIssuer(const ConnectorContext& context);

}  // namespace rekey::htpasswd
