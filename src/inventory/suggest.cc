#include "inventory/suggest.h"

#include <algorithm>

namespace rekey {
namespace {

// Optimal string alignment distance: insertions, deletions, substitutions and transpositions of
// neighbours ("feild" -> "field") each cost 1.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) {
    d[i][0] = i;
  }
  for (size_t j = 0; j <= b.size(); ++j) {
    d[0][j] = j;
  }
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1] ? 1 : 0)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::string ClosestMatch(std::string_view word, std::span<const std::string_view> candidates) {
  size_t best = std::max<size_t>(1, word.size() / 3) + 1;
  std::string_view match;
  for (std::string_view c : candidates) {
    // A candidate the word begins ("base64" for "base64url") is as good as one typo away.
    size_t d = c.size() > word.size() && c.starts_with(word) && word.size() >= 3
                   ? 1
                   : EditDistance(word, c);
    if (d < best) {
      best = d;
      match = c;
    }
  }
  return std::string(match);
}

std::string SuggestHint(std::string_view word, std::span<const std::string_view> candidates) {
  std::string match = ClosestMatch(word, candidates);
  if (!match.empty()) {
    return "did you mean \"" + match + "\"?";
  }
  std::string list;
  for (std::string_view c : candidates) {
    list += (list.empty() ? "" : ", ") + std::string(c);
  }
  return "expected one of: " + list;
}

}  // namespace rekey
