#include "core/duration.h"

#include <array>
#include <cctype>
#include <utility>

namespace rekey {
namespace {

using std::chrono::milliseconds;

constexpr std::array<std::pair<std::string_view, int64_t>, 6> kUnits = {{
    {"w", 7 * 86400000LL},
    {"d", 86400000LL},
    {"h", 3600000LL},
    {"m", 60000LL},
    {"s", 1000LL},
    {"ms", 1LL},
}};

Status Bad(std::string_view text) {
  return Status::InvalidArgument("bad duration \"" + std::string(text) +
                                 "\": expected a number and a unit (ms, s, m, h, d, w), "
                                 "e.g. 30d, 1h30m, 500ms");
}

}  // namespace

Result<milliseconds> ParseDuration(std::string_view text) {
  int64_t total = 0;
  size_t i = 0;
  if (text.empty()) {
    return Bad(text);
  }
  while (i < text.size()) {
    size_t start = i;
    int64_t n = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      n = n * 10 + (text[i] - '0');
      if (n > 1'000'000'000) {
        return Bad(text);
      }
      ++i;
    }
    if (i == start) {
      return Bad(text);
    }
    size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) {
      ++i;
    }
    std::string_view unit = text.substr(unit_start, i - unit_start);
    int64_t scale = 0;
    for (const auto& [name, ms] : kUnits) {
      if (name == unit) {
        scale = ms;
      }
    }
    if (scale == 0) {
      return Bad(text);
    }
    total += n * scale;
  }
  if (total == 0) {
    return Status::InvalidArgument("bad duration \"" + std::string(text) +
                                   "\": must be greater than zero");
  }
  return milliseconds(total);
}

std::string FormatDuration(milliseconds d) {
  int64_t left = d.count();
  if (left == 0) {
    return "0s";
  }
  std::string out;
  for (const auto& [name, ms] : kUnits) {
    if (name == "w") {
      continue;  // "14d" reads better than "2w"
    }
    if (left >= ms) {
      out += std::to_string(left / ms) + std::string(name);
      left %= ms;
    }
  }
  return out;
}

}  // namespace rekey
