// Tests for run leases: one holder at a time across processes and within one, the holder's pid in
// the refusal, release on destruction, and release by the kernel when the holder is killed with
// SIGKILL.
#include "store/sqlite/file_run_lease.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include "store/sqlite/test_util.h"

namespace rekey::sqlite {
namespace {

using store_testing::Fork;
using store_testing::OpenOrDie;
using store_testing::Wait;

std::string HeldBy(pid_t pid) {
  return "conflict: run r1 is being executed by another rekey process (pid " + std::to_string(pid) +
         ")";
}

// Each use opens a store of its own and closes it before returning, so that no connection is open
// when a test forks (a connection must not be used on both sides of a fork).
class FileRunLeaseTest : public ::testing::Test {
 protected:
  Result<std::unique_ptr<RunLease>> Lease() {
    std::unique_ptr<Store> store = OpenOrDie(dir_.path());
    if (store == nullptr) {
      return Status::Internal("no store");
    }
    return store->AcquireRunLease("r1");  // the lease outlives the store: it keeps its file open
  }
  Status TryLease() { return Lease().status(); }

  TempDir dir_{"store"};
};

TEST_F(FileRunLeaseTest, ALeaseInThisProcessIsRefusedToAnotherAndReleasedOnDestruction) {
  {
    Result<std::unique_ptr<RunLease>> lease = Lease();
    ASSERT_TRUE(lease.ok()) << lease.status().ToString();
    struct stat st {};
    ASSERT_EQ(::stat(dir_.File("locks").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    ASSERT_EQ(::stat(dir_.File("locks/runs.lock").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(TryLease().ToString(), HeldBy(::getpid()));
  }
  EXPECT_TRUE(TryLease().ok());
}

// Many runs, one file: leasing one run leaves every other free, and the file is all there is.
TEST_F(FileRunLeaseTest, EachRunIsLeasedOnItsOwnInOneFile) {
  std::unique_ptr<Store> store = OpenOrDie(dir_.path());
  std::vector<std::unique_ptr<RunLease>> leases;
  for (int i = 0; i < 50; ++i) {
    Result<std::unique_ptr<RunLease>> lease = store->AcquireRunLease("run-" + std::to_string(i));
    ASSERT_TRUE(lease.ok()) << i << ": " << lease.status().ToString();
    leases.push_back(std::move(*lease));
  }
  EXPECT_EQ(store->AcquireRunLease("run-7").status().code(), StatusCode::kConflict);
  leases[7].reset();
  EXPECT_TRUE(store->AcquireRunLease("run-7").ok());
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_.File("locks")),
                          std::filesystem::directory_iterator()),
            1);
}

TEST_F(FileRunLeaseTest, AnotherProcessIsRefusedWhileTheLeaseIsHeld) {
  Result<std::unique_ptr<RunLease>> lease = Lease();
  ASSERT_TRUE(lease.ok()) << lease.status().ToString();
  const pid_t parent = ::getpid();
  const std::string state_dir = dir_.path();
  pid_t child = Fork([&] {
    std::unique_ptr<Store> store = OpenOrDie(state_dir);
    Status s = store->AcquireRunLease("r1").status();
    return s.ToString() == HeldBy(parent) ? 0 : 1;
  });
  int status = Wait(child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "wait status " << status;
}

TEST_F(FileRunLeaseTest, KilledHolderReleasesTheLease) {
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const std::string state_dir = dir_.path();
  pid_t child = Fork([&] {
    std::unique_ptr<Store> store = OpenOrDie(state_dir);
    Result<std::unique_ptr<RunLease>> lease = store->AcquireRunLease("r1");
    if (!lease.ok() || ::write(ready[1], "x", 1) != 1) {
      return 1;
    }
    for (;;) {
      ::pause();
    }
  });
  ::close(ready[1]);
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ::close(ready[0]);
  EXPECT_EQ(TryLease().ToString(), HeldBy(child));
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = Wait(child);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_TRUE(TryLease().ok());
}

TEST_F(FileRunLeaseTest, ARunIdIsNeeded) {
  std::unique_ptr<Store> store = OpenOrDie(dir_.path());
  EXPECT_EQ(store->AcquireRunLease("").status().ToString(),
            "invalid_argument: a run lease needs a run id");
}

}  // namespace
}  // namespace rekey::sqlite
