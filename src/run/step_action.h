// One attempt of one step: the action against the real system, and the check that proves it took
// effect. Knows connectors and the store's credential slots; knows nothing of scheduling,
// retries or the journal's step records (the executor's job).
#pragma once

#include <string>

#include "connectors/connector.h"
#include "core/inventory.h"
#include "core/plan.h"
#include "run/connector_set.h"
#include "run/journal.h"
#include "secret/fingerprint.h"
#include "secret/sealer.h"

namespace rekey {

// The run's two values. NEW is set by the generate step (or loaded from the pending slot on
// resume) before any step that uses it starts: the plan makes every step wait for generate.
struct RunValues {
  SecretBytes old_value;
  SecretBytes new_value;
};

struct StepEnv {
  Env* env = nullptr;
  Journal* journal = nullptr;
  ConnectorSet* connectors = nullptr;
  const Identity* identity = nullptr;
  const RunRecord* run = nullptr;
  const Sealer* sealer = nullptr;
  const Fingerprinter* fingerprinter = nullptr;
  RunValues* values = nullptr;
};

// The sealing context of an identity's values: a blob sealed for one identity does not open as
// another's.
std::string SealingContext(const std::string& identity);

// Performs STEP once within DEADLINE and returns its evidence ("old value rejected by cache").
// CHECK_FIRST: the step may already have taken effect (it was in flight at a crash, or its last
// attempt's outcome is unknown), so the real system is asked before the action is repeated.
// A verification that sees the wrong answer is unavailable (retryable): systems may take a
// moment to converge.
Result<std::string> PerformStep(const Step& step, const StepEnv& env, bool check_first,
                                Deadline deadline);

}  // namespace rekey
