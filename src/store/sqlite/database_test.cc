#include "store/sqlite/database.h"

#include <gtest/gtest.h>

#include "store/sqlite/private_file.h"
#include "testing/temp_dir.h"

namespace rekey::sqlite {
namespace {

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string path = dir_.path() + "/t.db";
    ASSERT_TRUE(CreatePrivateFile(path).ok());
    Result<Database> db = Database::Open(path, 1000);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_.emplace(std::move(*db));
    ASSERT_TRUE(db_->Exec("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)").ok());
  }

  std::optional<std::string> Lookup(int64_t k) {
    Result<Statement> q = db_->Prepare("SELECT v FROM t WHERE k = ?1");
    EXPECT_TRUE(q.ok());
    Result<bool> row = q->BindInt(1, k).Step();
    EXPECT_TRUE(row.ok());
    return row.ok() && *row ? std::optional<std::string>(q->Text(0)) : std::nullopt;
  }

  TempDir dir_{"database"};
  std::optional<Database> db_;
};

// A kept statement comes back reset and without the last use's bindings: an unbound parameter
// is NULL, so an insert that forgets one fails instead of reusing a stale value.
TEST_F(DatabaseTest, AKeptStatementIsReusedResetAndWithItsBindingsCleared) {
  for (int64_t k = 1; k <= 3; ++k) {
    Result<Statement> insert = db_->Prepare("INSERT INTO t(k, v) VALUES(?1, ?2)");
    ASSERT_TRUE(insert.ok());
    ASSERT_TRUE(insert->BindInt(1, k).BindText(2, "v" + std::to_string(k)).Run().ok());
  }
  EXPECT_EQ(Lookup(2), "v2");
  EXPECT_EQ(Lookup(3), "v3");
  EXPECT_EQ(Lookup(9), std::nullopt);
  Result<Statement> insert = db_->Prepare("INSERT INTO t(k, v) VALUES(?1, ?2)");
  ASSERT_TRUE(insert.ok());
  ASSERT_TRUE(insert->BindText(2, "no key").Run().ok());  // k NULL: SQLite picks the next rowid
  EXPECT_EQ(Lookup(4), "no key");
}

// The same SQL prepared while a statement of it is still stepping gets a statement of its own.
TEST_F(DatabaseTest, TheSameSqlPreparedWhileInUseGetsASecondStatement) {
  for (int64_t k = 1; k <= 2; ++k) {
    ASSERT_TRUE(db_->Prepare("INSERT INTO t(k, v) VALUES(?1, 'x')")->BindInt(1, k).Run().ok());
  }
  Result<Statement> outer = db_->Prepare("SELECT k FROM t ORDER BY k");
  ASSERT_TRUE(outer.ok());
  ASSERT_TRUE(*outer->Step());
  EXPECT_EQ(outer->Int(0), 1);
  {
    Result<Statement> inner = db_->Prepare("SELECT k FROM t ORDER BY k");
    ASSERT_TRUE(inner.ok());
    ASSERT_TRUE(*inner->Step());
    EXPECT_EQ(inner->Int(0), 1);
  }
  ASSERT_TRUE(*outer->Step());
  EXPECT_EQ(outer->Int(0), 2) << "the inner query disturbed the outer one";
}

// Exec keeps a single statement too; transactions through it still commit and roll back.
TEST_F(DatabaseTest, ExecOfKeptTransactionStatementsCommitsAndRollsBack) {
  for (int round = 0; round < 2; ++round) {
    ASSERT_TRUE(db_->Exec("BEGIN IMMEDIATE").ok());
    ASSERT_TRUE(
        db_->Prepare("INSERT INTO t(k, v) VALUES(?1, 'kept')")->BindInt(1, 10 + round).Run().ok());
    ASSERT_TRUE(db_->Exec(round == 0 ? "COMMIT" : "ROLLBACK").ok());
  }
  EXPECT_EQ(Lookup(10), "kept");
  EXPECT_EQ(Lookup(11), std::nullopt);
}

}  // namespace
}  // namespace rekey::sqlite
