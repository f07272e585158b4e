// GroupCommit: leader/follower batching of durable writes. Each caller queues its item and waits;
// the first caller to find no batch being written takes the whole queue and writes it (one
// fsync for all), while the items arriving meanwhile form the next batch. Every caller returns
// only after the batch holding its item was written, so batching changes cost, not guarantees.
// Used by the audit log and the SQLite store.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <type_traits>
#include <vector>

namespace rekey {

template <typename Item>
class GroupCommit {
 public:
  // Queues ITEM and returns once a call of WRITE_BATCH (on this thread or another) has been given
  // it and returned. WRITE_BATCH(const std::vector<Item*>&), noexcept, runs without this object's
  // lock, on one thread at a time, and must record each item's outcome in the item. Thread-safe.
  //
  // Each caller waits on a signal of its own, and the leader wakes exactly the callers of the
  // batch it wrote and the next batch's leader: one condition variable shared by all woke every
  // waiting thread at every batch, most of them to sleep again (three quarters of a bulk run's
  // futex calls, with 50 runs at once).
  template <typename WriteBatch>
  void Submit(Item* item, WriteBatch&& write_batch) {
    // A leader unwound by an exception would leave writing_ set and every caller waiting for
    // ever, holding its run's lease; noexcept makes it a crash instead, which resume finishes.
    static_assert(std::is_nothrow_invocable_v<WriteBatch&, const std::vector<Item*>&>,
                  "write_batch must be noexcept: it records failures in the items");
    auto me = std::make_shared<Waiter>(item);
    std::unique_lock lock(mu_);
    queue_.push_back(me);
    if (writing_) {
      lock.unlock();
      if (me->Wait() == Waiter::kWritten) {
        return;
      }
      lock.lock();  // the previous leader left this thread the queue, writing_ still set
    }
    writing_ = true;
    std::vector<std::shared_ptr<Waiter>> batch;
    batch.swap(queue_);
    lock.unlock();
    std::vector<Item*> items;
    for (const auto& w : batch) {
      items.push_back(w->item);
    }
    write_batch(items);
    lock.lock();
    std::shared_ptr<Waiter> next = queue_.empty() ? nullptr : queue_.front();
    writing_ = next != nullptr;
    lock.unlock();
    for (const auto& w : batch) {
      if (w != me) {
        w->Signal(Waiter::kWritten);
      }
    }
    if (next) {
      next->Signal(Waiter::kLead);
    }
  }

 private:
  // One caller's item and the signal it waits for. Shared with the leader, so that signalling
  // after the caller has gone is safe.
  struct Waiter {
    enum Outcome { kWaiting, kWritten, kLead };
    explicit Waiter(Item* i) : item(i) {}
    Outcome Wait() {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return outcome != kWaiting; });
      return outcome;
    }
    void Signal(Outcome o) {
      {
        std::lock_guard lock(mu);
        outcome = o;
      }
      cv.notify_one();
    }
    Item* item;
    std::mutex mu;
    std::condition_variable cv;
    Outcome outcome = kWaiting;  // guarded by mu
  };

  std::mutex mu_;
  std::vector<std::shared_ptr<Waiter>> queue_;  // items no batch has taken yet; guarded by mu_
  bool writing_ = false;  // a thread is writing a batch or has been made the next leader
};

}  // namespace rekey
