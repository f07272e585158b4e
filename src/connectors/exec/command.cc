// The exit-code contract is shared by every exec command, so it lives here once: 0 done, 1 an
// answer where the caller says so, 75 try again, anything else permanent.
#include "connectors/exec/command.h"

#include "secret/redact.h"

namespace rekey::exec {
namespace {

constexpr int kExitTempFail = 75;  // EX_TEMPFAIL from sysexits.h: "try again later"

constexpr size_t kMaxDetailSize = 200;  // bytes of a command's stderr kept in its error

// The first line of the redacted stderr, or "" when there is none.
std::string Detail(const std::string& stderr_data, const Command& command) {
  std::string text = Redact(stderr_data, {command.input, command.fd3}, kMaxDetailSize);
  text.resize(std::min(text.find('\n'), text.size()));
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

// OK for exit 0, and for exit 1 when that is an answer.
Status ExitStatus(const ProcessResult& result, const Command& command, const std::string& what) {
  int code = result.exit_code;
  if (!result.timed_out && (code == 0 || (code == 1 && command.exit_1_is_answer))) {
    return Status::Ok();
  }
  if (result.timed_out) {
    return Status::Timeout(what + " did not finish by its deadline and was killed");
  }
  std::string detail = Detail(result.stderr_data, command);
  std::string message =
      what + " exited " + std::to_string(result.exit_code) + (detail.empty() ? "" : ": " + detail);
  if (result.exit_code == kExitTempFail) {
    return Status::Unavailable(message);
  }
  return Status(StatusCode::kInternal, message);
}

}  // namespace

Result<int> RunCommand(Env* env, const Command& command, Deadline deadline) {
  std::string what = "exec " + std::string(command.name) + " command";
  Millis left = std::chrono::duration_cast<Millis>(deadline - env->MonotonicNow());
  if (left.count() <= 0) {
    return Status::Timeout("the deadline passed before the " + what + " could start");
  }
  ProcessSpec spec;
  spec.argv = *command.argv;
  spec.timeout = left;
  if (command.input != nullptr) {
    spec.stdin_data = command.input->Expose();
  }
  if (command.fd3 != nullptr) {
    spec.fd3_data = command.fd3->Expose();
  }
  Result<ProcessResult> result = env->Run(spec);
  if (!result.ok()) {
    return result.status().WithContext(what);
  }
  int code = result->exit_code;
  Status status = ExitStatus(*result, command, what);
  WipeString(result->stdout_data);
  WipeString(result->stderr_data);
  if (!status.ok()) {
    return status;
  }
  return code;
}

}  // namespace rekey::exec
