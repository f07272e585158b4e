// The `exec` issuer: commands the operator supplies stand in for a system rekey has no connector
// for. Each command gets the value it acts on on stdin and, where there is one, the other value
// on descriptor 3; values never appear in argv or the environment.
#pragma once

#include <memory>

#include "base/result.h"
#include "connectors/connector.h"

namespace rekey::exec {

// An issuer for CONTEXT's binding. Binding options (argv lists): `install` (stdin: the new value;
// fd 3: the old one, when known) and `accepts` (stdin: the value asked about; exit 0 accepted, 1
// rejected) are required; `remove` (stdin: the old value; fd 3: the one that stays, when known),
// `end_sessions` (stdin: the old value), `disable` and `enable` (no value) are optional.
// invalid_argument, naming the binding, when a required command is missing or a command is empty.
//
// Every method runs its command until its deadline (then timeout, the process group killed); exit
// 75 is unavailable (retryable); any other failing exit is internal (permanent), with the
// command's first stderr line, redacted of the values it was given. A method whose command is not
// configured returns internal: the planner only schedules what the capabilities allow. Methods are
// thread-safe. REQUIRES: context.env and context.binding are non-null and outlive the issuer.
Result<std::unique_ptr<Issuer>> MakeExecIssuer(const ConnectorContext& context);

}  // namespace rekey::exec
