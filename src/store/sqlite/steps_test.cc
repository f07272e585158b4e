// Tests for steps in the SQLite store: created pending, every field round trips to the
// millisecond, unknown steps, steps written with their run's update, concurrent updates from
// worker threads, and what a commit costs.
#include <gtest/gtest.h>

#include <iostream>
#include <thread>

#include "store/sqlite/test_util.h"

namespace rekey {
namespace {

using store_testing::At;
using store_testing::OpenOrDie;
using store_testing::SampleRun;
using store_testing::SampleStep;

class StepsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(store_, nullptr);
    ASSERT_TRUE(store_->CreateRun(SampleRun("r1", "svc"), {1, 2, 3}).ok());
  }

  std::vector<StepRecord> Steps() {
    Result<std::vector<StepRecord>> steps = store_->GetSteps("r1");
    EXPECT_TRUE(steps.ok()) << steps.status().ToString();
    return steps.ok() ? *steps : std::vector<StepRecord>{};
  }

  TempDir dir_{"store"};
  std::unique_ptr<Store> store_ = OpenOrDie(dir_.path());
};

TEST_F(StepsTest, CreateRunMakesPendingSteps) {
  std::vector<StepRecord> steps = Steps();
  ASSERT_EQ(steps.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(steps[i].step, i + 1);
    EXPECT_EQ(steps[i].state, StepState::kPending);
    EXPECT_EQ(steps[i].attempts, 0);
    EXPECT_EQ(steps[i].last_error, "");
    EXPECT_EQ(steps[i].started_at, SystemTime{});
    EXPECT_EQ(steps[i].finished_at, SystemTime{});
  }
}

TEST_F(StepsTest, EveryFieldRoundTripsToTheMillisecond) {
  StepRecord step = SampleStep(2, 3, StepState::kFailed);
  step.last_error = "unavailable: connection refused";
  step.evidence = "old value rejected by orders-db";
  step.started_at = At(1);
  step.finished_at = At(2) + std::chrono::microseconds(999);
  ASSERT_TRUE(store_->UpdateSteps("r1", {step}).ok());
  StepRecord got = Steps()[1];
  EXPECT_EQ(got.step, 2);
  EXPECT_EQ(got.state, StepState::kFailed);
  EXPECT_EQ(got.attempts, 3);
  EXPECT_EQ(got.last_error, step.last_error);
  EXPECT_EQ(got.evidence, step.evidence);
  EXPECT_EQ(got.started_at, At(1));
  EXPECT_EQ(got.finished_at, At(2));  // sub-millisecond precision is dropped
  EXPECT_EQ(Steps()[0].state, StepState::kPending);
}

TEST_F(StepsTest, UnknownStepOrRunIsNotFound) {
  EXPECT_EQ(store_->UpdateSteps("r1", {SampleStep(9, 0)}).ToString(),
            "not_found: run r1 has no step 9");
  EXPECT_EQ(store_->UpdateSteps("r9", {SampleStep(1, 0)}).ToString(), "not_found: no run r9");
  EXPECT_EQ(store_->GetSteps("r9").status().ToString(), "not_found: no run r9");
}

TEST_F(StepsTest, UpdateRunWritesItsStepsInTheSameTransaction) {
  RunRecord run = SampleRun("r1", "svc");
  run.state = RunState::kSucceeded;
  run.finished_at = At(3);
  ASSERT_TRUE(store_->UpdateRun(run, {SampleStep(3, 1, StepState::kDone)}).ok());
  EXPECT_EQ(Steps()[2].state, StepState::kDone);
  EXPECT_EQ(store_->GetRun("r1")->state, RunState::kSucceeded);

  // A step that cannot be written undoes the run's update too.
  ASSERT_TRUE(store_->CreateRun(SampleRun("r2", "other"), {1}).ok());
  RunRecord other = SampleRun("r2", "other");
  other.state = RunState::kBlocked;
  EXPECT_EQ(store_->UpdateRun(other, {SampleStep(1, 1), SampleStep(9, 1)}).ToString(),
            "not_found: run r2 has no step 9");
  EXPECT_EQ(store_->GetRun("r2")->state, RunState::kRunning);
  EXPECT_EQ(store_->GetSteps("r2")->at(0).state, StepState::kPending);
}

TEST_F(StepsTest, ConcurrentUpdatesFromFourThreads) {
  constexpr int kThreads = 4;
  constexpr int kUpdates = 20;
  ASSERT_TRUE(store_->CreateRun(SampleRun("r2", "other"), {1, 2, 3, 4}).ok());
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([this, t] {
      for (int i = 1; i <= kUpdates; ++i) {
        StepRecord step = SampleStep(t + 1, i);
        EXPECT_TRUE(store_->UpdateSteps("r2", {step}).ok());
        EXPECT_TRUE(store_->GetSteps("r2").ok());
      }
    });
  }
  for (std::thread& w : workers) {
    w.join();
  }
  Result<std::vector<StepRecord>> steps = store_->GetSteps("r2");
  ASSERT_TRUE(steps.ok());
  ASSERT_EQ(steps->size(), 4u);
  for (const StepRecord& s : *steps) {
    EXPECT_EQ(s.attempts, kUpdates) << "step " << s.step;
    EXPECT_EQ(s.state, StepState::kRunning);
  }
}

// Group commit: writes that share a transaction keep their own outcomes. Half the threads
// update a run that does not exist (not_found, which must undo only that write); the others'
// updates all land, and a store opened afresh (another connection) reads them.
TEST_F(StepsTest, AFailingWriteInABatchUndoesOnlyItself) {
  constexpr int kThreads = 8;
  constexpr int kUpdates = 25;
  ASSERT_TRUE(store_->CreateRun(SampleRun("r2", "other"), {1, 2, 3, 4}).ok());
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([this, t] {
      bool good = t % 2 == 0;
      for (int i = 1; i <= kUpdates; ++i) {
        Status s = store_->UpdateSteps(good ? "r2" : "no-such-run", {SampleStep(t / 2 + 1, i)});
        EXPECT_EQ(s.code(), good ? StatusCode::kOk : StatusCode::kNotFound) << s.ToString();
      }
    });
  }
  for (std::thread& w : workers) {
    w.join();
  }
  std::unique_ptr<Store> reopened = OpenOrDie(dir_.path());
  ASSERT_NE(reopened, nullptr);
  Result<std::vector<StepRecord>> steps = reopened->GetSteps("r2");
  ASSERT_TRUE(steps.ok());
  for (const StepRecord& s : *steps) {
    EXPECT_EQ(s.attempts, kUpdates) << "step " << s.step;
  }
  EXPECT_EQ(reopened->GetRun("no-such-run").status().code(), StatusCode::kNotFound);
}

// Not a benchmark: prints what one durable UpdateSteps costs here, for the record.
TEST_F(StepsTest, ReportsTheCostOfOneCommit) {
  constexpr int kCommits = 100;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kCommits; ++i) {
    ASSERT_TRUE(store_->UpdateSteps("r1", {SampleStep(1, i)}).ok());
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  double ms = std::chrono::duration<double, std::milli>(elapsed).count() / kCommits;
  std::cout << "UpdateSteps commit (synchronous=FULL, WAL): " << ms << " ms mean over " << kCommits
            << "\n";
}

}  // namespace
}  // namespace rekey
