// Audit tampering, through the binary: after a real run, each kind of damage doc/audit-format.md
// lists is done to a fresh copy of the state directory, and `rekey audit verify` must exit 1 and
// print the problem, with its line, exactly as the document words it.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "harness.h"

namespace rekey::it {
namespace {

namespace fs = std::filesystem;

const std::string kOld = "old-audited-value-77c1";

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) {
    out += l + "\n";
  }
  return out;
}

class AuditTamperTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    box_ = new Sandbox();
    ASSERT_TRUE(box_->InitAndAdopt(kOld));
    Outcome run = box_->Run("rotate");
    ASSERT_EQ(run.exit_code, 0) << Describe(run);
    lines_ = Lines(ReadFileOr(box_->state_dir() + "/audit.log"));
  }
  static void TearDownTestSuite() {
    delete box_;
    box_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(box_, nullptr);
    // value_adopted, run_started, 10 step_finished, run_finished
    ASSERT_EQ(lines_.size(), 13u) << Join(lines_);
    copy_ = std::make_unique<Sandbox>();
    std::error_code ec;
    fs::remove_all(copy_->state_dir(), ec);
    fs::copy(box_->state_dir(), copy_->state_dir(), fs::copy_options::recursive, ec);
    ASSERT_FALSE(ec) << ec.message();
    log_ = copy_->state_dir() + "/audit.log";
  }

  // Rewrites the copy's audit log with EDIT applied to its lines.
  void Tamper(const std::function<void(std::vector<std::string>&)>& edit) {
    std::vector<std::string> lines = lines_;
    edit(lines);
    WriteFile(log_, Join(lines));
  }

  // `rekey audit verify` on the copy: exit 1, stdout "LOG: PROBLEM\n", nothing on stderr.
  void ExpectProblem(const std::string& problem) {
    Outcome o = copy_->Rekey({"audit", "verify"});
    EXPECT_EQ(o.exit_code, 1) << Describe(o);
    EXPECT_EQ(o.out, log_ + ": " + problem + "\n");
    EXPECT_EQ(o.err, "");
  }

  static Sandbox* box_;
  static std::vector<std::string> lines_;
  std::unique_ptr<Sandbox> copy_;
  std::string log_;
};

Sandbox* AuditTamperTest::box_ = nullptr;
std::vector<std::string> AuditTamperTest::lines_;

TEST_F(AuditTamperTest, AnIntactLogVerifies) {
  Outcome o = copy_->Rekey({"audit", "verify"});
  EXPECT_EQ(o.exit_code, 0) << Describe(o);
  EXPECT_EQ(o.out, log_ + ": ok: 13 records, chain intact\n");
  Outcome json = copy_->Rekey({"audit", "verify", "--output", "json"});
  EXPECT_EQ(json.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(json.out, nullptr, false),
            nlohmann::json({{"ok", true}, {"records", 13}, {"bad_line", 0}, {"problem", ""}}));
}

// KNOWN FLAKE (see the session note): under `ctest -j2` its setup once found an empty log.
TEST_F(AuditTamperTest, AFieldEditedInAMiddleLineIsReportedAtTheNextLine) {
  ASSERT_NE(lines_[5].find("\"outcome\":\"done\""), std::string::npos) << lines_[5];
  Tamper([](std::vector<std::string>& l) {
    l[5].replace(l[5].find("\"outcome\":\"done\""), 16, "\"outcome\":\"fail\"");
  });
  ExpectProblem(
      "line 7: prev does not match the hash of line 6 (line 6 was edited, or records were removed "
      "or reordered)");
  Outcome json = copy_->Rekey({"audit", "verify", "--output", "json"});
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_EQ(nlohmann::json::parse(json.out, nullptr, false),
            nlohmann::json({{"ok", false},
                            {"records", 6},
                            {"bad_line", 7},
                            {"problem",
                             "line 7: prev does not match the hash of line 6 (line 6 was edited, "
                             "or records were removed or reordered)"}}));
}

TEST_F(AuditTamperTest, AMiddleLineDeletedIsReportedWhereItWas) {
  Tamper([](std::vector<std::string>& l) { l.erase(l.begin() + 6); });
  ExpectProblem("line 7: seq is 8, expected 7 (records were removed, inserted or reordered)");
}

TEST_F(AuditTamperTest, TwoLinesSwappedAreReportedAtTheFirst) {
  Tamper([](std::vector<std::string>& l) { std::swap(l[3], l[4]); });
  ExpectProblem("line 4: seq is 5, expected 4 (records were removed, inserted or reordered)");
}

TEST_F(AuditTamperTest, TheLastLineDeletedIsCaughtByTheHead) {
  Tamper([](std::vector<std::string>& l) { l.pop_back(); });
  ExpectProblem("log ends at record 12 but its head records 13: records were removed from the end");
  Outcome json = copy_->Rekey({"audit", "verify", "--output", "json"});
  EXPECT_EQ(nlohmann::json::parse(json.out, nullptr, false).value("bad_line", 0), 13);
}

TEST_F(AuditTamperTest, TheLastLineEditedIsCaughtByTheHead) {
  Tamper([](std::vector<std::string>& l) {
    l.back().replace(l.back().find("\"state\":\"succeeded\""), 19, "\"state\":\"blocked\"");
  });
  ExpectProblem(
      "line 13: does not match the hash in the head file (record 13 was edited or replaced)");
}

TEST_F(AuditTamperTest, TheFirstLineEditedIsReportedAtTheSecond) {
  Tamper([](std::vector<std::string>& l) {
    l[0].replace(l[0].find("\"identity\":\"svc\""), 16, "\"identity\":\"sv2\"");
  });
  ExpectProblem(
      "line 2: prev does not match the hash of line 1 (line 1 was edited, or records were removed "
      "or reordered)");
}

TEST_F(AuditTamperTest, ALineCutMidwayIsATornWrite) {
  WriteFile(log_, Join(lines_).substr(0, Join(lines_).size() - 10));
  ExpectProblem("line 13: incomplete record (torn write)");
}

TEST_F(AuditTamperTest, AnEditedHeadIsMalformed) {
  WriteFile(log_ + ".head", "{\"seq\":13}\n");
  ExpectProblem("head file is malformed: expected {\"seq\":N,\"hash\":\"<64 hex digits>\"}");
}

// After damage at the end, a run refuses to append to the log rather than cover the damage up,
// and no system is touched.
TEST_F(AuditTamperTest, ARunAfterTheLastLineWasDeletedRefusesAndTouchesNothing) {
  Tamper([](std::vector<std::string>& l) { l.pop_back(); });
  std::string new_value = box_->JsonValue().value_or("");
  copy_->SeedSystems(new_value);
  Outcome run = copy_->Run("rotate");
  EXPECT_EQ(run.exit_code, 1) << Describe(run);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "rekey: error: audit log " + log_ +
                         ": log ends at record 12 but its head records 13: records were removed "
                         "from the end; not appending: run `rekey audit verify`\n");
  EXPECT_EQ(copy_->IssuerAccepted(), std::vector<std::string>{new_value});
  EXPECT_EQ(copy_->JsonValue(), new_value);
  // The refused run is not left looking as if it were running (or had crashed) with no
  // audit record: there is none, or it is blocked with the reason.
  nlohmann::json runs = copy_->Runs();
  ASSERT_TRUE(runs.is_array());
  for (const nlohmann::json& r : runs) {
    EXPECT_NE(r.value("state", ""), "running") << runs.dump(2);
  }
}

}  // namespace
}  // namespace rekey::it
