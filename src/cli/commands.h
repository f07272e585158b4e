// Factories of the subcommands, one per cmd_*.cc, gathered into the table in commands.cc.
#pragma once

#include <memory>

#include "cli/command.h"
#include "core/plan.h"
#include "plan/selection.h"

namespace rekey {

std::unique_ptr<Command> MakeInitCommand();
std::unique_ptr<Command> MakeValidateCommand();
std::unique_ptr<Command> MakePlanCommand();
std::unique_ptr<Command> MakeConnectorsCommand();
std::unique_ptr<Command> MakeAdoptCommand();
std::unique_ptr<Command> MakeRunCommand();
std::unique_ptr<Command> MakeResumeCommand();
std::unique_ptr<Command> MakeStatusCommand();
std::unique_ptr<Command> MakeRunsCommand();
std::unique_ptr<Command> MakeRollbackCommand();
std::unique_ptr<Command> MakeAuditCommand();

// Shared by plan and run: the inventory, identity selection and strategy flags.
void AddSelectionFlags(CLI::App* app, std::string* inventory, Selection* selection,
                       std::string* strategy);
// The plans of the selected identities, or the first error.
struct Inventory;
Result<std::vector<Plan>> PlanSelection(const Inventory& inventory, const Selection& selection,
                                        Strategy strategy);

}  // namespace rekey
