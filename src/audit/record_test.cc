// Tests for the audit record format: the hash, the time format and the exact line.
#include "audit/record.h"

#include <gtest/gtest.h>

#include <chrono>

namespace rekey {
namespace {

using namespace std::chrono_literals;  // NOLINT: 12h, 2024y in a test

SystemTime May1() {
  return std::chrono::sys_days{2024y / std::chrono::May / 1} + 12h + 34min + 56s + 789ms;
}

TEST(AuditRecordTest, HashIsHexSha256) {
  EXPECT_EQ(AuditHash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(AuditHash("").size(), kAuditGenesisPrev.size());
}

TEST(AuditRecordTest, TimeIsRfc3339UtcWithMilliseconds) {
  EXPECT_EQ(FormatAuditTime(May1()), "2024-05-01T12:34:56.789Z");
  EXPECT_EQ(FormatAuditTime(SystemTime{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatAuditTime(SystemTime{} - 1ms), "1969-12-31T23:59:59.999Z");
}

TEST(AuditRecordTest, LineHasSeqTimePrevThenEventFields) {
  nlohmann::json event = {
      {"identity", "svc-orders"}, {"event", "value_adopted"}, {"fingerprint", "ab12"}};
  auto line = FormatAuditRecord(7, May1(), kAuditGenesisPrev, event);
  ASSERT_TRUE(line.ok()) << line.status().ToString();
  EXPECT_EQ(*line, "{\"seq\":7,\"time\":\"2024-05-01T12:34:56.789Z\",\"prev\":\"" +
                       std::string(kAuditGenesisPrev) +
                       "\",\"event\":\"value_adopted\",\"fingerprint\":\"ab12\","
                       "\"identity\":\"svc-orders\"}");
  ASSERT_TRUE(ParseAuditObject(*line).ok());
  EXPECT_EQ((*ParseAuditObject(*line))["seq"], 7);
}

TEST(AuditRecordTest, RejectsEventsTheLogCannotHold) {
  auto message = [](const nlohmann::json& event) {
    return FormatAuditRecord(1, May1(), kAuditGenesisPrev, event).status().ToString();
  };
  EXPECT_EQ(message(nlohmann::json::array()),
            "invalid_argument: audit event must be a JSON object");
  EXPECT_EQ(message({{"run", "r1"}}),
            "invalid_argument: audit event must have a non-empty string field \"event\"");
  EXPECT_EQ(message({{"event", 3}}),
            "invalid_argument: audit event must have a non-empty string field \"event\"");
  EXPECT_EQ(message({{"event", "x"}, {"prev", "y"}}),
            "invalid_argument: audit event must not set \"prev\": the log adds it");
  EXPECT_EQ(message({{"event", "x"}, {"seq", 1}}),
            "invalid_argument: audit event must not set \"seq\": the log adds it");
  EXPECT_EQ(message({{"event", "x"}, {"note", "\xff\xfe"}}),
            "invalid_argument: audit event holds a string that is not valid UTF-8");
}

TEST(AuditRecordTest, ParseAcceptsOnlyOneObject) {
  EXPECT_TRUE(ParseAuditObject("{\"a\":1}").ok());
  EXPECT_EQ(ParseAuditObject("[1]").status().ToString(), "invalid_argument: not a JSON object");
  EXPECT_FALSE(ParseAuditObject("{\"a\":1} {}").ok());
  EXPECT_FALSE(ParseAuditObject("{\"a\":").ok());
  EXPECT_FALSE(ParseAuditObject("").ok());
}

}  // namespace
}  // namespace rekey
