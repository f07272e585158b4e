// GroupCommit: leader/follower batching of durable writes. Each caller queues its item and waits;
// the first caller to find no batch being written takes the whole queue and writes it (one
// fsync for all), while the items arriving meanwhile form the next batch. Every caller returns
// only after the batch holding its item was written, so batching changes cost, not guarantees.
// Used by the audit log and the SQLite store.
#pragma once

#include <condition_variable>
#include <mutex>
#include <vector>

namespace rekey {

template <typename Item>
class GroupCommit {
 public:
  // Queues ITEM and returns once a call of WRITE_BATCH (on this thread or another) has been given
  // it and returned. WRITE_BATCH(const std::vector<Item*>&) runs without this object's lock, on
  // one thread at a time, and must record each item's outcome in the item. Thread-safe.
  template <typename WriteBatch>
  void Submit(Item* item, WriteBatch&& write_batch) {
    Entry me{item};
    std::unique_lock<std::mutex> lock(mu_);
    queue_.push_back(&me);
    written_.wait(lock, [&] { return me.done || !writing_; });
    if (me.done) {
      return;
    }
    std::vector<Entry*> batch;
    batch.swap(queue_);
    writing_ = true;
    lock.unlock();
    std::vector<Item*> items;
    for (Entry* e : batch) {
      items.push_back(e->item);
    }
    write_batch(items);
    lock.lock();
    writing_ = false;
    for (Entry* e : batch) {
      e->done = true;
    }
    written_.notify_all();
  }

 private:
  struct Entry {
    Item* item;
    bool done = false;
  };
  std::mutex mu_;
  std::condition_variable written_;
  std::vector<Entry*> queue_;  // items no batch has taken yet
  bool writing_ = false;       // a thread is writing a batch; the queue waits for it
};

}  // namespace rekey
