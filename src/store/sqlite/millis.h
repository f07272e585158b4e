// The store's time encoding: integer milliseconds since the Unix epoch (UTC), NULL for "not yet".
// Finer precision is truncated (floored) on the way in.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "base/env.h"

namespace rekey::sqlite {

// Empty for the zero time (SystemTime{}), which the records use for "not yet".
inline std::optional<int64_t> ToMillis(SystemTime t) {
  if (t == SystemTime{}) {
    return std::nullopt;
  }
  return std::chrono::floor<Millis>(t.time_since_epoch()).count();
}

// Empty only when T is empty: an explicit time, even the epoch, is kept.
inline std::optional<int64_t> ToMillis(std::optional<SystemTime> t) {
  if (!t.has_value()) {
    return std::nullopt;
  }
  return std::chrono::floor<Millis>(t->time_since_epoch()).count();
}

// The zero time for NULL.
inline SystemTime FromMillis(std::optional<int64_t> ms) {
  return ms.has_value() ? SystemTime(Millis(*ms)) : SystemTime{};
}

inline std::optional<SystemTime> OptionalFromMillis(std::optional<int64_t> ms) {
  if (!ms.has_value()) {
    return std::nullopt;
  }
  return SystemTime(Millis(*ms));
}

}  // namespace rekey::sqlite
