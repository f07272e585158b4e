// Status: the outcome of an operation that can fail, with a code and a message. Cheap when OK.
// Modelled on leveldb's Status; codes follow STYLE.md. No exception crosses rekey's APIs.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace rekey {

enum class StatusCode {
  kOk,
  kInvalidArgument,  // the caller's input is wrong; retrying will not help
  kNotFound,
  kPermissionDenied,
  kUnavailable,     // retryable: the system could not be reached or asked us to come back
  kTimeout,         // retryable: the deadline passed; the outcome is unknown to the caller
  kConflict,        // e.g. another run holds the identity's lock
  kCorruption,      // persisted data failed a check
  kUnknownOutcome,  // the action may or may not have happened: ask the system before repeating
  kInternal,
};

// The stable lower-case name of a code ("invalid_argument"), used in JSON and the journal.
std::string_view StatusCodeName(StatusCode code);
// The inverse of StatusCodeName; kInternal for an unknown name.
StatusCode StatusCodeFromName(std::string_view name);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Timeout(std::string m) { return {StatusCode::kTimeout, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status UnknownOutcome(std::string m) {
    return {StatusCode::kUnknownOutcome, std::move(m)};
  }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  // The message without the code; empty when OK.
  const std::string& message() const;
  // "timeout: orders-db did not answer within 5s", or "ok".
  std::string ToString() const;

  // A retryable failure may succeed if the same step is tried again later.
  bool retryable() const {
    return code() == StatusCode::kUnavailable || code() == StatusCode::kTimeout;
  }

  // Returns a copy whose message is "PREFIX: message" (same code and retry hint); OK stays OK.
  Status WithContext(std::string_view prefix) const;

  // The system asked to be tried again no sooner than this (an HTTP Retry-After); zero when it
  // said nothing. Retries wait at least this long, whatever their backoff.
  std::chrono::milliseconds retry_after() const {
    return state_ ? state_->retry_after : std::chrono::milliseconds(0);
  }
  // A copy carrying the hint DELAY; OK stays OK.
  Status WithRetryAfter(std::chrono::milliseconds delay) const;

 private:
  struct State {
    StatusCode code;
    std::string message;
    std::chrono::milliseconds retry_after{0};
  };
  std::shared_ptr<const State> state_;  // null when OK: copying an OK Status costs nothing
};

}  // namespace rekey
