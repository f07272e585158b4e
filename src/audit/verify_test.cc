// Tests for VerifyAuditLog: an intact log, then each kind of damage caught at the right line
// with its exact message. Each test starts from ten records written by the real AuditLog.
#include "audit/verify.h"

#include <gtest/gtest.h>

#include "audit/audit_log.h"
#include "audit/head.h"
#include "audit/record.h"
#include "audit/test_dir.h"

namespace rekey {
namespace {

class VerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto log = AuditLog::Open(path_);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    for (int i = 1; i <= 10; ++i) {
      ASSERT_TRUE((*log)->Append({{"event", "step_finished"}, {"step", i}}).ok());
    }
    lines_ = ReadLines(path_);
    ASSERT_EQ(lines_.size(), 10u);
  }

  // Expects verification to stop at BAD_LINE, after INTACT good records, saying PROBLEM.
  void ExpectProblem(uint64_t intact, uint64_t bad_line, const std::string& problem) {
    auto report = VerifyAuditLog(path_);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_FALSE(report->ok);
    EXPECT_EQ(report->records, intact);
    EXPECT_EQ(report->bad_line, bad_line);
    EXPECT_EQ(report->problem, problem);
  }

  void ExpectIntact(uint64_t records) {
    auto report = VerifyAuditLog(path_);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_TRUE(report->ok) << report->problem;
    EXPECT_EQ(report->records, records);
    EXPECT_EQ(report->bad_line, 0u);
    EXPECT_EQ(report->problem, "");
  }

  // Line N (1-based) with FROM replaced by TO.
  std::string Edited(size_t n, const std::string& from, const std::string& to) {
    return Replaced(lines_[n - 1], from, to);
  }

  TempDir dir_{"audit"};
  std::string path_ = dir_.File("audit.log");
  std::vector<std::string> lines_;
};

TEST_F(VerifyTest, IntactLogVerifies) { ExpectIntact(10); }

TEST_F(VerifyTest, MissingLogIsNotFound) {
  auto report = VerifyAuditLog(dir_.File("other.log"));
  EXPECT_EQ(report.status().ToString(), "not_found: no audit log at " + dir_.File("other.log"));
}

TEST_F(VerifyTest, EditedFieldInAMiddleLineIsCaughtByTheNextLinesPrev) {
  lines_[3] = Edited(4, "\"step\":4", "\"step\":40");
  WriteLines(path_, lines_);
  ExpectProblem(4, 5,
                "line 5: prev does not match the hash of line 4 (line 4 was edited, or records "
                "were removed or reordered)");
}

TEST_F(VerifyTest, DeletedMiddleLineIsCaughtBySeq) {
  lines_.erase(lines_.begin() + 3);
  WriteLines(path_, lines_);
  ExpectProblem(3, 4, "line 4: seq is 5, expected 4 (records were removed, inserted or reordered)");
}

TEST_F(VerifyTest, DeletedMiddleLineWithRenumberedSeqsIsCaughtByPrev) {
  lines_.erase(lines_.begin() + 3);
  for (size_t n = 4; n <= lines_.size(); ++n) {
    lines_[n - 1] = Edited(n, "\"seq\":" + std::to_string(n + 1), "\"seq\":" + std::to_string(n));
  }
  WriteLines(path_, lines_);
  ExpectProblem(3, 4,
                "line 4: prev does not match the hash of line 3 (line 3 was edited, or records "
                "were removed or reordered)");
}

TEST_F(VerifyTest, SwappedLinesAreCaught) {
  std::swap(lines_[5], lines_[6]);
  WriteLines(path_, lines_);
  ExpectProblem(5, 6, "line 6: seq is 7, expected 6 (records were removed, inserted or reordered)");
}

TEST_F(VerifyTest, DeletedLastLineIsCaughtByTheHead) {
  lines_.pop_back();
  WriteLines(path_, lines_);
  ExpectProblem(9, 10,
                "log ends at record 9 but its head records 10: records were removed from the end");
}

TEST_F(VerifyTest, EmptiedLogIsCaughtByTheHead) {
  WriteLines(path_, {});
  ExpectProblem(0, 1,
                "log ends at record 0 but its head records 10: records were removed from the end");
}

TEST_F(VerifyTest, EditedLastLineIsCaughtByTheHead) {
  lines_[9] = Edited(10, "\"step\":10", "\"step\":11");
  WriteLines(path_, lines_);
  ExpectProblem(10, 10,
                "line 10: does not match the hash in the head file (record 10 was edited or "
                "replaced)");
}

TEST_F(VerifyTest, LogOneRecordAheadOfItsHeadVerifies) {
  WriteWhole(path_ + ".head", "{\"seq\":9,\"hash\":\"" + AuditHash(lines_[8]) + "\"}\n");
  ExpectIntact(10);
}

TEST_F(VerifyTest, LogWithoutAHeadVerifiesItsChain) {
  std::remove((path_ + ".head").c_str());
  ExpectIntact(10);
}

TEST_F(VerifyTest, MalformedHeadIsReported) {
  WriteWhole(path_ + ".head", "{\"seq\":10,\"hash\":\"abc\"}\n");
  ExpectProblem(10, 11, kAuditHeadMalformed);
  EXPECT_EQ(std::string(kAuditHeadMalformed),
            "head file is malformed: expected {\"seq\":N,\"hash\":\"<64 hex digits>\"}");
}

TEST_F(VerifyTest, TruncationMidLineIsATornWrite) {
  std::string data = ReadWhole(path_);
  size_t line7 = data.find(lines_[6]);
  WriteWhole(path_, data.substr(0, line7 + 20));
  ExpectProblem(6, 7, "line 7: incomplete record (torn write)");
}

TEST_F(VerifyTest, GarbageLineIsCaught) {
  lines_[5] = "rm -rf / # not a record";
  WriteLines(path_, lines_);
  ExpectProblem(5, 6, "line 6: not a JSON object");
}

TEST_F(VerifyTest, EmptyLineIsCaught) {
  lines_.insert(lines_.begin() + 2, "");
  WriteLines(path_, lines_);
  ExpectProblem(2, 3, "line 3: not a JSON object");
}

TEST_F(VerifyTest, EditedFirstPrevIsCaught) {
  lines_[0] = Edited(1, "\"prev\":\"0", "\"prev\":\"1");
  WriteLines(path_, lines_);
  ExpectProblem(0, 1, "line 1: prev is not the 64 zeros that start the chain (edited)");
}

TEST_F(VerifyTest, MissingSeqIsCaught) {
  lines_[1] = Edited(2, "\"seq\":2,", "");
  WriteLines(path_, lines_);
  ExpectProblem(1, 2, "line 2: seq is missing or not an unsigned integer");
}

TEST_F(VerifyTest, MissingPrevIsCaught) {
  lines_[1] = Edited(2, "\"prev\":\"" + AuditHash(lines_[0]) + "\",", "");
  WriteLines(path_, lines_);
  ExpectProblem(1, 2, "line 2: prev is missing or not a string");
}

TEST(VerifyEmptyTest, NewLogVerifiesWithNoRecords) {
  TempDir dir("audit");
  ASSERT_TRUE(AuditLog::Open(dir.File("audit.log")).ok());
  auto report = VerifyAuditLog(dir.File("audit.log"));
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok);
  EXPECT_EQ(report->records, 0u);
}

}  // namespace
}  // namespace rekey
