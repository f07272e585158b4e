// WorkerPool: threads that outlive the tasks they run, shared by everything a process executes at
// once (the steps of every run of `run --all`). A task starts at once, on an idle thread or on a
// new one: tasks block on the network and the disk, so a bound would only queue work behind a
// slow server. Threads are kept until the pool is destroyed, so a process starts a thread per
// task in flight at its busiest, not one per task: a thread's start and its stack's unmapping
// (an IPI to every core, costly in a VM) were a fifth of a bulk reset's CPU.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace rekey {

class WorkerPool {
 public:
  WorkerPool() = default;
  // Runs the tasks still queued, then joins every thread.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs TASK on a pool thread. Thread-safe; may be called from a task. Aborts the process when
  // no thread can be started.
  void Submit(std::function<void()> task);

  // Threads started so far, and those of them waiting for a task (for tests and benchmarks).
  size_t threads() const;
  size_t idle_threads() const;

 private:
  void Serve();

  mutable std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;  // guarded by mu_
  std::vector<std::thread> threads_;         // guarded by mu_
  size_t idle_ = 0;                          // threads waiting for a task; guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
};

}  // namespace rekey
