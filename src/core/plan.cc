#include "core/plan.h"

#include <array>
#include <utility>

namespace rekey {
namespace {

constexpr std::array<std::pair<StepAction, std::string_view>, 14> kActionNames = {{
    {StepAction::kGenerate, "generate"},
    {StepAction::kDisable, "disable"},
    {StepAction::kRemoveOld, "remove_old"},
    {StepAction::kEndSessions, "end_sessions"},
    {StepAction::kVerifyOldRejected, "verify_old_rejected"},
    {StepAction::kInstall, "install"},
    {StepAction::kEnable, "enable"},
    {StepAction::kVerifyNewAccepted, "verify_new_accepted"},
    {StepAction::kWrite, "write"},
    {StepAction::kAttest, "attest"},
    {StepAction::kReload, "reload"},
    {StepAction::kConfirm, "confirm"},
    {StepAction::kDestroyOldVersion, "destroy_old_version"},
    {StepAction::kPromote, "promote"},
}};

}  // namespace

const Step* Plan::FindStep(int id) const {
  if (id >= 1 && static_cast<size_t>(id) <= steps.size() && steps[id - 1].id == id) {
    return &steps[id - 1];
  }
  for (const Step& s : steps) {
    if (s.id == id) {
      return &s;
    }
  }
  return nullptr;
}

std::string_view StrategyName(Strategy s) { return s == Strategy::kRotate ? "rotate" : "contain"; }

std::optional<Strategy> ParseStrategy(std::string_view name) {
  if (name == "rotate") {
    return Strategy::kRotate;
  }
  if (name == "contain") {
    return Strategy::kContain;
  }
  return std::nullopt;
}

std::string_view StepActionName(StepAction a) {
  for (const auto& [action, name] : kActionNames) {
    if (action == a) {
      return name;
    }
  }
  return "generate";
}

std::optional<StepAction> ParseStepAction(std::string_view name) {
  for (const auto& [action, n] : kActionNames) {
    if (n == name) {
      return action;
    }
  }
  return std::nullopt;
}

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kNone:
      return "none";
    case Role::kIssuer:
      return "issuer";
    case Role::kHolder:
      return "holder";
    case Role::kConsumer:
      return "consumer";
  }
  return "none";
}

}  // namespace rekey
