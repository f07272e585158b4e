#include "base/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>

namespace rekey {
namespace {

// Tasks that block until all have started: with any bound on threads this would deadlock.
TEST(WorkerPoolTest, EveryTaskStartsAtOnceEvenWhenTheOthersBlock) {
  WorkerPool pool;
  constexpr int kTasks = 16;
  std::latch all_started(kTasks);
  std::atomic<int> finished{0};
  for (int i = 0; i < kTasks; ++i) {
    pool.Submit([&] {
      all_started.arrive_and_wait();
      ++finished;
    });
  }
  all_started.wait();
  EXPECT_EQ(pool.threads(), static_cast<size_t>(kTasks));
  while (finished < kTasks) {
    std::this_thread::yield();
  }
}

// One task at a time, 100 times: an idle thread takes the next, so one thread serves them all.
TEST(WorkerPoolTest, IdleThreadsAreReusedRatherThanStartedPerTask) {
  WorkerPool pool;
  for (int i = 0; i < 100; ++i) {
    std::atomic<bool> done{false};
    pool.Submit([&] { done = true; });
    while (!done) {
      std::this_thread::yield();
    }
    while (pool.idle_threads() != pool.threads()) {  // back waiting for a task
      std::this_thread::yield();
    }
  }
  EXPECT_EQ(pool.threads(), 1u);
}

// The destructor runs what was queued, including tasks that queued more from a pool thread.
TEST(WorkerPoolTest, DestructionRunsEveryQueuedTaskIncludingOnesSubmittedByTasks) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool;
    for (int i = 0; i < 8; ++i) {
      pool.Submit([&] {
        ++ran;
        pool.Submit([&] { ++ran; });
      });
    }
  }
  EXPECT_EQ(ran, 16);
}

}  // namespace
}  // namespace rekey
