// Durations as written in inventories: a sequence of NUMBER UNIT pairs, units ms, s, m, h, d, w
// ("30d", "1h30m", "250ms").
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/result.h"

namespace rekey {

// invalid_argument (with what a valid duration looks like) for anything else, or for zero.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);
// The shortest text that parses back to D ("30d", "1h30m", "250ms").
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace rekey
