// The plan model: the steps a reset performs, as a DAG. Built by src/plan, executed by src/run,
// persisted with each run. Plain data with no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rekey {

enum class Strategy { kRotate, kContain };

enum class StepAction {
  kGenerate,           // new value: generate, seal, journal as pending
  kDisable,            // issuer refuses the identity
  kRemoveOld,          // issuer stops accepting the old value
  kEndSessions,        // issuer ends sessions opened with the old value
  kVerifyOldRejected,  // issuer observed rejecting the old value
  kInstall,            // issuer accepts the new value
  kEnable,             // issuer accepts the identity again
  kVerifyNewAccepted,  // issuer observed accepting the new value
  kWrite,              // holder stores the new value, read back by fingerprint
  kAttest,             // consumer re-attests before it is given the value
  kReload,             // consumer picks the new value up
  kConfirm,            // consumer proves it uses the new value
  kDestroyOldVersion,  // versioned holder destroys the old version
  kPromote,            // pending becomes current, current becomes previous
};

enum class Role { kNone, kIssuer, kHolder, kConsumer };

struct Step {
  int id = 0;  // 1-based, in a topological order
  StepAction action = StepAction::kGenerate;
  Role role = Role::kNone;
  std::string binding;     // issuer/holder/consumer name; empty for generate and promote
  std::string system;      // system name; empty where none
  std::vector<int> after;  // ids of the steps that must finish first
  std::string note;        // why this step is shaped as it is, when not obvious
};

struct Plan {
  std::string identity;
  Strategy strategy = Strategy::kRotate;
  std::vector<Step> steps;
  // Plan-wide remarks: brief swaps instead of overlap, sessions that cannot be ended.
  std::vector<std::string> notes;

  // The step with ID, or null.
  const Step* FindStep(int id) const;
};

std::string_view StrategyName(Strategy s);
std::optional<Strategy> ParseStrategy(std::string_view name);
std::string_view StepActionName(StepAction a);
std::optional<StepAction> ParseStepAction(std::string_view name);
std::string_view RoleName(Role r);

}  // namespace rekey
