#include "base/status.h"

#include <array>
#include <utility>

namespace rekey {
namespace {

constexpr std::array<std::pair<StatusCode, std::string_view>, 10> kNames = {{
    {StatusCode::kOk, "ok"},
    {StatusCode::kInvalidArgument, "invalid_argument"},
    {StatusCode::kNotFound, "not_found"},
    {StatusCode::kPermissionDenied, "permission_denied"},
    {StatusCode::kUnavailable, "unavailable"},
    {StatusCode::kTimeout, "timeout"},
    {StatusCode::kConflict, "conflict"},
    {StatusCode::kCorruption, "corruption"},
    {StatusCode::kUnknownOutcome, "unknown_outcome"},
    {StatusCode::kInternal, "internal"},
}};

}  // namespace

std::string_view StatusCodeName(StatusCode code) {
  for (const auto& [c, name] : kNames) {
    if (c == code) {
      return name;
    }
  }
  return "internal";
}

StatusCode StatusCodeFromName(std::string_view name) {
  for (const auto& [c, n] : kNames) {
    if (n == name) {
      return c;
    }
  }
  return StatusCode::kInternal;
}

Status::Status(StatusCode code, std::string message) {
  if (code != StatusCode::kOk) {
    state_ = std::make_shared<const State>(State{code, std::move(message)});
  }
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return state_ ? state_->message : kEmpty;
}

std::string Status::ToString() const {
  if (ok()) {
    return "ok";
  }
  return std::string(StatusCodeName(code())) + ": " + message();
}

Status Status::WithContext(std::string_view prefix) const {
  if (ok()) {
    return *this;
  }
  Status s;
  s.state_ = std::make_shared<const State>(
      State{code(), std::string(prefix) + ": " + message(), retry_after()});
  return s;
}

Status Status::WithRetryAfter(std::chrono::milliseconds delay) const {
  if (ok()) {
    return *this;
  }
  Status s;
  s.state_ = std::make_shared<const State>(State{code(), message(), delay});
  return s;
}

}  // namespace rekey
