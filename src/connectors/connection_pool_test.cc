#include "connectors/connection_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace rekey {
namespace {

struct FakeConnection {
  int id;
};

Deadline In(int ms) { return std::chrono::steady_clock::now() + std::chrono::milliseconds(ms); }

class ConnectionPoolTest : public ::testing::Test {
 protected:
  ConnectionPool<FakeConnection> pool_{
      [this](Deadline) -> Result<std::unique_ptr<FakeConnection>> {
        if (refuse_) {
          return Status::Unavailable("connection refused");
        }
        return std::make_unique<FakeConnection>(FakeConnection{++connects_});
      },
      2};
  std::atomic<int> connects_{0};
  std::atomic<bool> refuse_{false};
};

TEST_F(ConnectionPoolTest, AReturnedConnectionIsReused) {
  {
    auto lease = pool_.Acquire(In(100));
    ASSERT_TRUE(lease.ok());
    EXPECT_EQ((*lease)->id, 1);
  }
  auto again = pool_.Acquire(In(100));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->id, 1);
  EXPECT_EQ(connects_, 1);
}

TEST_F(ConnectionPoolTest, ADiscardedConnectionIsReplacedByANewOne) {
  {
    auto lease = pool_.Acquire(In(100));
    ASSERT_TRUE(lease.ok());
    lease->Discard();
  }
  EXPECT_EQ(pool_.open(), 0u);
  auto again = pool_.Acquire(In(100));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->id, 2);
}

TEST_F(ConnectionPoolTest, NeverOpensMoreThanItsLimitAndWaitsForAReturn) {
  auto a = pool_.Acquire(In(100));
  auto b = pool_.Acquire(In(100));
  ASSERT_TRUE(a.ok() && b.ok());
  auto c = pool_.Acquire(In(50));
  EXPECT_EQ(c.status().code(), StatusCode::kTimeout);
  EXPECT_EQ(pool_.open(), 2u);

  std::thread returner([lease = std::move(*a)]() mutable {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    auto gone = std::move(lease);  // destroyed at the end of this scope: returned to the pool
  });
  auto d = pool_.Acquire(In(2000));
  returner.join();
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ((*d)->id, 1);
  EXPECT_EQ(connects_, 2);
}

TEST_F(ConnectionPoolTest, AFailedConnectFreesItsSlot) {
  refuse_ = true;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(pool_.Acquire(In(100)).status().ToString(), "unavailable: connection refused");
  }
  EXPECT_EQ(pool_.open(), 0u);
  refuse_ = false;
  EXPECT_TRUE(pool_.Acquire(In(100)).ok());
}

TEST(SystemResourcesTest, MakesEachObjectOnceAndKeepsItPerKey) {
  SystemResources resources;
  int made = 0;
  auto make = [&] {
    ++made;
    return std::make_shared<int>(made);
  };
  int& first = resources.Get<int>("redis/cache", make);
  int& again = resources.Get<int>("redis/cache", make);
  int& other = resources.Get<int>("redis/sessions", make);
  EXPECT_EQ(&first, &again);
  EXPECT_NE(&first, &other);
  EXPECT_EQ(made, 2);
}

}  // namespace
}  // namespace rekey
