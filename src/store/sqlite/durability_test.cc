// Tests that the SQLite store's writes survive the death of the writer: a child process commits
// and is killed with SIGKILL before it can close anything, and the parent finds every write. Also
// that processes share the file: a writer waits out another process's write lock.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include "store/sqlite/test_util.h"

namespace rekey {
namespace {

using store_testing::Fork;
using store_testing::OpenOrDie;
using store_testing::SampleRun;
using store_testing::SampleStep;
using store_testing::SampleValue;
using store_testing::Wait;

TEST(DurabilityTest, CommitsOfAKilledProcessSurvive) {
  TempDir dir("store");
  const std::string state_dir = dir.path();
  pid_t child = Fork([&] {
    std::unique_ptr<Store> store = OpenOrDie(state_dir);
    if (!store->CreateRun(SampleRun("r1", "svc"), {1, 2}).ok() ||
        !store->StagePending("svc", SampleValue('b', "r1")).ok()) {
      return 1;
    }
    ::kill(::getpid(), SIGKILL);  // no close, no checkpoint: the commit must already be durable
    return 2;
  });
  int status = Wait(child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "wait status " << status;

  std::unique_ptr<Store> store = OpenOrDie(state_dir);
  Result<CredentialVersions> versions = store->GetCredential("svc");
  ASSERT_TRUE(versions.ok()) << versions.status().ToString();
  ASSERT_TRUE(versions->pending.has_value());
  EXPECT_EQ(versions->pending->sealed, SampleValue('b', "r1").sealed);
  EXPECT_EQ(versions->pending->run_id, "r1");
  EXPECT_EQ(
      store->CreateRun(SampleRun("r2", "svc"), {1}).ToString(),
      "conflict: identity svc is held by run r1 (running); resume or roll back that run first");
}

TEST(DurabilityTest, WriterWaitsForAnotherProcessesWriteLock) {
  TempDir dir("store");
  ASSERT_TRUE(OpenOrDie(dir.path())->CreateRun(SampleRun("r1", "svc"), {1}).ok());
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const std::string db_path = dir.File("state.db");
  pid_t child = Fork([&] {
    sqlite3* db = nullptr;
    if (sqlite3_open(db_path.c_str(), &db) != SQLITE_OK ||
        sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK ||
        ::write(ready[1], "x", 1) != 1) {
      return 1;
    }
    ::usleep(300 * 1000);
    return sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK ? 0 : 1;
  });
  ::close(ready[1]);
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ::close(ready[0]);
  // Opening checks the schema in a write transaction, so it waits too.
  std::unique_ptr<Store> store = OpenOrDie(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->UpdateSteps("r1", {SampleStep(1, 1)}).ok());
  Result<std::vector<StepRecord>> steps = store->GetSteps("r1");
  ASSERT_TRUE(steps.ok());
  EXPECT_EQ(steps->at(0).attempts, 1);
  int status = Wait(child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "wait status " << status;
}

}  // namespace
}  // namespace rekey
