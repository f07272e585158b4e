// The roles a connector plays, as small interfaces: an Issuer accepts the credential, a Holder
// stores a copy. Connectors know nothing of plans, journals or audit: the executor journals
// around them. Every operation is idempotent and bounded by a deadline; secrets cross the
// interface only as const SecretBytes&.
//
// Failures: unavailable / timeout are retryable; unknown_outcome means the action may have
// happened (the executor asks the system before repeating); anything else is permanent.
#pragma once

#include <chrono>
#include <memory>

#include "base/env.h"
#include "base/result.h"
#include "connectors/system_resources.h"
#include "core/inventory.h"
#include "secret/secret_bytes.h"

namespace rekey {

using Deadline = std::chrono::steady_clock::time_point;

// What a connector can do, for the planner. Derived from the type and, for some types, from the
// options given (an exec issuer can disable only if it has a `disable` command).
struct Capabilities {
  enum class Sessions {
    kNone,       // nothing outlives a request (HTTP basic auth): there is nothing to end
    kEndable,    // sessions opened with a value can be ended
    kUnendable,  // sessions survive and cannot be ended one identity at a time (slapd)
  };
  bool two_values = false;  // accepts the old and the new value at once (overlap)
  Sessions sessions = Sessions::kNone;
  bool can_disable = false;  // can refuse the identity entirely while keeping its values
  bool versioned = false;    // holder keeps old versions, which must be destroyed
  bool write_only = false;   // holder cannot be read back (GitHub Actions secrets)
};

class Issuer {
 public:
  virtual ~Issuer() = default;
  // Makes VALUE accepted: added beside the current value where two are supported, replacing it
  // otherwise. OLD, when known, is the value being replaced (some systems need it to change it).
  virtual Status Install(const SecretBytes& value, const SecretBytes* old, Deadline deadline) = 0;
  // Makes VALUE no longer accepted; OK if it already is not. NEXT, when known, is the value that
  // stays (or will be installed).
  virtual Status Remove(const SecretBytes& value, const SecretBytes* next, Deadline deadline) = 0;
  // Whether VALUE is accepted now. Rejection is an answer (false), not an error.
  virtual Result<bool> Accepts(const SecretBytes& value, Deadline deadline) = 0;
  // Ends the sessions opened with VALUE (or all sessions of the identity, where the system cannot
  // tell them apart).
  virtual Status EndSessions(const SecretBytes& value, Deadline deadline) = 0;
  // Refuses the identity whatever value it presents / accepts it again.
  virtual Status Disable(Deadline deadline) = 0;
  virtual Status Enable(Deadline deadline) = 0;
  // Makes the changes the system has taken survive its restart, where it keeps them in memory
  // until told (Redis with an ACL file). Called when a step finds its change already made (after
  // a crash or an unknown outcome): the call that made it may have died before persisting it.
  virtual Status Persist(Deadline) { return Status::Ok(); }
};

class Holder {
 public:
  virtual ~Holder() = default;
  // Stores VALUE in place of what the holder held.
  virtual Status Write(const SecretBytes& value, Deadline deadline) = 0;
  // The value held now; not_found when the holder holds none (e.g. the file or key is missing).
  virtual Result<SecretBytes> Read(Deadline deadline) = 0;
  // Versioned holders: destroys every stored version equal to VALUE. Others: OK, nothing to do.
  virtual Status DestroyVersion(const SecretBytes& value, Deadline deadline) = 0;
};

// What a factory gets to build a connector for one binding. Pointers stay valid for the
// connector's lifetime.
struct ConnectorContext {
  Env* env = nullptr;
  const System* system = nullptr;
  const Identity* identity = nullptr;
  const Binding* binding = nullptr;
  SystemResources* resources = nullptr;  // shared with every connector of the process
};

}  // namespace rekey
