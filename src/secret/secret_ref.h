// ResolveSecretRef: reads the value an inventory's SecretRef points at (an admin password, an API
// token), from an environment variable or a file, at run time.
#pragma once

#include "base/env.h"
#include "base/result.h"
#include "core/options.h"
#include "secret/secret_bytes.h"

namespace rekey {

// The value of REF through ENV. For env:NAME, the variable's value. For file:PATH, the file's
// contents without one trailing "\n". not_found when the variable is unset or the file missing;
// permission_denied when the file cannot be read or grants any access to others (mode & 007);
// invalid_argument when the value is empty. Error messages name REF (REF.Describe()) and never
// contain the value. Thread-safe when ENV is.
Result<SecretBytes> ResolveSecretRef(Env* env, const SecretRef& ref);

}  // namespace rekey
