// Tests for the Store's names and for OpenStore, the default store's factory.
#include "store/store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "store/sqlite/test_util.h"

namespace rekey {
namespace {

TEST(StoreNamesTest, RunStatesRoundTrip) {
  for (RunState s :
       {RunState::kRunning, RunState::kBlocked, RunState::kSucceeded, RunState::kRolledBack}) {
    EXPECT_EQ(ParseRunState(RunStateName(s)), s) << RunStateName(s);
  }
  EXPECT_EQ(RunStateName(RunState::kRolledBack), "rolled_back");
  EXPECT_EQ(ParseRunState("Running"), std::nullopt);
}

TEST(StoreNamesTest, StepStatesRoundTrip) {
  for (StepState s :
       {StepState::kPending, StepState::kRunning, StepState::kDone, StepState::kFailed}) {
    EXPECT_EQ(ParseStepState(StepStateName(s)), s) << StepStateName(s);
  }
  EXPECT_EQ(StepStateName(StepState::kDone), "done");
  EXPECT_EQ(ParseStepState(""), std::nullopt);
}

TEST(StoreNamesTest, SlotNames) {
  EXPECT_EQ(SlotName(Slot::kCurrent), "current");
  EXPECT_EQ(SlotName(Slot::kPending), "pending");
  EXPECT_EQ(SlotName(Slot::kPrevious), "previous");
}

TEST(OpenStoreTest, CreatesTheStateDirectoryAndDatabase) {
  TempDir dir("store");
  const std::string state_dir = dir.File("state/rekey");
  Result<std::unique_ptr<Store>> store = OpenStore(DefaultEnv(), state_dir);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  struct stat st {};
  ASSERT_EQ(::stat(state_dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((state_dir + "/state.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace rekey
