// One run per identity, through the binary: while a run is in progress (its consumer's confirm
// blocks) or blocked (a failpoint failed a step), a second `rekey run` for the same identity exits
// 3 and names the run that holds it; the first then finishes.
#include <gtest/gtest.h>

#include <future>

#include "harness.h"

namespace rekey::it {
namespace {

const std::string kOld = "old-locked-value-31d0";
constexpr auto kWait = std::chrono::seconds(20);

// A confirm that says it started, then waits (up to 20 s) for a "go" file before checking.
InventoryOptions BlockingConfirm(const std::string& dir) {
  InventoryOptions o;
  o.confirm = {"sh", "-c",
               "touch " + dir + "/confirm-started; i=0; while [ ! -e " + dir +
                   "/go ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; "
                   "grep -qF \"$(cat)\" " +
                   dir + "/app/app.env"};
  return o;
}

TEST(LockTest, ASecondRunWhileTheFirstIsInProgressExits3AndNamesIt) {
  Sandbox box;
  box.RewriteInventory(BlockingConfirm(box.dir()));
  ASSERT_TRUE(box.InitAndAdopt(kOld));
  std::future<Outcome> first = std::async(std::launch::async, [&] { return box.Run("rotate"); });
  ASSERT_TRUE(WaitForFile(box.dir() + "/confirm-started", kWait));
  nlohmann::json runs = box.Runs();
  ASSERT_TRUE(runs.is_array() && runs.size() == 1) << runs;
  std::string id = runs[0].value("run", "");
  EXPECT_EQ(runs[0].value("state", ""), "running");

  Outcome second = box.Run("rotate", {}, "a second run");
  EXPECT_EQ(second.exit_code, 3) << Describe(second);
  EXPECT_EQ(second.out, "");
  EXPECT_EQ(second.err, "rekey: error: identity svc is held by run " + id +
                            " (running); resume or roll back that run first\n");
  Outcome contain = box.Run("contain", {}, "a contain run");
  EXPECT_EQ(contain.exit_code, 3) << Describe(contain);
  EXPECT_EQ(contain.err, "rekey: error: identity svc is held by run " + id +
                             " (running); resume or roll back that run first\n");
  // Resuming it from another process while it runs is refused too: one executor per run.
  Outcome resume = box.Rekey({"resume", id});
  EXPECT_EQ(resume.exit_code, 3) << Describe(resume);

  WriteFile(box.dir() + "/go", "");
  Outcome done = first.get();
  EXPECT_EQ(done.exit_code, 0) << Describe(done);
  EXPECT_TRUE(ResetCompleted(box, kOld));
  runs = box.Runs();
  ASSERT_TRUE(runs.is_array());
  EXPECT_EQ(runs.size(), 1u) << "the refused runs left no trace: " << runs.dump(2);

  // The identity is free again.
  std::string current = box.JsonValue().value_or("");
  Outcome after = box.Run("rotate", {}, "after the first");
  EXPECT_EQ(after.exit_code, 0) << Describe(after);
  EXPECT_TRUE(ResetCompleted(box, current));
}

TEST(LockTest, ABlockedRunHoldsTheIdentityUntilResumed) {
  Sandbox box;
  ASSERT_TRUE(box.InitAndAdopt(kOld));
  Outcome blocked = box.Run("rotate", {"REKEY_FAILPOINT=fail-step:4"});
  EXPECT_EQ(blocked.exit_code, 1) << Describe(blocked);
  nlohmann::json status = box.Status();
  ASSERT_TRUE(status.is_object());
  std::string id = status.value("run", "");
  EXPECT_EQ(status.value("state", ""), "blocked");
  EXPECT_EQ(status.value("blocked_step", 0), 4);
  EXPECT_EQ(status.value("blocked_reason", ""), "internal: failpoint fail-step");
  EXPECT_EQ(status["steps"][3].value("state", ""), "failed");
  EXPECT_EQ(status["steps"][3].value("action", ""), "write");
  // Blocked with the old value still accepted, beside the new one (rotate, overlap).
  EXPECT_EQ(box.IssuerAccepted().size(), 2u);
  EXPECT_EQ(box.IssuerAccepted()[0], kOld);

  Outcome second = box.Run("rotate", {}, "a second run");
  EXPECT_EQ(second.exit_code, 3) << Describe(second);
  EXPECT_EQ(second.out, "");
  EXPECT_EQ(second.err, "rekey: error: identity svc is held by run " + id +
                            " (blocked); resume or roll back that run first\n");

  Outcome resumed = box.Rekey({"resume", id});
  EXPECT_EQ(resumed.exit_code, 0) << Describe(resumed);
  EXPECT_TRUE(ResetCompleted(box, kOld));
  nlohmann::json runs = box.Runs();
  ASSERT_TRUE(runs.is_array());
  EXPECT_EQ(runs.size(), 1u) << runs.dump(2);
}

}  // namespace
}  // namespace rekey::it
