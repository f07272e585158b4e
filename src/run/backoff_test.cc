#include "run/backoff.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace rekey {
namespace {

// d for ATTEMPT, computed independently: initial doubled (ATTEMPT - 1) times, capped at max.
int64_t Ceiling(const RetryPolicy& p, int attempt) {
  int64_t d = p.initial.count();
  for (int i = 1; i < attempt; ++i) {
    d = std::min<int64_t>(d * 2, p.max.count());
  }
  return std::min<int64_t>(d, p.max.count());
}

void ExpectWithinBounds(const RetryPolicy& p) {
  for (int attempt = 1; attempt <= 10; ++attempt) {
    int64_t d = Ceiling(p, attempt);
    std::set<int64_t> seen;
    for (int sample = 0; sample < 200; ++sample) {
      int64_t got = BackoffDelay(p, attempt).count();
      EXPECT_GE(got, d / 2) << "attempt " << attempt << " d " << d;
      EXPECT_LE(got, d) << "attempt " << attempt << " d " << d;
      seen.insert(got);
    }
    if (d >= 8) {
      EXPECT_GT(seen.size(), 1u) << "no jitter at attempt " << attempt << " d " << d;
    }
  }
}

TEST(BackoffTest, StaysWithinHalfToFullOfTheDoublingCappedDelay) {
  ExpectWithinBounds({.attempts = 10, .initial = Millis(10), .max = Millis(50)});
  ExpectWithinBounds({.attempts = 10, .initial = Millis(200), .max = Millis(10000)});
  ExpectWithinBounds({.attempts = 10, .initial = Millis(7), .max = Millis(1000)});
}

TEST(BackoffTest, CeilingDoublesFromInitialAndStopsAtMax) {
  RetryPolicy p{.attempts = 10, .initial = Millis(10), .max = Millis(50)};
  std::vector<int64_t> ceilings;
  for (int attempt = 1; attempt <= 5; ++attempt) {
    ceilings.push_back(Ceiling(p, attempt));
  }
  EXPECT_EQ(ceilings, (std::vector<int64_t>{10, 20, 40, 50, 50}));
  // The largest delay drawn at the cap reaches max's upper half, never beyond it.
  int64_t largest = 0;
  for (int sample = 0; sample < 500; ++sample) {
    largest = std::max<int64_t>(largest, BackoffDelay(p, 10).count());
  }
  EXPECT_GT(largest, 37);
  EXPECT_LE(largest, 50);
}

TEST(BackoffTest, InitialAboveMaxIsCappedAtMax) {
  RetryPolicy p{.attempts = 3, .initial = Millis(300), .max = Millis(100)};
  for (int sample = 0; sample < 100; ++sample) {
    int64_t got = BackoffDelay(p, 1).count();
    EXPECT_GE(got, 50);
    EXPECT_LE(got, 100);
  }
}

}  // namespace
}  // namespace rekey
