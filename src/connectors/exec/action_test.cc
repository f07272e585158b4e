#include "connectors/exec/action.h"

#include <gtest/gtest.h>

#include "connectors/exec/test_scripts.h"

namespace rekey::exec {
namespace {

class ActionTest : public ::testing::Test {
 protected:
  Action Exec(const std::string& body) {
    Action action;
    action.exec = {dir_.Script("action" + std::to_string(++scripts_), body), "--flag"};
    return action;
  }
  Status Run(std::string_view verb, const Action& action) {
    return RunConsumerAction(DefaultEnv(), verb, action, value_, Soon());
  }

  ScriptDir dir_;
  int scripts_ = 0;
  SecretBytes value_{"fresh-Value-9"};
};

TEST_F(ActionTest, RunsTheCommandWithTheNewValueOnStdinOnly) {
  Action reload = Exec(R"(cat > "$DIR/stdin"; printf '%s\n' "$@" > "$DIR/argv"; env > "$DIR/env")");
  EXPECT_TRUE(Run("reload", reload).ok());
  EXPECT_EQ(dir_.Read("stdin"), "fresh-Value-9");
  EXPECT_EQ(dir_.Read("argv"), "--flag\n");
  EXPECT_EQ(dir_.Read("env").find("fresh-Value-9"), std::string::npos);
}

TEST_F(ActionTest, ConfirmExitingOneMeansNotYet) {
  Status s = Run("confirm", Exec("exit 1"));
  EXPECT_TRUE(s.retryable());
  EXPECT_EQ(s.ToString(), "unavailable: consumer has not confirmed the new value yet");
  EXPECT_TRUE(Run("confirm", Exec(R"(v=$(cat); [ "$v" = fresh-Value-9 ])")).ok());
}

TEST_F(ActionTest, ExitOneIsPermanentForOtherVerbs) {
  EXPECT_EQ(Run("reload", Exec("echo \"reload failed\" >&2; exit 1")).ToString(),
            "internal: exec reload command exited 1: reload failed");
  EXPECT_EQ(Run("attest", Exec("cat >&2; exit 4")).ToString(),
            "internal: exec attest command exited 4: [REDACTED]");
}

TEST_F(ActionTest, TempFailAndTimeoutAreRetryable) {
  EXPECT_EQ(Run("reload", Exec("exit 75")).ToString(),
            "unavailable: exec reload command exited 75");
  Status s = RunConsumerAction(DefaultEnv(), "confirm", Exec("sleep 30"), value_,
                               In(std::chrono::milliseconds(300)));
  EXPECT_EQ(s.ToString(),
            "timeout: exec confirm command did not finish by its deadline and was killed");
}

TEST_F(ActionTest, HttpActionsAreNotImplementedYet) {
  Action http;
  http.http = "http://127.0.0.1:8080/health/credential";
  EXPECT_EQ(Run("confirm", http).ToString(),
            "internal: http consumer actions are not implemented yet; use exec");
}

TEST_F(ActionTest, RejectsAnUnknownVerbAndAnEmptyAction) {
  EXPECT_EQ(Run("restart", Exec("true")).ToString(), "internal: unknown consumer action restart");
  EXPECT_EQ(Run("reload", Action{}).ToString(),
            "internal: the consumer's reload action has no command");
}

}  // namespace
}  // namespace rekey::exec
