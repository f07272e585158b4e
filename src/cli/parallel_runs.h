// Running one body per item (an identity's run, a run to resume) on a few threads at once, for
// `run --all --parallel N` and `resume --all --parallel N`: each item's output is buffered and
// printed whole when it ends, so the reports of concurrent runs never interleave.
#pragma once

#include <functional>

#include "cli/command.h"

namespace rekey {

// Calls BODY(context_for_item, i) for i in [0, COUNT) on up to PARALLEL threads and returns the
// largest exit code any returned. With PARALLEL 1 the items run in order with CONTEXT itself
// (live progress on a terminal); otherwise each gets a Context whose streams are buffers, with
// show_progress off.
int RunInParallel(const Context& context, size_t count, int parallel,
                  const std::function<int(const Context&, size_t)>& body);

}  // namespace rekey
