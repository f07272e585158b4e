// The `ldap` issuer: an LDAP entry's password (libldap). See doc/connectors/ldap.md for what each
// operation does on the directory, the admin rights it needs, and what it cannot do (end the
// sessions of one DN).
#pragma once

#include <memory>

#include "base/result.h"
#include "connectors/connector.h"

namespace rekey::ldap {

// An issuer for CONTEXT's binding (its `dn`). Admin connections come from a pool per system kept
// in context.resources, shared by every binding of that system in the process. invalid_argument
// for settings that cannot work (an unknown `lock`, `starttls` with an ldaps:// URL...).
Result<std::unique_ptr<Issuer>> MakeLdapIssuer(const ConnectorContext& context);

}  // namespace rekey::ldap
