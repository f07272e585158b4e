// TempDir: a fresh private directory under /tmp for one test, removed with everything in it when
// destroyed. Test-only; linked into secret_test.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

#include "base/check.h"

namespace rekey {

class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/rekey-secret-test-XXXXXX";
    REKEY_CHECK(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // PATH inside the directory.
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace rekey
