// Rollback of real runs, blocked by real failing systems: what the issuers accept and the holders
// hold afterwards, what the store keeps, and which runs are refused.
#include "run/rollback.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "testing/run_fixture.h"

namespace rekey {
namespace {

using nlohmann::json;
using run_testing::RunFixture;

constexpr char kLimits[] = "retry: { attempts: 3, initial: 10ms, max: 50ms }, timeout: 1s";

std::string System(const std::string& name, const std::string& type) {
  return name + ": { type: " + type + ", " + kLimits + " }";
}

class RollbackTest : public ::testing::Test {
 protected:
  // idp accepts two values at once (overlap); dir, when SWAP_ISSUER, replaces the old value with
  // the new one. token-file is written after app-env, at TOKEN_PATH.
  std::string Inventory(const std::string& token_path, bool swap_issuer) {
    std::vector<std::string> issuers = {fx_.Issuer({.name = "idp", .system = "idp"})};
    if (swap_issuer) {
      issuers.push_back(fx_.Issuer({.name = "dir", .system = "dir", .overlap = false}));
    }
    return RunFixture::InventoryText(
        {System("idp", "exec"), System("dir", "exec"), System("files", "file")}, issuers,
        {fx_.FileHolder("app-env", fx_.Path("app.env"), "DB_PASSWORD"),
         fx_.FileHolder("token-file", token_path, "", "app-env")},
        {fx_.Consumer("api")});
  }

  // Creates and executes a run of TEXT; expects it to block.
  RunRecord Blocked(const std::string& text, Strategy strategy = Strategy::kRotate) {
    EXPECT_TRUE(fx_.LoadInventory(text));
    EXPECT_TRUE(fx_.AdoptOldValue());
    std::optional<RunRecord> run = fx_.CreateRun(strategy);
    EXPECT_TRUE(run.has_value());
    Result<RunRecord> ended = fx_.Execute(run.value_or(RunRecord{}));
    EXPECT_TRUE(ended.ok()) << ended.status().ToString();
    EXPECT_EQ(ended.ok() ? RunStateName(ended->state) : "error", "blocked");
    new_value_ = fx_.Pending().value_or("<no pending value>");
    return ended.ok() ? *ended : RunRecord{};
  }

  std::string Refusal(const RunRecord& run) {
    Result<RunRecord> rolled = fx_.Rollback(run);
    return rolled.ok() ? "rolled back" : rolled.status().ToString();
  }

  // The old value is in place everywhere and the store has forgotten the run's new value.
  void ExpectRestored(const RunRecord& run, const std::vector<std::string>& issuers) {
    for (const std::string& i : issuers) {
      EXPECT_TRUE(fx_.IssuerAccepts(i, RunFixture::kOldValue)) << i;
      EXPECT_FALSE(fx_.IssuerAccepts(i, new_value_)) << i;
    }
    EXPECT_EQ(fx_.Held("app-env"), RunFixture::kOldValue);
    EXPECT_EQ(fx_.Current(), RunFixture::kOldValue);
    EXPECT_EQ(fx_.Pending(), std::nullopt);
    EXPECT_EQ(fx_.Previous(), std::nullopt);
    auto stored = fx_.store()->GetRun(run.id);
    ASSERT_TRUE(stored.ok());
    EXPECT_EQ(RunStateName(stored->state), "rolled_back");
    int rolled_back = 0;
    for (const json& e : fx_.AuditEvents()) {
      rolled_back += e.value("event", "") == "run_rolled_back" && e.value("run", "") == run.id;
    }
    EXPECT_EQ(rolled_back, 1);
    // The identity is free again: a new run can start.
    EXPECT_TRUE(fx_.CreateRun(Strategy::kRotate).has_value());
  }

  RunFixture fx_;
  std::string new_value_;
};

TEST_F(RollbackTest, RunBlockedAtAHolderWriteGetsTheOldValueBack) {
  RunRecord run = Blocked(Inventory(fx_.Path("missing-dir/token"), /*swap_issuer=*/false));
  ASSERT_EQ(run.blocked_step, fx_.StepId(StepAction::kWrite, "token-file"));
  ASSERT_TRUE(fx_.IssuerAccepts("idp", new_value_));
  ASSERT_EQ(fx_.Held("app-env"), new_value_);

  Result<RunRecord> rolled = fx_.Rollback(run);

  ASSERT_TRUE(rolled.ok()) << rolled.status().ToString();
  EXPECT_EQ(RunStateName(rolled->state), "rolled_back");
  ExpectRestored(run, {"idp"});
}

TEST_F(RollbackTest, RunBlockedAtAConsumerRestoresEveryHolderAndIssuer) {
  std::string text = Inventory(fx_.Path("token"), /*swap_issuer=*/true);
  fx_.ExitAlways("api", "reload", 3, "api refuses to reload");
  RunRecord run = Blocked(text);
  ASSERT_EQ(run.blocked_step, fx_.StepId(StepAction::kReload, "api"));
  ASSERT_FALSE(fx_.IssuerAccepts("dir", RunFixture::kOldValue));  // swapped
  ASSERT_EQ(fx_.Held("token-file"), new_value_);

  Result<RunRecord> rolled = fx_.Rollback(run);

  ASSERT_TRUE(rolled.ok()) << rolled.status().ToString();
  EXPECT_EQ(RunStateName(rolled->state), "rolled_back");
  EXPECT_EQ(fx_.Held("token-file"), RunFixture::kOldValue);
  ExpectRestored(run, {"idp", "dir"});
}

// A rollback that stops halfway must not leave a run that resumes to "succeeded" with a value
// the issuers do not accept: whatever happens, the store's current value is the accepted one.
TEST_F(RollbackTest, ResumeAfterAFailedRollbackEndsWithTheCurrentValueAccepted) {
  RunRecord run = Blocked(Inventory(fx_.Path("missing-dir/token"), /*swap_issuer=*/false));
  Result<RunRecord> rolled = fx_.Rollback(run);
  std::filesystem::create_directory(fx_.Path("missing-dir"));  // the operator fixes the holder
  if (!rolled.ok()) {
    auto stored = fx_.store()->GetRun(run.id);
    ASSERT_TRUE(stored.ok());
    Result<RunRecord> ended = fx_.Execute(*stored);
    ASSERT_TRUE(ended.ok()) << ended.status().ToString();
    EXPECT_EQ(fx_.Held("token-file"), fx_.Current().value_or("<none>"));
  }

  std::string current = fx_.Current().value_or("<none>");
  EXPECT_TRUE(fx_.IssuerAccepts("idp", current)) << "idp does not accept the current value";
  EXPECT_EQ(fx_.Held("app-env"), current);
}

// The same when the rollback stops at an issuer: idp has dropped the new value, dir refuses to
// take the old one back. Nothing in the store says idp was undone.
TEST_F(RollbackTest, ResumeAfterARollbackThatFailedAtAnIssuerEndsWithTheCurrentValueAccepted) {
  std::string text = Inventory(fx_.Path("token"), /*swap_issuer=*/true);
  fx_.ExitAlways("api", "reload", 3, "api refuses to reload");
  RunRecord run = Blocked(text);
  fx_.ExitAlways("dir", "install", 3, "dir is read-only");

  Result<RunRecord> rolled = fx_.Rollback(run);

  EXPECT_EQ(rolled.status().ToString(),
            "internal: dir: exec install command exited 3: dir is read-only");
  fx_.Clear("dir", "install");
  fx_.Clear("api", "reload");
  auto stored = fx_.store()->GetRun(run.id);
  ASSERT_TRUE(stored.ok());
  Result<RunRecord> ended = fx_.Execute(*stored);
  ASSERT_TRUE(ended.ok()) << ended.status().ToString();
  std::string current = fx_.Current().value_or("<none>");
  for (const char* issuer : {"idp", "dir"}) {
    EXPECT_TRUE(fx_.IssuerAccepts(issuer, current))
        << "run " << RunStateName(ended->state) << ": " << issuer
        << " does not accept the current value";
  }
  EXPECT_EQ(fx_.Held("app-env"), current);
  EXPECT_EQ(fx_.Held("token-file"), current);
}

TEST_F(RollbackTest, ContainRunIsNeverRolledBack) {
  RunRecord run = Blocked(Inventory(fx_.Path("missing-dir/token"), false), Strategy::kContain);

  EXPECT_EQ(Refusal(run), "invalid_argument: run " + run.id +
                              " is a contain run: an exposed value is never restored");
  EXPECT_FALSE(fx_.IssuerAccepts("idp", RunFixture::kOldValue));
  EXPECT_EQ(fx_.Pending(), new_value_);
  auto stored = fx_.store()->GetRun(run.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(RunStateName(stored->state), "blocked");
}

TEST_F(RollbackTest, RunPastTheRemovalOfTheOldValueIsRefused) {
  std::string text = Inventory(fx_.Path("token"), false);
  fx_.ExitAlways("idp", "remove", 3, "remove failed halfway");
  RunRecord run = Blocked(text);
  int remove = fx_.StepId(StepAction::kRemoveOld, "idp");
  ASSERT_EQ(run.blocked_step, remove);

  EXPECT_EQ(Refusal(run), "invalid_argument: run " + run.id +
                              " started removing the old value (step " + std::to_string(remove) +
                              "); rollback would not restore it: resume the run instead");
  EXPECT_TRUE(fx_.IssuerAccepts("idp", new_value_));
  EXPECT_EQ(fx_.Held("app-env"), new_value_);
  EXPECT_EQ(fx_.Pending(), new_value_);
}

TEST_F(RollbackTest, SucceededRunIsRefused) {
  EXPECT_TRUE(fx_.LoadInventory(Inventory(fx_.Path("token"), false)));
  EXPECT_TRUE(fx_.AdoptOldValue());
  std::optional<RunRecord> run = fx_.CreateRun(Strategy::kRotate);
  ASSERT_TRUE(run.has_value());
  Result<RunRecord> ended = fx_.Execute(*run);
  ASSERT_TRUE(ended.ok()) << ended.status().ToString();
  ASSERT_EQ(RunStateName(ended->state), "succeeded");

  EXPECT_EQ(Refusal(*ended), "invalid_argument: run " + run->id + " already succeeded");
  EXPECT_FALSE(fx_.IssuerAccepts("idp", RunFixture::kOldValue));
}

}  // namespace
}  // namespace rekey
