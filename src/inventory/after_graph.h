// Checks an identity's "after" edges between holders and consumers: every name must exist, and
// the edges must not form a cycle (the error prints it: a -> b -> c -> a).
#pragma once

#include "core/inventory.h"
#include "inventory/diagnostics.h"

namespace rekey {

void CheckAfter(const Identity& identity, Diagnostics* diagnostics);

}  // namespace rekey
