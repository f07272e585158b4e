// InitSecretLibrary: sodium_init() behind a once-only static.
#include "secret/sodium_init.h"

#include <sodium.h>

namespace rekey {

Status InitSecretLibrary() {
  // A function-local static is initialised exactly once even under concurrent first calls.
  static const bool ok = sodium_init() >= 0;
  if (!ok) {
    return Status::Internal("cannot initialise libsodium (sodium_init failed)");
  }
  return Status::Ok();
}

}  // namespace rekey
