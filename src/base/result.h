// Result<T>: either a value or a non-OK Status. The return type of anything that produces a value
// and can fail.
#pragma once

#include <utility>
#include <variant>

#include "base/check.h"
#include "base/status.h"

namespace rekey {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit, so `return value;` works
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit, so `return status;` works
    REKEY_CHECK(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // OK when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  // REQUIRES: ok().
  T& value() & {
    REKEY_CHECK(ok());
    return std::get<T>(v_);
  }
  const T& value() const& {
    REKEY_CHECK(ok());
    return std::get<T>(v_);
  }
  T&& value() && {
    REKEY_CHECK(ok());
    return std::get<T>(std::move(v_));
  }
  // The value, or FALLBACK when this holds an error.
  T value_or(T fallback) const& { return ok() ? std::get<T>(v_) : std::move(fallback); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace rekey

// Evaluates EXPR (a Status); returns it from the enclosing function when not OK.
#define REKEY_RETURN_IF_ERROR(expr)         \
  do {                                      \
    ::rekey::Status rekey_status_ = (expr); \
    if (!rekey_status_.ok()) {              \
      return rekey_status_;                 \
    }                                       \
  } while (false)
