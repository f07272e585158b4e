#include "inventory/diagnostics.h"

#include <algorithm>

namespace rekey {

void Diagnostics::Error(SourcePos pos, std::string message, std::string hint) {
  errors_.push_back({pos, std::move(message), std::move(hint)});
}

std::string Diagnostics::Where(SourcePos pos) const {
  return file_ + ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
}

std::string Diagnostics::Format() const {
  std::vector<Diagnostic> sorted = errors_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.pos.line, a.pos.column) < std::tie(b.pos.line, b.pos.column);
  });
  std::string out;
  for (const Diagnostic& d : sorted) {
    out += Where(d.pos) + ": error: " + d.message + "\n";
    if (!d.hint.empty()) {
      out += "  hint: " + d.hint + "\n";
    }
  }
  return out;
}

}  // namespace rekey
