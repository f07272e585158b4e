// TempDir: a fresh private directory under /tmp for one test, removed with everything in it when
// destroyed. Header-only, so any test target can use it without linking rekey_testing.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "base/check.h"

namespace rekey {

class TempDir {
 public:
  // TAG names the directory (/tmp/rekey-TAG-XXXXXX), so a leftover one says whose it is.
  explicit TempDir(const std::string& tag) {
    std::string pattern = "/tmp/rekey-" + tag + "-XXXXXX";
    REKEY_CHECK(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // NAME inside the directory.
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace rekey
