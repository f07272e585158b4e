// RedisConnection: one hiredis connection, owned (RAII), with commands sent as binary-safe argv
// and every blocking call bounded by a deadline. hiredis reports I/O failures on the context and
// server errors as error replies; this keeps the two apart, because only the first means the
// connection is unusable.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "connectors/connector.h"

struct redisContext;
struct redisReply;

namespace rekey::redis {

// A reply, with the parts rekey reads. An error reply is a Reply, not a failed Result.
struct Reply {
  enum class Type { kStatus, kError, kInteger, kString, kArray, kNil };
  Type type = Type::kNil;
  std::string text;  // status, error or string
  long long integer = 0;
  std::vector<Reply> elements;

  bool IsError() const { return type == Type::kError; }
  // "WRONGPASS" for "WRONGPASS invalid username-password pair".
  std::string_view ErrorCode() const { return std::string_view(text).substr(0, text.find(' ')); }
};

class RedisConnection {
 public:
  // Connects to HOST:PORT within DEADLINE. unavailable when the server cannot be reached.
  static Result<std::unique_ptr<RedisConnection>> Open(const std::string& host, int port,
                                                       Deadline deadline);

  // Sends ARGV as one command and reads its reply within DEADLINE. unavailable when the
  // connection failed (then broken() is true: do not reuse it); timeout past the deadline.
  // Arguments are not kept after the call.
  Result<Reply> Command(const std::vector<std::string_view>& argv, Deadline deadline);

  bool broken() const { return broken_; }

  struct Free {
    void operator()(redisContext* c) const;
  };
  // Use Open.
  explicit RedisConnection(std::unique_ptr<redisContext, Free> context)
      : context_(std::move(context)) {}

 private:
  std::unique_ptr<redisContext, Free> context_;
  bool broken_ = false;
};

}  // namespace rekey::redis
