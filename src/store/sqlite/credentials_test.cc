// Tests for credential versions in the SQLite store: adopt, stage, promote and discard, their
// idempotence, and the conflicts that keep two runs from writing one identity.
#include <gtest/gtest.h>

#include "store/sqlite/test_util.h"

namespace rekey {
namespace {

using store_testing::At;
using store_testing::OpenOrDie;
using store_testing::SampleRun;
using store_testing::SampleValue;

void ExpectValue(const std::optional<StoredValue>& got, const StoredValue& want) {
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->sealed, want.sealed);
  EXPECT_EQ(got->fingerprint, want.fingerprint);
  EXPECT_EQ(got->run_id, want.run_id);
  EXPECT_EQ(got->updated_at, want.updated_at);
}

class CredentialsTest : public ::testing::Test {
 protected:
  CredentialVersions Get(const std::string& identity = "svc") {
    Result<CredentialVersions> v = store_->GetCredential(identity);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : CredentialVersions{};
  }

  TempDir dir_{"store"};
  std::unique_ptr<Store> store_ = OpenOrDie(dir_.path());
};

TEST_F(CredentialsTest, UnknownIdentityHasNoVersions) {
  CredentialVersions v = Get("nobody");
  EXPECT_FALSE(v.current || v.pending || v.previous);
}

TEST_F(CredentialsTest, AdoptStagePromoteRotatesTheSlots) {
  ASSERT_TRUE(store_->Adopt("svc", SampleValue('a', "", 1)).ok());
  ExpectValue(Get().current, SampleValue('a', "", 1));
  ASSERT_TRUE(store_->CreateRun(SampleRun("r1", "svc"), {1}).ok());
  ASSERT_TRUE(store_->StagePending("svc", SampleValue('b', "r1", 2)).ok());
  ExpectValue(Get().pending, SampleValue('b', "r1", 2));
  ASSERT_TRUE(store_->Promote("svc", "r1").ok());
  CredentialVersions v = Get();
  ExpectValue(v.current, SampleValue('b', "r1", 2));
  ExpectValue(v.previous, SampleValue('a', "", 1));
  EXPECT_FALSE(v.pending.has_value());

  ASSERT_TRUE(store_->StagePending("svc", SampleValue('c', "r1", 3)).ok());
  ASSERT_TRUE(store_->Promote("svc", "r1").ok());
  v = Get();
  ExpectValue(v.current, SampleValue('c', "r1", 3));
  ExpectValue(v.previous, SampleValue('b', "r1", 2));
}

TEST_F(CredentialsTest, PromoteIsIdempotent) {
  ASSERT_TRUE(store_->Adopt("svc", SampleValue('a', "")).ok());
  ASSERT_TRUE(store_->StagePending("svc", SampleValue('b', "r1")).ok());
  ASSERT_TRUE(store_->Promote("svc", "r1").ok());
  EXPECT_TRUE(store_->Promote("svc", "r1").ok());
  ExpectValue(Get().current, SampleValue('b', "r1"));
  ExpectValue(Get().previous, SampleValue('a', ""));
  EXPECT_EQ(store_->Promote("svc", "r2").ToString(),
            "not_found: identity svc has no pending value for run r2");
  EXPECT_EQ(store_->Promote("other", "r1").ToString(),
            "not_found: identity other has no pending value for run r1");
}

TEST_F(CredentialsTest, PromoteOfAnotherRunsPendingValueConflicts) {
  ASSERT_TRUE(store_->StagePending("svc", SampleValue('b', "r1")).ok());
  EXPECT_EQ(store_->Promote("svc", "r2").ToString(),
            "conflict: the pending value of identity svc belongs to run r1, not r2");
  ExpectValue(Get().pending, SampleValue('b', "r1"));
}

TEST_F(CredentialsTest, StagePendingIsIdempotentForTheSameValue) {
  ASSERT_TRUE(store_->StagePending("svc", SampleValue('b', "r1", 1)).ok());
  EXPECT_TRUE(store_->StagePending("svc", SampleValue('b', "r1", 9)).ok());
  ExpectValue(Get().pending, SampleValue('b', "r1", 1));
}

TEST_F(CredentialsTest, StagePendingConflictsWithADifferentValue) {
  ASSERT_TRUE(store_->StagePending("svc", SampleValue('b', "r1")).ok());
  EXPECT_EQ(store_->StagePending("svc", SampleValue('c', "r1")).ToString(),
            "conflict: run r1 already staged a different pending value for identity svc");
  EXPECT_EQ(store_->StagePending("svc", SampleValue('c', "r2")).ToString(),
            "conflict: the pending value of identity svc belongs to run r1, not r2");
  ExpectValue(Get().pending, SampleValue('b', "r1"));
}

TEST_F(CredentialsTest, StagePendingForARunNotHoldingTheIdentityConflicts) {
  ASSERT_TRUE(store_->CreateRun(SampleRun("r1", "svc"), {1}).ok());
  EXPECT_EQ(
      store_->StagePending("svc", SampleValue('c', "r2")).ToString(),
      "conflict: identity svc is held by run r1 (running); resume or roll back that run first");
  EXPECT_FALSE(Get().pending.has_value());
}

TEST_F(CredentialsTest, AdoptIsRefusedWhileARunHoldsTheIdentity) {
  ASSERT_TRUE(store_->CreateRun(SampleRun("r1", "svc"), {1}).ok());
  EXPECT_EQ(
      store_->Adopt("svc", SampleValue('a', "")).ToString(),
      "conflict: identity svc is held by run r1 (running); resume or roll back that run first");
  RunRecord blocked = SampleRun("r1", "svc");
  blocked.state = RunState::kBlocked;
  ASSERT_TRUE(store_->UpdateRun(blocked, {}).ok());
  EXPECT_EQ(
      store_->Adopt("svc", SampleValue('a', "")).ToString(),
      "conflict: identity svc is held by run r1 (blocked); resume or roll back that run first");
  blocked.state = RunState::kSucceeded;
  ASSERT_TRUE(store_->UpdateRun(blocked, {}).ok());
  EXPECT_TRUE(store_->Adopt("svc", SampleValue('a', "")).ok());
}

TEST_F(CredentialsTest, DiscardPendingDropsOnlyItsOwnRunsValue) {
  ASSERT_TRUE(store_->Adopt("svc", SampleValue('a', "")).ok());
  ASSERT_TRUE(store_->StagePending("svc", SampleValue('b', "r1")).ok());
  EXPECT_EQ(store_->DiscardPending("svc", "r2").ToString(),
            "conflict: the pending value of identity svc belongs to run r1, not r2");
  ASSERT_TRUE(store_->DiscardPending("svc", "r1").ok());
  EXPECT_TRUE(store_->DiscardPending("svc", "r1").ok());
  CredentialVersions v = Get();
  EXPECT_FALSE(v.pending.has_value());
  ExpectValue(v.current, SampleValue('a', ""));
}

TEST_F(CredentialsTest, RejectsMalformedValues) {
  StoredValue v = SampleValue('a', "r1");
  v.fingerprint = "hunter2";
  EXPECT_EQ(store_->StagePending("svc", v).ToString(),
            "invalid_argument: the fingerprint given for identity svc is not 64 lower-case hex "
            "characters");
  EXPECT_EQ(store_->StagePending("svc", SampleValue('a', "")).ToString(),
            "invalid_argument: a pending value for identity svc needs a run id");
  v = SampleValue('a', "");
  v.sealed.clear();
  EXPECT_EQ(store_->Adopt("svc", v).ToString(),
            "invalid_argument: the sealed value given for identity svc is empty");
  CredentialVersions got = Get();
  EXPECT_FALSE(got.current || got.pending || got.previous);
}

TEST_F(CredentialsTest, ZeroUpdatedAtIsTheTimeOfTheCall) {
  StoredValue v = SampleValue('a', "");
  v.updated_at = SystemTime{};
  SystemTime before = std::chrono::floor<Millis>(std::chrono::system_clock::now());
  ASSERT_TRUE(store_->Adopt("svc", v).ok());
  CredentialVersions got = Get();
  ASSERT_TRUE(got.current.has_value());
  EXPECT_GE(got.current->updated_at, before);
  EXPECT_LE(got.current->updated_at, std::chrono::system_clock::now());
  EXPECT_LT(At(0), before);
}

}  // namespace
}  // namespace rekey
