#include "base/group_commit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <thread>

namespace rekey {
namespace {

struct Item {
  int id = 0;
  int written = 0;  // times a batch wrote it
  int batch = -1;   // which batch
};

// 8 threads submit 40 items each while every batch takes a millisecond to "fsync": each item
// is written exactly once, by one batch, before its Submit returns, and batches hold several.
TEST(GroupCommitTest, EveryItemIsWrittenOnceBeforeSubmitReturnsAndBatchesShareTheCost) {
  GroupCommit<Item> commits;
  std::atomic<int> batches{0};
  std::atomic<int> writers{0};
  std::vector<Item> items(8 * 40);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        Item& item = items[t * 40 + i];
        item.id = t * 40 + i;
        commits.Submit(&item, [&](const std::vector<Item*>& batch) noexcept {
          EXPECT_EQ(++writers, 1) << "two batches written at once";
          int n = batches++;
          for (Item* b : batch) {
            ++b->written;
            b->batch = n;
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
          --writers;
        });
        EXPECT_EQ(item.written, 1) << "Submit returned before its item was written";
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  for (const Item& item : items) {
    EXPECT_EQ(item.written, 1) << item.id;
  }
  EXPECT_LT(batches.load(), static_cast<int>(items.size()) / 2) << "no batching happened";
}

}  // namespace
}  // namespace rekey
