// rekey plan --inventory FILE (IDENTITY | --all | --selector K=V) [--strategy S] [--output F]:
// shows the steps a reset would perform, touching nothing.
#include <nlohmann/json.hpp>
#include <ostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit_codes.h"
#include "plan/plan_json.h"
#include "plan/planner.h"
#include "plan/render_text.h"
#include "plan/selection.h"

namespace rekey {

void AddSelectionFlags(CLI::App* app, std::string* inventory, Selection* selection,
                       std::string* strategy) {
  app->add_option("--inventory,-i", *inventory, "Inventory file (YAML)")->required();
  app->add_option("identity", selection->identity, "The identity to act on");
  app->add_flag("--all", selection->all, "Every identity of the inventory");
  app->add_option("--selector,-l", selection->selectors,
                  "Identities whose labels match KEY=VALUE (repeatable: all must match)");
  app->add_option("--strategy", *strategy,
                  "rotate (routine, overlap where possible) or contain (compromised: cut the old "
                  "value first)")
      ->check(CLI::IsMember({"rotate", "contain"}))
      ->default_val("rotate");
}

Result<std::vector<Plan>> PlanSelection(const Inventory& inv, const Selection& selection,
                                        Strategy strategy) {
  auto identities = SelectIdentities(inv, selection);
  if (!identities.ok()) {
    return identities.status();
  }
  std::vector<Plan> plans;
  plans.reserve(identities->size());
  for (const Identity* id : *identities) {
    Result<Plan> plan = MakePlan(inv, *id, strategy);
    if (!plan.ok()) {
      return plan.status().WithContext("identity \"" + id->name + "\"");
    }
    plans.push_back(std::move(*plan));
  }
  return plans;
}

namespace {

class PlanCommand final : public Command {
 public:
  void Setup(CLI::App* app) override {
    AddSelectionFlags(app, &inventory_, &selection_, &strategy_);
    AddOutputFlag(app, &output_);
  }

  int Run(const Context& context) override {
    Result<Inventory> inv = LoadInventoryForCommand(context, inventory_);
    if (!inv.ok()) {
      return kExitUsage;
    }
    Strategy strategy = *ParseStrategy(strategy_);
    Result<std::vector<Plan>> plans = PlanSelection(*inv, selection_, strategy);
    if (!plans.ok()) {
      return ReportError(context, plans.status());
    }
    if (output_ == "json") {
      nlohmann::json out = {{"strategy", strategy_}, {"plans", nlohmann::json::array()}};
      for (const Plan& p : *plans) {
        out["plans"].push_back(PlanToJson(p));
      }
      *context.out << out.dump(2) << "\n";
      return kExitOk;
    }
    std::string text;
    for (const Plan& p : *plans) {
      text += (text.empty() ? "" : "\n") + RenderPlanText(p, *inv);
    }
    *context.out << text << "\nNothing has been changed. `rekey run` with the same arguments "
                 << "and --reason performs this plan.\n";
    return kExitOk;
  }

 private:
  std::string inventory_;
  Selection selection_;
  std::string strategy_ = "rotate";
  std::string output_ = "text";
};

}  // namespace

std::unique_ptr<Command> MakePlanCommand() { return std::make_unique<PlanCommand>(); }

}  // namespace rekey
