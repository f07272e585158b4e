// Tests for opening the SQLite store on real files: the schema and pragmas of a fresh file, file
// modes, data surviving a reopen, and the refusal of files this rekey must not touch.
#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "store/sqlite/test_util.h"

namespace rekey::sqlite {
namespace {

using store_testing::At;
using store_testing::OpenOrDie;
using store_testing::SampleRun;
using store_testing::SampleValue;

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// Runs SQL on PATH through a connection of the test's own, bypassing the store; returns the first
// column of the first row, or "" when there is none.
std::string RawQuery(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
  std::string result;
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
    result = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return result;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  TempDir dir_{"store"};
  std::string db_path_ = dir_.File("state.db");
};

// Whether this process holds a read lock on byte AT of PATH, asked from a forked child (F_GETLK
// reports only other processes' locks).
bool ThisProcessReadLocks(const std::string& path, off_t at) {
  pid_t child = store_testing::Fork([&] {
    int fd = ::open(path.c_str(), O_RDWR);
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    lock.l_start = at;
    lock.l_len = 1;
    if (fd < 0 || ::fcntl(fd, F_GETLK, &lock) != 0) {
      return 2;
    }
    return lock.l_type == F_RDLCK && lock.l_pid == ::getppid() ? 0 : 1;
  });
  int status = store_testing::Wait(child);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// While a connection is open, SQLite keeps read locks on the database file (the SHARED range
// from byte 0x40000002) and on one byte of -shm (its "DMS" byte, 128 in the unix VFS): a process
// that finds them unlocked takes the database for unused and resets the shared index, or
// checkpoints and deletes the WAL, under the others (SIGBUS in sqlite3WalFrames, seen in
// lock_test under load). Closing any descriptor of a file drops every POSIX lock the process
// holds on it, so opening a store, even a second one in the same process, must not open and
// close those files once a connection is open.
TEST_F(SqliteStoreTest, OpeningLeavesSqlitesInUseLocks) {
  std::unique_ptr<Store> first = OpenOrDie(dir_.path());
  ASSERT_NE(first, nullptr);
  ASSERT_TRUE(first->Adopt("svc", SampleValue('a', "")).ok());
  EXPECT_TRUE(ThisProcessReadLocks(db_path_ + "-shm", 128));
  EXPECT_TRUE(ThisProcessReadLocks(db_path_, 0x40000002));
  std::unique_ptr<Store> second = OpenOrDie(dir_.path());
  ASSERT_NE(second, nullptr);
  EXPECT_TRUE(ThisProcessReadLocks(db_path_ + "-shm", 128)) << "after a second store opened";
  EXPECT_TRUE(ThisProcessReadLocks(db_path_, 0x40000002)) << "after a second store opened";
}

TEST_F(SqliteStoreTest, FreshFileGetsSchemaWalAndPrivateModes) {
  std::unique_ptr<Store> store = OpenOrDie(dir_.path());
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Adopt("svc", SampleValue('a', "")).ok());
  EXPECT_EQ(ModeOf(db_path_), 0600u);
  EXPECT_EQ(ModeOf(db_path_ + "-wal"), 0600u);
  EXPECT_EQ(ModeOf(db_path_ + "-shm"), 0600u);
  EXPECT_EQ(RawQuery(db_path_, "SELECT value FROM meta WHERE key = 'schema_version'"), "2");
  EXPECT_EQ(RawQuery(db_path_, "PRAGMA journal_mode"), "wal");
  EXPECT_EQ(RawQuery(db_path_,
                     "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master "
                     "WHERE type = 'table' ORDER BY name)"),
            "credentials,inventories,locks,meta,runs,steps");
}

TEST_F(SqliteStoreTest, RunsShareOneCopyOfTheirInventoryText) {
  std::unique_ptr<Store> store = OpenOrDie(dir_.path());
  RunRecord a = SampleRun("r1", "svc-a"), b = SampleRun("r2", "svc-b");
  a.inventory_text = b.inventory_text = std::string(100000, 'x') + "\n";
  ASSERT_TRUE(store->CreateRun(a, {1}).ok());
  ASSERT_TRUE(store->CreateRun(b, {1}).ok());
  EXPECT_EQ(RawQuery(db_path_, "SELECT count(*) FROM inventories"), "1");
  EXPECT_EQ(RawQuery(db_path_, "SELECT max(length(inventory_text)) FROM runs"), "0");
  Result<RunRecord> read = store->GetRun("r2");
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->inventory_text, b.inventory_text);
}

// A version-1 file (each run's inventory text in its own row) is migrated in place on open, and
// its runs read back as they were.
TEST_F(SqliteStoreTest, AVersion1FileIsMigratedAndItsRunsStillRead) {
  ASSERT_TRUE(OpenOrDie(dir_.path())->CreateRun(SampleRun("old", "svc"), {1}).ok());
  // Make it what version 1 wrote.
  for (const char* sql :
       {"UPDATE runs SET inventory_text = (SELECT text FROM inventories), inventory_digest = ''",
        "ALTER TABLE runs DROP COLUMN inventory_digest", "DROP TABLE inventories",
        "UPDATE meta SET value = 1 WHERE key = 'schema_version'"}) {
    RawQuery(db_path_, sql);
  }
  ASSERT_EQ(RawQuery(db_path_, "SELECT value FROM meta WHERE key = 'schema_version'"), "1");

  std::unique_ptr<Store> store = OpenOrDie(dir_.path());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(RawQuery(db_path_, "SELECT value FROM meta WHERE key = 'schema_version'"), "2");
  Result<RunRecord> old = store->GetRun("old");
  ASSERT_TRUE(old.ok()) << old.status().ToString();
  EXPECT_EQ(old->inventory_text, SampleRun("old", "svc").inventory_text);
  ASSERT_TRUE(store->UpdateRun(*old, {}).ok());
  ASSERT_TRUE(store->CreateRun(SampleRun("new", "other"), {1}).ok());
  EXPECT_EQ(store->GetRun("new")->inventory_text, SampleRun("new", "other").inventory_text);
}

TEST_F(SqliteStoreTest, NarrowsTheModeOfExistingFiles) {
  for (const std::string& path : {db_path_, db_path_ + "-wal", db_path_ + "-shm"}) {
    ASSERT_EQ(::close(::open(path.c_str(), O_CREAT | O_WRONLY, 0644)), 0);
    ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  }
  std::unique_ptr<Store> store = OpenOrDie(dir_.path());
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->Adopt("svc", SampleValue('a', "")).ok());
  for (const std::string& path : {db_path_, db_path_ + "-wal", db_path_ + "-shm"}) {
    EXPECT_EQ(ModeOf(path), 0600u) << path;
  }
}

TEST_F(SqliteStoreTest, ReopeningKeepsTheData) {
  {
    std::unique_ptr<Store> store = OpenOrDie(dir_.path());
    ASSERT_TRUE(store->Adopt("svc", SampleValue('a', "", 5)).ok());
    ASSERT_TRUE(store->CreateRun(SampleRun("r1", "svc"), {1, 2}).ok());
  }
  std::unique_ptr<Store> store = OpenOrDie(dir_.path());
  Result<CredentialVersions> versions = store->GetCredential("svc");
  ASSERT_TRUE(versions.ok()) << versions.status().ToString();
  ASSERT_TRUE(versions->current.has_value());
  EXPECT_EQ(versions->current->sealed, SampleValue('a', "").sealed);
  EXPECT_EQ(versions->current->updated_at, At(5));
  Result<RunRecord> run = store->GetRun("r1");
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(run->identity, "svc");
  Result<std::vector<StepRecord>> steps = store->GetSteps("r1");
  ASSERT_TRUE(steps.ok());
  EXPECT_EQ(steps->size(), 2u);
}

TEST_F(SqliteStoreTest, NewerSchemaVersionIsRefused) {
  ASSERT_NE(OpenOrDie(dir_.path()), nullptr);
  RawQuery(db_path_, "UPDATE meta SET value = 7 WHERE key = 'schema_version'");
  Result<std::unique_ptr<Store>> store = OpenStore(DefaultEnv(), dir_.path());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(store.status().message(), "state store " + db_path_ +
                                          " has schema version 7; this rekey understands "
                                          "version 2: upgrade rekey");
}

TEST_F(SqliteStoreTest, MissingSchemaVersionIsCorruption) {
  ASSERT_NE(OpenOrDie(dir_.path()), nullptr);
  RawQuery(db_path_, "DELETE FROM meta");
  Result<std::unique_ptr<Store>> store = OpenStore(DefaultEnv(), dir_.path());
  EXPECT_EQ(store.status().ToString(), "corruption: state store " + db_path_ +
                                           " has no valid schema version in its meta table");
}

TEST_F(SqliteStoreTest, ForeignDatabaseIsRefused) {
  RawQuery(db_path_, "CREATE TABLE notes(text)");
  Result<std::unique_ptr<Store>> store = OpenStore(DefaultEnv(), dir_.path());
  EXPECT_EQ(store.status().ToString(),
            "corruption: state store " + db_path_ +
                " is not a rekey state store: it has tables but no meta table");
  EXPECT_EQ(RawQuery(db_path_, "SELECT count(*) FROM sqlite_master"), "1");
}

TEST_F(SqliteStoreTest, FileThatIsNotADatabaseIsCorruption) {
  int fd = ::open(db_path_.c_str(), O_CREAT | O_WRONLY, 0600);
  std::string junk(4096, 'x');
  ASSERT_EQ(::write(fd, junk.data(), junk.size()), static_cast<ssize_t>(junk.size()));
  ::close(fd);
  Result<std::unique_ptr<Store>> store = OpenStore(DefaultEnv(), dir_.path());
  EXPECT_EQ(store.status().ToString(),
            "corruption: state store " + db_path_ + " is not an SQLite database");
}

TEST_F(SqliteStoreTest, SymbolicLinkIsRefused) {
  ASSERT_EQ(::symlink(dir_.File("elsewhere.db").c_str(), db_path_.c_str()), 0);
  Result<std::unique_ptr<Store>> store = OpenStore(DefaultEnv(), dir_.path());
  EXPECT_EQ(store.status().ToString(),
            "invalid_argument: create " + db_path_ + ": Too many levels of symbolic links");
  EXPECT_NE(::access(dir_.File("elsewhere.db").c_str(), F_OK), 0);
}

}  // namespace
}  // namespace rekey::sqlite
