// The planner: turns an identity and a strategy into the DAG of steps a reset performs, shaped by
// what each connector can do (overlap or brief swap, sessions, disable, versions) and by the
// consumers' and holders' "after". Pure: no I/O, the same input always gives the same plan.
#pragma once

#include "base/result.h"
#include "core/inventory.h"
#include "core/plan.h"

namespace rekey {

// REQUIRES: INVENTORY is validated and IDENTITY belongs to it. invalid_argument when the
// strategy needs an operation a binding cannot do (e.g. contain on an issuer that can neither
// disable nor remove a value).
Result<Plan> MakePlan(const Inventory& inventory, const Identity& identity, Strategy strategy);

// The capabilities of BINDING on its system, as the registry declares them.
struct Capabilities;
Capabilities BindingCapabilities(const Inventory& inventory, const Binding& binding);

}  // namespace rekey
