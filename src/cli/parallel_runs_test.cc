#include "cli/parallel_runs.h"

#include <gtest/gtest.h>

#include <sstream>

#include "cli/exit_codes.h"

namespace rekey {
namespace {

TEST(BatchSummaryTest, CountsEachOutcomeAndNamesThoseThatDidNotSucceed) {
  EXPECT_EQ(BatchSummary({"a", "b", "c", "d"}, {kExitOk, kExitFailed, kExitOk, kExitConflict}),
            "4 runs: 2 succeeded, 1 failed or blocked (b), 1 refused: another run holds it (d)");
  EXPECT_EQ(BatchSummary({"a", "b"}, {kExitOk, kExitOk}), "2 runs: 2 succeeded");
}

TEST(BatchSummaryTest, NamesAtMostTenPerOutcome) {
  std::vector<std::string> labels;
  for (int i = 0; i < 13; ++i) {
    labels.push_back("id" + std::to_string(i));
  }
  EXPECT_EQ(BatchSummary(labels, std::vector<int>(13, kExitFailed)),
            "13 runs: 13 failed or blocked (id0, id1, id2, id3, id4, id5, id6, id7, id8, id9 and "
            "3 more)");
}

// Every item's report is printed whole, the summary comes last, and the exit code is the worst.
TEST(RunBatchTest, PrintsEachReportWholeThenTheSummaryAndReturnsTheWorstCode) {
  std::ostringstream out, err;
  Context context;
  context.out = &out;
  context.err = &err;
  std::vector<std::string> labels = {"a", "b", "c", "d", "e", "f"};
  int code = RunBatch(context, labels, 3, /*summary=*/true, [&](const Context& c, size_t i) {
    *c.out << "report of " << labels[i] << "\n"
           << "end of " << labels[i] << "\n";
    return i == 4 ? kExitFailed : kExitOk;
  });
  EXPECT_EQ(code, kExitFailed);
  std::string text = out.str();
  for (const std::string& l : labels) {
    EXPECT_NE(text.find("report of " + l + "\nend of " + l + "\n"), std::string::npos) << text;
  }
  EXPECT_EQ(text.substr(text.rfind("6 runs")), "6 runs: 5 succeeded, 1 failed or blocked (e)\n");
}

TEST(RunBatchTest, OneItemOrNoSummaryAddsNoLine) {
  std::ostringstream out;
  Context context;
  context.out = &out;
  context.err = &out;
  auto body = [](const Context&, size_t) { return kExitOk; };
  EXPECT_EQ(RunBatch(context, {"a"}, 4, true, body), kExitOk);
  EXPECT_EQ(RunBatch(context, {"a", "b"}, 4, /*summary=*/false, body), kExitOk);
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace rekey
