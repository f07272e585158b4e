// Rollback of a rotate run that has not yet removed the old value: holders written with the new
// value get the old one back, issuers that took the new value drop it (overlap) or take the old
// one back (swap), and each is checked to accept the old value again. A contain run is never
// rolled back: its old value is exposed.
#pragma once

#include "run/executor.h"

namespace rekey {

// invalid_argument when the run is contain, finished, or past the removal of the old value.
// Returns the run as rolled back; the caller holds its lease.
Result<RunRecord> RollbackRun(const ExecutorDeps& deps, const Inventory& inventory,
                              const Plan& plan, RunRecord run);

}  // namespace rekey
