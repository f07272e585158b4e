// Where a file holder may write: its path resolved as the kernel will resolve it, and confined to
// the system's `root` when one is set, so that `..` or a symbolic link cannot lead a write out of
// the tree an operator allowed.
#pragma once

#include <string>

#include "base/result.h"

namespace rekey::file {

// PATH lexically normalised, then resolved with realpath(3): the whole path when it exists (so a
// symbolic link is followed and its target written, not replaced), else its parent directory
// when that exists. invalid_argument when PATH (or ROOT) is not absolute, when PATH names a
// directory (ends with /), or when ROOT is non-null and the result is not strictly under ROOT
// (itself resolved the same way). Touches the real file system, not an Env: a path that exists
// only in a MemEnv is checked lexically.
Result<std::string> ResolveHolderPath(const std::string& path, const std::string* root);

}  // namespace rekey::file
