#include "base/status.h"

#include <gtest/gtest.h>

#include "base/result.h"

namespace rekey {
namespace {

TEST(StatusTest, OkIsCheapAndEmpty) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, CarriesCodeAndMessage) {
  Status s = Status::Timeout("orders-db did not answer within 5s");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.retryable());
  EXPECT_EQ(s.ToString(), "timeout: orders-db did not answer within 5s");
  EXPECT_EQ(s.WithContext("install").ToString(),
            "timeout: install: orders-db did not answer within 5s");
  EXPECT_FALSE(Status::InvalidArgument("x").retryable());
}

TEST(StatusTest, CarriesARetryHintThroughContext) {
  using std::chrono::milliseconds;
  EXPECT_EQ(Status::Unavailable("busy").retry_after(), milliseconds(0));
  Status s = Status::Unavailable("HTTP 429").WithRetryAfter(milliseconds(1500));
  EXPECT_EQ(s.retry_after(), milliseconds(1500));
  EXPECT_EQ(s.WithContext("write").retry_after(), milliseconds(1500));
  EXPECT_EQ(s.WithContext("write").ToString(), "unavailable: write: HTTP 429");
  EXPECT_TRUE(Status::Ok().WithRetryAfter(milliseconds(5)).ok());
}

TEST(StatusTest, CodeNamesRoundTrip) {
  for (StatusCode c : {StatusCode::kOk, StatusCode::kUnknownOutcome, StatusCode::kCorruption}) {
    EXPECT_EQ(StatusCodeFromName(StatusCodeName(c)), c);
  }
}

TEST(ResultTest, HoldsValueOrStatus) {
  Result<int> good = 7;
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 7);
  Result<int> bad = Status::NotFound("no such identity");
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace rekey
