#include "connectors/redis/redis_connection.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

namespace rekey::redis {
namespace {

struct FreeReply {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};

// What is left of DEADLINE as a timeval; at least 1 ms, so that hiredis never blocks forever.
timeval Remaining(Deadline deadline) {
  auto left = std::chrono::duration_cast<std::chrono::microseconds>(
      deadline - std::chrono::steady_clock::now());
  long long us = std::max<long long>(left.count(), 1000);
  return timeval{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
}

Reply Convert(const redisReply& r) {
  Reply out;
  switch (r.type) {
    case REDIS_REPLY_STATUS:
      out.type = Reply::Type::kStatus;
      break;
    case REDIS_REPLY_ERROR:
      out.type = Reply::Type::kError;
      break;
    case REDIS_REPLY_INTEGER:
      out.type = Reply::Type::kInteger;
      out.integer = r.integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = Reply::Type::kString;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = Reply::Type::kArray;
      for (size_t i = 0; i < r.elements; ++i) {
        out.elements.push_back(Convert(*r.element[i]));
      }
      break;
    default:
      out.type = Reply::Type::kNil;
  }
  if (r.str != nullptr && r.type != REDIS_REPLY_INTEGER) {
    out.text.assign(r.str, r.len);
  }
  return out;
}

}  // namespace

void RedisConnection::Free::operator()(redisContext* c) const { redisFree(c); }

Result<std::unique_ptr<RedisConnection>> RedisConnection::Open(const std::string& host, int port,
                                                               Deadline deadline) {
  if (std::chrono::steady_clock::now() >= deadline) {
    return Status::Timeout("the deadline passed before connecting to " + host);
  }
  std::unique_ptr<redisContext, Free> c(
      redisConnectWithTimeout(host.c_str(), port, Remaining(deadline)));
  if (c == nullptr) {
    return Status::Unavailable("cannot allocate a connection to " + host);
  }
  if (c->err != 0) {
    return Status::Unavailable("cannot connect to " + host + ":" + std::to_string(port) + ": " +
                               c->errstr);
  }
  return std::make_unique<RedisConnection>(std::move(c));
}

Result<Reply> RedisConnection::Command(const std::vector<std::string_view>& argv,
                                       Deadline deadline) {
  if (broken_) {
    return Status::Unavailable("the connection failed earlier");
  }
  if (std::chrono::steady_clock::now() >= deadline) {
    return Status::Timeout("the deadline passed before the command was sent");
  }
  redisSetTimeout(context_.get(), Remaining(deadline));
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  for (std::string_view a : argv) {
    args.push_back(a.data());
    lengths.push_back(a.size());
  }
  std::unique_ptr<redisReply, FreeReply> reply(static_cast<redisReply*>(redisCommandArgv(
      context_.get(), static_cast<int>(args.size()), args.data(), lengths.data())));
  if (reply == nullptr) {
    broken_ = true;  // hiredis: the context is unusable after an I/O error
    bool timed_out = context_->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK);
    std::string why = context_->errstr;
    return timed_out ? Status::Timeout("no reply before the deadline")
                     : Status::Unavailable("connection failed: " + why);
  }
  return Convert(*reply);
}

}  // namespace rekey::redis
