#include "cli/commands.h"

#include <ostream>

#include "cli/exit_codes.h"

namespace rekey {

const std::vector<CommandEntry>& CommandTable() {
  static const std::vector<CommandEntry> kTable = {
      {"init", "Create the state directory and its master key", MakeInitCommand},
      {"validate", "Check an inventory; report every problem with its position",
       MakeValidateCommand},
      {"plan", "Show the steps a reset would perform, touching nothing", MakePlanCommand},
      {"adopt", "Take in an identity's current value (stdin or a holder), sealed",
       MakeAdoptCommand},
      {"run", "Plan and execute resets durably; exit 0 only when every check passed",
       MakeRunCommand},
      {"resume", "Continue runs that crashed or blocked, from their stored plan",
       MakeResumeCommand},
      {"status", "A run's steps, states, attempts, errors and timings", MakeStatusCommand},
      {"runs", "Every run, newest first", MakeRunsCommand},
      {"rollback", "Restore the old value of a rotate run that has not removed it",
       MakeRollbackCommand},
      {"audit", "The tamper-evident audit log (audit verify)", MakeAuditCommand},
      {"connectors", "List connector types, their options and capabilities", MakeConnectorsCommand},
  };
  return kTable;
}

int ReportError(const Context& context, const Status& status) {
  *context.err << "rekey: error: " << status.message() << "\n";
  return ExitCodeFor(status);
}

}  // namespace rekey
