// A lexical check alone is not enough: a directory under root may be a symbolic link out of it.
// realpath(3) is called directly, not through Env, because it is the kernel's view that matters.
#include "connectors/file/path_guard.h"

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <optional>

#include "base/posix_io.h"

namespace rekey::file {
namespace {

// lexically_normal() only computes on strings; it does not throw filesystem_error.
std::string Lexical(const std::string& path) {
  return std::filesystem::path(path).lexically_normal().string();
}

std::optional<std::string> RealPath(const std::string& path) {
  std::unique_ptr<char, decltype(&::free)> resolved(::realpath(path.c_str(), nullptr), &::free);
  if (!resolved) {
    return std::nullopt;
  }
  return std::string(resolved.get());
}

// REQUIRES: PATH is absolute, normalised and names a file.
std::string Resolve(const std::string& path) {
  if (std::optional<std::string> whole = RealPath(path)) {
    return *whole;
  }
  size_t slash = path.rfind('/');
  std::optional<std::string> parent = RealPath(DirName(path));
  if (!parent) {
    return path;
  }
  return (*parent == "/" ? "" : *parent) + path.substr(slash);
}

bool IsUnder(const std::string& path, const std::string& root) {
  if (root == "/") {
    return path.size() > 1;
  }
  return path.size() > root.size() + 1 && path.starts_with(root) && path[root.size()] == '/';
}

}  // namespace

Result<std::string> ResolveHolderPath(const std::string& path, const std::string* root) {
  if (!path.starts_with('/')) {
    return Status::InvalidArgument("path " + path + " is not absolute");
  }
  std::string normal = Lexical(path);
  if (normal.ends_with('/')) {
    return Status::InvalidArgument("path " + path + " names a directory, not a file");
  }
  std::string resolved = Resolve(normal);
  if (root == nullptr) {
    return resolved;
  }
  if (!root->starts_with('/')) {
    return Status::InvalidArgument("root " + *root + " is not absolute");
  }
  std::string normal_root = Lexical(*root);
  if (normal_root.size() > 1 && normal_root.ends_with('/')) {
    normal_root.pop_back();
  }
  if (!IsUnder(resolved, RealPath(normal_root).value_or(normal_root))) {
    return Status::InvalidArgument("path " + path + " is outside root " + *root);
  }
  return resolved;
}

}  // namespace rekey::file
