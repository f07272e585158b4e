#include "plan/describe.h"

namespace rekey {

std::string StepSummary(const Step& s) {
  const std::string& b = s.binding;
  switch (s.action) {
    case StepAction::kGenerate:
      return "generate the new value; seal it and journal it as pending";
    case StepAction::kDisable:
      return "disable the identity at " + b;
    case StepAction::kRemoveOld:
      return "remove the old value from " + b;
    case StepAction::kEndSessions:
      return "end sessions opened with the old value at " + b;
    case StepAction::kVerifyOldRejected:
      return "check that " + b + " rejects the old value";
    case StepAction::kInstall:
      return "install the new value at " + b;
    case StepAction::kEnable:
      return "re-enable the identity at " + b;
    case StepAction::kVerifyNewAccepted:
      return "check that " + b + " accepts the new value";
    case StepAction::kWrite:
      return "write the new value to " + b;
    case StepAction::kAttest:
      return "have " + b + " re-attest";
    case StepAction::kReload:
      return "reload " + b;
    case StepAction::kConfirm:
      return "have " + b + " confirm it uses the new value";
    case StepAction::kDestroyOldVersion:
      return "destroy the old value's version in " + b;
    case StepAction::kPromote:
      return "promote: pending becomes current, current becomes previous";
  }
  return "";
}

std::string StepVerification(const Step& s) {
  switch (s.action) {
    case StepAction::kVerifyOldRejected:
      return "old value rejected by " + s.binding;
    case StepAction::kVerifyNewAccepted:
      return "new value accepted by " + s.binding;
    case StepAction::kWrite:
      return "read back: " + s.binding + " holds the new value's fingerprint";
    case StepAction::kConfirm:
      return s.binding + " reports the new value";
    case StepAction::kEndSessions:
      return "no session of the old value left";
    case StepAction::kGenerate:
      return "pending value durable before any system sees it";
    default:
      return "";
  }
}

}  // namespace rekey
