#include "base/worker_pool.h"

#include <cstdio>
#include <cstdlib>
#include <system_error>

namespace rekey {

WorkerPool::~WorkerPool() {
  std::unique_lock lock(mu_);
  stopping_ = true;
  ready_.notify_all();
  // A task still running may submit another, which may start a thread: join until none is new.
  while (!threads_.empty()) {
    std::vector<std::thread> threads;
    threads.swap(threads_);
    lock.unlock();
    for (std::thread& t : threads) {
      t.join();
    }
    lock.lock();
  }
}

void WorkerPool::Submit(std::function<void()> task) {
  std::lock_guard lock(mu_);
  tasks_.push_back(std::move(task));
  if (tasks_.size() > idle_) {
    try {
      threads_.emplace_back([this] { Serve(); });
    } catch (const std::system_error& e) {
      // Out of threads (RLIMIT_NPROC, memory). Callers cannot go on without the task, and
      // unwinding would leave running tasks with their run gone: stopping is the crash the
      // journal is made for, and `rekey resume` finishes the runs.
      std::fprintf(stderr, "rekey: cannot start a thread: %s\n", e.what());
      std::abort();
    }
    ++idle_;  // until it takes a task
  } else {
    ready_.notify_one();
  }
}

size_t WorkerPool::threads() const {
  std::lock_guard lock(mu_);
  return threads_.size();
}

size_t WorkerPool::idle_threads() const {
  std::lock_guard lock(mu_);
  return idle_;
}

void WorkerPool::Serve() {
  std::unique_lock lock(mu_);
  for (;;) {
    ready_.wait(lock, [&] { return !tasks_.empty() || stopping_; });
    if (tasks_.empty()) {
      return;
    }
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    --idle_;
    lock.unlock();
    task();
    task = nullptr;  // its captures go before the thread counts as idle
    lock.lock();
    ++idle_;
  }
}

}  // namespace rekey
