// Diagnostics: the errors found in an inventory, each with its position, what is wrong and what
// would be right. All are collected (not only the first) and printed as
// "FILE:LINE:COL: error: MESSAGE" followed by an indented hint, like a compiler.
#pragma once

#include <string>
#include <vector>

#include "core/inventory.h"

namespace rekey {

struct Diagnostic {
  SourcePos pos;
  std::string message;  // never contains a secret value
  std::string hint;     // may be empty
};

class Diagnostics {
 public:
  explicit Diagnostics(std::string file) : file_(std::move(file)) {}

  void Error(SourcePos pos, std::string message, std::string hint = "");
  bool empty() const { return errors_.empty(); }
  size_t size() const { return errors_.size(); }
  const std::vector<Diagnostic>& errors() const { return errors_; }
  const std::string& file() const { return file_; }

  // Every error, ordered by position, one "FILE:LINE:COL: error: ..." line each (plus a
  // "  hint: ..." line where there is a hint).
  std::string Format() const;
  // "FILE:LINE:COL", for hints that point at another place.
  std::string Where(SourcePos pos) const;

 private:
  std::string file_;
  std::vector<Diagnostic> errors_;
};

}  // namespace rekey
