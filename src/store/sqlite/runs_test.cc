// Tests for runs in the SQLite store: every field round trips, one unfinished run per identity
// (kept while blocked, released when finished), atomic failure, and the order of ListRuns.
#include <gtest/gtest.h>

#include "store/sqlite/test_util.h"

namespace rekey {
namespace {

using store_testing::At;
using store_testing::OpenOrDie;
using store_testing::SampleRun;

void ExpectSameRun(const RunRecord& got, const RunRecord& want) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.identity, want.identity);
  EXPECT_EQ(got.strategy, want.strategy);
  EXPECT_EQ(got.state, want.state);
  EXPECT_EQ(got.reason, want.reason);
  EXPECT_EQ(got.user, want.user);
  EXPECT_EQ(got.host, want.host);
  EXPECT_EQ(got.plan_json, want.plan_json);
  EXPECT_EQ(got.inventory_path, want.inventory_path);
  EXPECT_EQ(got.inventory_text, want.inventory_text);
  EXPECT_EQ(got.started_at, want.started_at);
  EXPECT_EQ(got.finished_at, want.finished_at);
  EXPECT_EQ(got.contained_at, want.contained_at);
  EXPECT_EQ(got.blocked_step, want.blocked_step);
  EXPECT_EQ(got.blocked_reason, want.blocked_reason);
}

class RunsTest : public ::testing::Test {
 protected:
  Status Finish(const std::string& id, const std::string& identity, RunState state) {
    RunRecord run = SampleRun(id, identity);
    run.state = state;
    run.finished_at = At(1000);
    return store_->UpdateRun(run, {});
  }

  TempDir dir_{"store"};
  std::unique_ptr<Store> store_ = OpenOrDie(dir_.path());
};

TEST_F(RunsTest, EveryFieldRoundTrips) {
  RunRecord run = SampleRun("r1", "svc", 1);
  run.strategy = Strategy::kContain;
  run.inventory_text = "systems:\n  db: { type: postgres }\n";
  ASSERT_TRUE(store_->CreateRun(run, {1, 2, 3}).ok());
  Result<RunRecord> got = store_->GetRun("r1");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ExpectSameRun(*got, run);
  EXPECT_FALSE(got->contained_at.has_value());

  run.state = RunState::kBlocked;
  run.finished_at = At(2500);
  run.contained_at = At(1234);
  run.blocked_step = 3;
  run.blocked_reason = "timeout: orders-db did not answer within 5s";
  ASSERT_TRUE(store_->UpdateRun(run, {}).ok());
  got = store_->GetRun("r1");
  ASSERT_TRUE(got.ok());
  ExpectSameRun(*got, run);
}

TEST_F(RunsTest, UnknownRunIsNotFound) {
  EXPECT_EQ(store_->GetRun("nope").status().ToString(), "not_found: no run nope");
  EXPECT_EQ(store_->UpdateRun(SampleRun("nope", "svc"), {}).ToString(), "not_found: no run nope");
}

TEST_F(RunsTest, SecondRunForTheSameIdentityConflictsAndLeavesNoTrace) {
  ASSERT_TRUE(store_->CreateRun(SampleRun("r1", "svc"), {1}).ok());
  EXPECT_EQ(
      store_->CreateRun(SampleRun("r2", "svc"), {1}).ToString(),
      "conflict: identity svc is held by run r1 (running); resume or roll back that run first");
  EXPECT_EQ(store_->GetRun("r2").status().ToString(), "not_found: no run r2");
  EXPECT_TRUE(store_->CreateRun(SampleRun("r3", "other"), {1}).ok());
}

TEST_F(RunsTest, BlockedRunKeepsTheLock) {
  ASSERT_TRUE(store_->CreateRun(SampleRun("r1", "svc"), {1}).ok());
  ASSERT_TRUE(Finish("r1", "svc", RunState::kBlocked).ok());
  EXPECT_EQ(
      store_->CreateRun(SampleRun("r2", "svc"), {1}).ToString(),
      "conflict: identity svc is held by run r1 (blocked); resume or roll back that run first");
}

TEST_F(RunsTest, SucceededOrRolledBackRunReleasesTheLock) {
  ASSERT_TRUE(store_->CreateRun(SampleRun("r1", "svc"), {1}).ok());
  ASSERT_TRUE(Finish("r1", "svc", RunState::kSucceeded).ok());
  ASSERT_TRUE(store_->CreateRun(SampleRun("r2", "svc"), {1}).ok());
  ASSERT_TRUE(Finish("r2", "svc", RunState::kRolledBack).ok());
  EXPECT_TRUE(store_->CreateRun(SampleRun("r3", "svc"), {1}).ok());
}

TEST_F(RunsTest, FinishedRunCannotRunAgain) {
  ASSERT_TRUE(store_->CreateRun(SampleRun("r1", "svc"), {1}).ok());
  ASSERT_TRUE(Finish("r1", "svc", RunState::kSucceeded).ok());
  EXPECT_TRUE(Finish("r1", "svc", RunState::kSucceeded).ok());
  EXPECT_EQ(store_->UpdateRun(SampleRun("r1", "svc"), {}).ToString(),
            "conflict: run r1 has finished (succeeded); it cannot become running");
}

TEST_F(RunsTest, RunIdsAreUniqueAndStepIdsTooInOneRun) {
  ASSERT_TRUE(store_->CreateRun(SampleRun("r1", "svc"), {1}).ok());
  ASSERT_TRUE(Finish("r1", "svc", RunState::kSucceeded).ok());
  EXPECT_EQ(store_->CreateRun(SampleRun("r1", "svc"), {1}).ToString(),
            "conflict: run r1 exists already");
  EXPECT_EQ(store_->CreateRun(SampleRun("r2", "svc"), {1, 2, 1}).ToString(),
            "invalid_argument: run r2 lists a step id twice");
}

TEST_F(RunsTest, ListRunsNewestFirst) {
  ASSERT_TRUE(store_->CreateRun(SampleRun("a", "s1", 10), {}).ok());
  ASSERT_TRUE(store_->CreateRun(SampleRun("c", "s2", 30), {}).ok());
  ASSERT_TRUE(store_->CreateRun(SampleRun("b", "s3", 30), {}).ok());
  ASSERT_TRUE(store_->CreateRun(SampleRun("d", "s4", 20), {}).ok());
  Result<std::vector<RunRecord>> runs = store_->ListRuns();
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  std::vector<std::string> ids;
  for (const RunRecord& r : *runs) {
    ids.push_back(r.id);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"c", "b", "d", "a"}));
}

}  // namespace
}  // namespace rekey
