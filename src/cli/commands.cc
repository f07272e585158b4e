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
      {"connectors", "List connector types, their options and capabilities", MakeConnectorsCommand},
  };
  return kTable;
}

int ReportError(const Context& context, const Status& status) {
  *context.err << "rekey: error: " << status.message() << "\n";
  return ExitCodeFor(status);
}

}  // namespace rekey
