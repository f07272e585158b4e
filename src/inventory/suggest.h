// Suggestions for misspelt names: "did you mean ...?" from the closest candidate by edit
// distance.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rekey {

// The candidate closest to WORD when it is close enough to be a plausible typo (distance at
// most a third of its length, at least 1; or WORD begins the candidate), else empty.
std::string ClosestMatch(std::string_view word, std::span<const std::string_view> candidates);

// A hint for an unknown WORD: `did you mean "x"?` when a candidate is close, else
// "expected one of: a, b, c".
std::string SuggestHint(std::string_view word, std::span<const std::string_view> candidates);

}  // namespace rekey
