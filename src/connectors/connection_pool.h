// ConnectionPool: admin connections to one system, opened on demand, reused by later callers,
// and bounded, so a run that works on many identities at once never opens more than the system
// allows. A connection that failed mid-use is discarded, never handed out again.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "base/result.h"
#include "connectors/connector.h"

namespace rekey {

// How many admin connections a system's pool may hold: its max_parallel, and at least one.
inline size_t AdminPoolSize(const System& system) {
  return static_cast<size_t>(std::max(1, system.max_parallel));
}

template <typename Conn>
class ConnectionPool {
 public:
  // Opens a new connection; its errors are returned by Acquire as they are.
  using Connect = std::function<Result<std::unique_ptr<Conn>>(Deadline)>;

  // At most MAX_OPEN connections exist at once (idle or leased). REQUIRES: MAX_OPEN > 0.
  ConnectionPool(Connect connect, size_t max_open)
      : connect_(std::move(connect)), max_open_(max_open) {}
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // One connection, held until the lease is destroyed, then returned to the pool (or closed,
  // after Discard).
  class Lease {
   public:
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), conn_(std::move(other.conn_)) {}
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (pool_ != nullptr) {
        pool_->Release(std::move(conn_));
      }
    }
    Conn& operator*() const { return *conn_; }
    Conn* operator->() const { return conn_.get(); }
    // The connection is broken (the server went away, the protocol is out of step): close it.
    void Discard() { conn_.reset(); }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<Conn> conn) : pool_(pool), conn_(std::move(conn)) {}
    ConnectionPool* pool_;
    std::unique_ptr<Conn> conn_;
  };

  // An idle connection, or a new one while fewer than MAX_OPEN exist; otherwise waits for one
  // to be returned until DEADLINE (then timeout). Thread-safe.
  Result<Lease> Acquire(Deadline deadline) {
    std::unique_lock lock(mu_);
    if (!returned_.wait_until(lock, deadline,
                              [&] { return !idle_.empty() || open_ < max_open_; })) {
      return Status::Timeout("no admin connection became free before the deadline (" +
                             std::to_string(max_open_) + " in use)");
    }
    if (!idle_.empty()) {
      std::unique_ptr<Conn> conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
    ++open_;  // reserved while connecting, outside the lock
    lock.unlock();
    Result<std::unique_ptr<Conn>> conn = connect_(deadline);
    if (!conn.ok()) {
      Release(nullptr);
      return conn.status();
    }
    return Lease(this, std::move(*conn));
  }

  // Connections open now, idle or leased (for tests and figures).
  size_t open() const {
    std::lock_guard lock(mu_);
    return open_;
  }

 private:
  void Release(std::unique_ptr<Conn> conn) {
    std::lock_guard lock(mu_);
    if (conn != nullptr) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;
    }
    returned_.notify_one();
  }

  const Connect connect_;
  const size_t max_open_;
  mutable std::mutex mu_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Conn>> idle_;
  size_t open_ = 0;
};

}  // namespace rekey
