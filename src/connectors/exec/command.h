// One run of a command the operator supplied, for the exec issuer and exec consumer actions: the
// value on stdin, a second value on descriptor 3 (never in argv or the environment), bounded by a
// deadline, and its exit code mapped to a Status with its stderr redacted.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "connectors/connector.h"
#include "secret/secret_bytes.h"

namespace rekey::exec {

struct Command {
  std::string_view name;               // "install": named in messages as "exec install command"
  const SecretBytes* input = nullptr;  // written to stdin (empty stdin when null)
  const SecretBytes* fd3 = nullptr;    // readable on descriptor 3 when non-null
  bool exit_1_is_answer = false;       // exit 1 is an answer (rejected, not yet), not a failure
  const std::vector<std::string>* argv = nullptr;  // REQUIRES: non-null, not empty
};

// Runs COMMAND with ENV until DEADLINE. Returns the exit code when it is 0, or 1 with
// exit_1_is_answer. Otherwise: timeout when DEADLINE has passed before the start or the command
// was killed at DEADLINE (with its process group); unavailable for exit 75 (EX_TEMPFAIL) or a
// command that cannot be started; internal (permanent) for any other exit, as "exec NAME command
// exited N: first line of stderr". Stderr is redacted of INPUT and FD3 before it is quoted.
Result<int> RunCommand(Env* env, const Command& command, Deadline deadline);

}  // namespace rekey::exec
