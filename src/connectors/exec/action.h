// Consumer actions: telling a program that uses the credential to re-attest, to reload it, or to
// confirm that it uses the new value. An action is a command (exec) or, later, an HTTP call.
#pragma once

#include <string_view>

#include "base/env.h"
#include "connectors/connector.h"
#include "core/inventory.h"
#include "secret/secret_bytes.h"

namespace rekey::exec {

// Runs ACTION for VERB ("attest", "reload" or "confirm") with ENV until DEADLINE. An exec action
// gets VALUE (the new value) on stdin, never in argv or the environment; exit 0 is OK. For
// "confirm", exit 1 means "not yet" and is unavailable, so the executor polls again. Exit 75 is
// unavailable; killed at DEADLINE is timeout; any other exit is internal (permanent), with the
// first stderr line redacted of VALUE. An http action is internal: not implemented yet. An
// unknown VERB or an action with no command is internal. Thread-safe.
Status RunConsumerAction(Env* env, std::string_view verb, const Action& action,
                         const SecretBytes& value, Deadline deadline);

}  // namespace rekey::exec
