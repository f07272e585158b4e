#include "plan/plan_json.h"

#include "plan/describe.h"
#include "plan/groups.h"

namespace rekey {

using nlohmann::json;

json PlanToJson(const Plan& plan) {
  std::vector<int> groups = StepGroups(plan);
  json steps = json::array();
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const Step& s = plan.steps[i];
    steps.push_back({{"id", s.id},
                     {"action", StepActionName(s.action)},
                     {"role", RoleName(s.role)},
                     {"binding", s.binding},
                     {"system", s.system},
                     {"after", s.after},
                     {"group", groups[i]},
                     {"summary", StepSummary(s)},
                     {"verification", StepVerification(s)},
                     {"note", s.note}});
  }
  return {{"identity", plan.identity},
          {"strategy", StrategyName(plan.strategy)},
          {"steps", steps},
          {"notes", plan.notes}};
}

Result<Plan> PlanFromJson(const json& j) {
  Plan plan;
  try {
    plan.identity = j.at("identity").get<std::string>();
    auto strategy = ParseStrategy(j.at("strategy").get<std::string>());
    if (!strategy) {
      return Status::Corruption("stored plan has an unknown strategy");
    }
    plan.strategy = *strategy;
    for (const json& s : j.at("steps")) {
      Step step;
      step.id = s.at("id").get<int>();
      auto action = ParseStepAction(s.at("action").get<std::string>());
      if (!action) {
        return Status::Corruption("stored plan has an unknown action");
      }
      step.action = *action;
      std::string role = s.at("role").get<std::string>();
      for (Role r : {Role::kNone, Role::kIssuer, Role::kHolder, Role::kConsumer}) {
        if (RoleName(r) == role) {
          step.role = r;
        }
      }
      step.binding = s.at("binding").get<std::string>();
      step.system = s.at("system").get<std::string>();
      step.after = s.at("after").get<std::vector<int>>();
      step.note = s.at("note").get<std::string>();
      plan.steps.push_back(std::move(step));
    }
    plan.notes = j.at("notes").get<std::vector<std::string>>();
  } catch (const json::exception& e) {
    return Status::Corruption(std::string("stored plan is malformed: ") + e.what());
  }
  return plan;
}

}  // namespace rekey
