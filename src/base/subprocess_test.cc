#include "base/subprocess.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

namespace rekey {
namespace {

TEST(SubprocessTest, PassesStdinAndDescriptor3AndCollectsOutput) {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "read a; read b <&3; echo \"$a+$b\"; echo oops >&2; exit 4"};
  spec.stdin_data = "one\n";
  spec.fd3_data = std::string_view("two\n");
  auto r = RunProcess(spec);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 4);
  EXPECT_EQ(r->stdout_data, "one+two\n");
  EXPECT_EQ(r->stderr_data, "oops\n");
  EXPECT_FALSE(r->timed_out);
}

TEST(SubprocessTest, KillsTheProcessGroupAtTheDeadline) {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "sleep 30 & sleep 30; echo never"};
  spec.timeout = Millis(200);
  auto start = std::chrono::steady_clock::now();
  auto r = RunProcess(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->stdout_data, "");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(SubprocessTest, DeadlineHoldsWhenTheChildClosesItsOutput) {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "exec >/dev/null 2>&1; sleep 30"};
  spec.timeout = Millis(300);
  auto start = std::chrono::steady_clock::now();
  auto r = RunProcess(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->exit_code, 128 + 9);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(SubprocessTest, ABackgroundChildHoldingStdoutDoesNotMakeItATimeout) {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "sleep 3 & echo started"};
  spec.timeout = Millis(2000);
  auto r = RunProcess(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->timed_out);
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->stdout_data, "started\n");
}

TEST(SubprocessTest, ChildSeesOnlyAllowlistedEnvironment) {
  ::setenv("REKEY_TEST_ADMIN_TOKEN", "canary-token", 1);
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "echo \"${REKEY_TEST_ADMIN_TOKEN:-unset} $EXTRA\""};
  spec.env = {"EXTRA=given"};
  auto r = RunProcess(spec);
  ::unsetenv("REKEY_TEST_ADMIN_TOKEN");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stdout_data, "unset given\n");
}

TEST(SubprocessTest, ReportsACommandThatCannotStart) {
  ProcessSpec spec;
  spec.argv = {"/nonexistent/rekey-helper"};
  auto r = RunProcess(spec);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().ToString(),
            "unavailable: cannot run /nonexistent/rekey-helper: No such file or directory");
}

TEST(SubprocessTest, ChildWithoutFd3SeesItClosed) {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "if [ -e /proc/self/fd/3 ]; then echo open; else echo closed; fi"};
  auto r = RunProcess(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stdout_data, "closed\n");
}

TEST(SubprocessTest, InputLargerThanAPipeBufferArrivesWhole) {
  std::string big(1 << 20, 'x');
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "wc -c; wc -c <&3"};
  spec.stdin_data = big;
  spec.fd3_data = std::string_view(big).substr(1);
  auto r = RunProcess(spec);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->stdout_data, "1048576\n1048575\n");
}

// Alive and not a zombie (a zombie is dead; whether init reaps it soon is not ours to test).
bool Alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field, comm, state;
  return stat >> pid_field >> comm >> state && state != "Z";
}

// A command must not outlive a rekey that was killed: resume repeats the step, and a leftover
// command from the dead process would race it.
TEST(SubprocessTest, TheCommandDiesWithTheProcessThatRanIt) {
  std::string pid_file =
      ::testing::TempDir() + "rekey-subprocess-child-" + std::to_string(::getpid());
  ::unlink(pid_file.c_str());
  pid_t runner = ::fork();
  ASSERT_GE(runner, 0);
  if (runner == 0) {
    ProcessSpec spec;
    spec.argv = {"sh", "-c", "echo $$ > \"$0\"; exec sleep 30", pid_file};
    spec.timeout = Millis(60000);
    (void)RunProcess(spec);
    ::_exit(0);
  }
  pid_t command = 0;
  for (int i = 0; i < 500 && command == 0; ++i) {
    std::ifstream in(pid_file);
    if (!(in >> command)) {
      command = 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  ASSERT_GT(command, 0) << "the command never started";
  ::kill(runner, SIGKILL);
  ::waitpid(runner, nullptr, 0);
  bool gone = false;
  for (int i = 0; i < 200 && !gone; ++i) {
    gone = !Alive(command);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(gone) << "the command outlived the process that ran it";
  ::kill(command, SIGKILL);
  ::unlink(pid_file.c_str());
}

}  // namespace
}  // namespace rekey
