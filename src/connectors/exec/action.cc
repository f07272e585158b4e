#include "connectors/exec/action.h"

#include "connectors/exec/command.h"

namespace rekey::exec {

Status RunConsumerAction(Env* env, std::string_view verb, const Action& action,
                         const SecretBytes& value, Deadline deadline) {
  if (verb != "attest" && verb != "reload" && verb != "confirm") {
    return Status::Internal("unknown consumer action " + std::string(verb));
  }
  if (!action.http.empty()) {
    return Status::Internal("http consumer actions are not implemented yet; use exec");
  }
  if (action.exec.empty()) {
    return Status::Internal("the consumer's " + std::string(verb) + " action has no command");
  }
  bool confirm = verb == "confirm";
  Result<int> code = RunCommand(env,
                                {.name = verb,
                                 .input = &value,
                                 .fd3 = nullptr,
                                 .exit_1_is_answer = confirm,
                                 .argv = &action.exec},
                                deadline);
  if (!code.ok()) {
    return code.status();
  }
  if (*code == 1) {
    return Status::Unavailable("consumer has not confirmed the new value yet");
  }
  return Status::Ok();
}

}  // namespace rekey::exec
