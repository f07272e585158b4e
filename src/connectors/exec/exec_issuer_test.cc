#include "connectors/exec/exec_issuer.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <thread>

#include "base/mem_env.h"
#include "connectors/exec/test_scripts.h"

namespace rekey::exec {
namespace {

using std::chrono::milliseconds;

class ExecIssuerTest : public ::testing::Test {
 protected:
  ExecIssuerTest() {
    binding_.name = "directory";
    // Records what each command received: stdin, fd 3 (or "closed"), argv and environment.
    dir_.Script("record", R"(name=$1
cat > "$DIR/$name.stdin"
if [ -e /proc/self/fd/3 ]; then cat <&3 > "$DIR/$name.fd3"; else echo closed > "$DIR/$name.fd3"; fi
printf '%s\n' "$0" "$@" > "$DIR/$name.argv"
env > "$DIR/$name.env")");
    dir_.Script("accepts", R"(v=$(cat); [ "$v" = "good-value" ])");
    for (const char* name : {"install", "remove", "end_sessions", "disable", "enable"}) {
      Set(name, {dir_.Path("record"), name});
    }
    Set("accepts", {dir_.Path("accepts")});
  }

  void Set(const std::string& name, std::vector<std::string> argv) {
    binding_.options.Set(name, std::move(argv));
  }

  std::unique_ptr<Issuer> Make() {
    auto issuer = MakeExecIssuer(
        {.env = DefaultEnv(), .system = &system_, .identity = nullptr, .binding = &binding_});
    EXPECT_TRUE(issuer.ok()) << issuer.status().ToString();
    return issuer.ok() ? std::move(*issuer) : nullptr;
  }

  ScriptDir dir_;
  System system_;
  Binding binding_;
  SecretBytes new_value_{"N3w-value-42"};
  SecretBytes old_value_{"0ld-value-17"};
};

TEST_F(ExecIssuerTest, InstallGetsTheNewValueOnStdinAndTheOldOnFd3) {
  ASSERT_TRUE(Make()->Install(new_value_, &old_value_, Soon()).ok());
  EXPECT_EQ(dir_.Read("install.stdin"), "N3w-value-42");
  EXPECT_EQ(dir_.Read("install.fd3"), "0ld-value-17");
  EXPECT_EQ(dir_.Read("install.argv"), dir_.Path("record") + "\ninstall\n");
  EXPECT_EQ(dir_.Read("install.env").find("N3w-value-42"), std::string::npos);
  EXPECT_EQ(dir_.Read("install.env").find("0ld-value-17"), std::string::npos);
}

TEST_F(ExecIssuerTest, InstallWithoutAnOldValueLeavesFd3Closed) {
  ASSERT_TRUE(Make()->Install(new_value_, nullptr, Soon()).ok());
  EXPECT_EQ(dir_.Read("install.stdin"), "N3w-value-42");
  EXPECT_EQ(dir_.Read("install.fd3"), "closed\n");
}

TEST_F(ExecIssuerTest, RemoveGetsTheOldValueOnStdinAndTheNextOnFd3) {
  ASSERT_TRUE(Make()->Remove(old_value_, &new_value_, Soon()).ok());
  EXPECT_EQ(dir_.Read("remove.stdin"), "0ld-value-17");
  EXPECT_EQ(dir_.Read("remove.fd3"), "N3w-value-42");
  EXPECT_EQ(dir_.Read("remove.argv"), dir_.Path("record") + "\nremove\n");
}

TEST_F(ExecIssuerTest, EndSessionsGetsTheOldValueAndDisableEnableGetNone) {
  auto issuer = Make();
  ASSERT_TRUE(issuer->EndSessions(old_value_, Soon()).ok());
  ASSERT_TRUE(issuer->Disable(Soon()).ok());
  ASSERT_TRUE(issuer->Enable(Soon()).ok());
  EXPECT_EQ(dir_.Read("end_sessions.stdin"), "0ld-value-17");
  EXPECT_EQ(dir_.Read("end_sessions.fd3"), "closed\n");
  EXPECT_EQ(dir_.Read("disable.stdin"), "");
  EXPECT_EQ(dir_.Read("enable.stdin"), "");
}

TEST_F(ExecIssuerTest, AcceptsMapsExitZeroToTrueAndOneToFalse) {
  auto issuer = Make();
  Result<bool> good = issuer->Accepts(SecretBytes("good-value"), Soon());
  Result<bool> bad = issuer->Accepts(SecretBytes("bad-value"), Soon());
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  ASSERT_TRUE(bad.ok()) << bad.status().ToString();
  EXPECT_TRUE(*good);
  EXPECT_FALSE(*bad);
}

TEST_F(ExecIssuerTest, ExitSeventyFiveIsRetryable) {
  Set("accepts", {dir_.Script("busy", "echo 'directory busy' >&2; exit 75")});
  Result<bool> r = Make()->Accepts(new_value_, Soon());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().retryable());
  EXPECT_EQ(r.status().ToString(), "unavailable: exec accepts command exited 75: directory busy");
}

TEST_F(ExecIssuerTest, OtherExitsArePermanentWithRedactedStderr) {
  Set("install", {dir_.Script("echo", R"sh(v=$(cat); old=$(cat <&3)
echo "cannot set $v (was $old; b64 $(printf %s "$v" | base64))" >&2; echo second line >&2; exit 3)sh")});
  Status s = Make()->Install(new_value_, &old_value_, Soon());
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_FALSE(s.retryable());
  EXPECT_EQ(s.message(),
            "exec install command exited 3: cannot set [REDACTED] (was [REDACTED]; b64 "
            "[REDACTED])");
}

TEST_F(ExecIssuerTest, AcceptsExitingTwoIsPermanent) {
  Set("accepts", {dir_.Script("two", "exit 2")});
  Result<bool> r = Make()->Accepts(new_value_, Soon());
  EXPECT_EQ(r.status().ToString(), "internal: exec accepts command exited 2");
}

bool Gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field, comm, state;
  // A zombie ('Z') has died but not been reaped by init yet.
  return !(stat >> pid_field >> comm >> state) || state == "Z";
}

TEST_F(ExecIssuerTest, TimeoutKillsTheProcessGroup) {
  Set("install", {dir_.Script("hang", R"(sleep 30 & echo $! > "$DIR/bg.pid"; sleep 30)")});
  auto start = std::chrono::steady_clock::now();
  Status s = Make()->Install(new_value_, nullptr, In(milliseconds(500)));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(s.ToString(),
            "timeout: exec install command did not finish by its deadline and was killed");
  EXPECT_TRUE(s.retryable());
  pid_t background = std::stoi(dir_.Read("bg.pid"));
  for (int i = 0; i < 100 && !Gone(background); ++i) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_TRUE(Gone(background));
}

TEST_F(ExecIssuerTest, TheDeadlineBecomesTheProcessTimeoutOnTheEnvsClock) {
  MemEnv env;
  env.Advance(milliseconds(5000));
  ProcessSpec seen;
  env.SetProcessHandler([&seen](const ProcessSpec& spec) -> Result<ProcessResult> {
    seen = spec;
    return ProcessResult{.exit_code = 0, .timed_out = false, .stdout_data = "", .stderr_data = ""};
  });
  auto issuer =
      MakeExecIssuer({.env = &env, .system = &system_, .identity = nullptr, .binding = &binding_});
  ASSERT_TRUE(issuer.ok());
  ASSERT_TRUE(
      (*issuer)->Install(new_value_, &old_value_, env.MonotonicNow() + milliseconds(1500)).ok());
  EXPECT_EQ(seen.timeout, milliseconds(1500));
  EXPECT_EQ(seen.argv, (std::vector<std::string>{dir_.Path("record"), "install"}));
  EXPECT_EQ(seen.stdin_data, "N3w-value-42");
  EXPECT_EQ(seen.fd3_data, std::optional<std::string_view>("0ld-value-17"));
}

TEST_F(ExecIssuerTest, APassedDeadlineTimesOutWithoutRunning) {
  Status s = Make()->Install(new_value_, nullptr, In(milliseconds(-1)));
  EXPECT_EQ(s.ToString(),
            "timeout: the deadline passed before the exec install command could start");
  EXPECT_EQ(dir_.Read("install.stdin"), "<absent>");
}

TEST_F(ExecIssuerTest, AMissingOptionalCommandIsInternal) {
  binding_.options = {};
  Set("install", {"true"});
  Set("accepts", {"true"});
  auto issuer = Make();
  EXPECT_EQ(issuer->Remove(old_value_, nullptr, Soon()).ToString(),
            "internal: exec issuer has no `remove` command");
  EXPECT_EQ(issuer->EndSessions(old_value_, Soon()).ToString(),
            "internal: exec issuer has no `end_sessions` command");
  EXPECT_EQ(issuer->Disable(Soon()).ToString(), "internal: exec issuer has no `disable` command");
  EXPECT_EQ(issuer->Enable(Soon()).ToString(), "internal: exec issuer has no `enable` command");
}

TEST_F(ExecIssuerTest, ACommandThatCannotStartIsReported) {
  Set("install", {"/nonexistent/rekey-install"});
  EXPECT_EQ(Make()->Install(new_value_, nullptr, Soon()).ToString(),
            "unavailable: exec install command: cannot run /nonexistent/rekey-install: No such "
            "file or directory");
}

TEST_F(ExecIssuerTest, FactoryRequiresInstallAndAcceptsAndRejectsEmptyCommands) {
  binding_.options = {};
  Set("accepts", {"true"});
  auto no_install = MakeExecIssuer(
      {.env = DefaultEnv(), .system = &system_, .identity = nullptr, .binding = &binding_});
  EXPECT_EQ(no_install.status().ToString(),
            "invalid_argument: exec issuer directory: `install` (an argv list) is required");
  Set("install", {"true"});
  Set("remove", {});
  auto empty = MakeExecIssuer(
      {.env = DefaultEnv(), .system = &system_, .identity = nullptr, .binding = &binding_});
  EXPECT_EQ(empty.status().ToString(),
            "invalid_argument: exec issuer directory: `remove` is an empty command");
}

}  // namespace
}  // namespace rekey::exec
