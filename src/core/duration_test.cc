#include "core/duration.h"

#include <gtest/gtest.h>

namespace rekey {
namespace {

using std::chrono::milliseconds;

TEST(DurationTest, ParsesUnitsAndSequences) {
  EXPECT_EQ(*ParseDuration("30d"), milliseconds(30LL * 86400000));
  EXPECT_EQ(*ParseDuration("1h30m"), milliseconds(5400000));
  EXPECT_EQ(*ParseDuration("250ms"), milliseconds(250));
  EXPECT_EQ(*ParseDuration("2w"), milliseconds(14LL * 86400000));
}

TEST(DurationTest, RejectsMalformedText) {
  for (const char* bad : {"", "30", "d", "30x", "-5s", "1.5h", "5 s"}) {
    auto r = ParseDuration(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
  EXPECT_EQ(ParseDuration("30x").status().message(),
            "bad duration \"30x\": expected a number and a unit (ms, s, m, h, d, w), e.g. 30d, "
            "1h30m, 500ms");
  EXPECT_EQ(ParseDuration("0s").status().message(),
            "bad duration \"0s\": must be greater than zero");
}

TEST(DurationTest, FormatsShortestRoundTrip) {
  EXPECT_EQ(FormatDuration(milliseconds(5400000)), "1h30m");
  EXPECT_EQ(FormatDuration(milliseconds(30LL * 86400000)), "30d");
  EXPECT_EQ(FormatDuration(milliseconds(1250)), "1s250ms");
}

}  // namespace
}  // namespace rekey
