// Running one body per item (an identity's run, a run to resume) on a few threads at once, for
// `run --all --parallel N` and `resume --all --parallel N`: each item's output is buffered and
// printed whole when it ends, so the reports of concurrent runs never interleave. A batch of
// several ends with one line that counts how they ended and names those that did not succeed:
// the reports of a thousand runs scroll out of sight.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "cli/command.h"

namespace rekey {

// Calls BODY(context_for_item, i) for each of LABELS (what item i is called: an identity, a run
// id) on up to PARALLEL threads and returns the largest exit code any returned. With PARALLEL 1
// the items run in order with CONTEXT itself (live progress on a terminal); otherwise each gets
// a Context whose streams are buffers, with show_progress off. With more than one item and
// SUMMARY, the summary line follows on CONTEXT's out (BatchSummary).
int RunBatch(const Context& context, const std::vector<std::string>& labels, int parallel,
             bool summary, const std::function<int(const Context&, size_t)>& body);

// "12 runs: 10 succeeded, 1 failed or blocked (db-7), 1 refused: another run holds it (db-9)"
// for the exit codes CODES of the items LABELS; at most 10 labels are named per outcome.
std::string BatchSummary(const std::vector<std::string>& labels, const std::vector<int>& codes);

}  // namespace rekey
