// Test-only helpers for the exec tests: a temporary directory that is removed afterwards, and sh
// scripts written into it, so that tests run real processes whose behaviour they can read.
#pragma once

#include <stdlib.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "connectors/connector.h"
#include "testing/temp_dir.h"

namespace rekey::exec {

class ScriptDir {
 public:
  std::string Path(const std::string& name) const { return dir_.File(name); }

  // Writes an executable sh script NAME with BODY, in which $DIR is this directory.
  std::string Script(const std::string& name, const std::string& body) const {
    std::string path = Path(name);
    std::ofstream(path) << "#!/bin/sh\nDIR='" << dir_.path() << "'\n" << body << "\n";
    ::chmod(path.c_str(), 0755);
    return path;
  }

  // The content of file NAME, or "<absent>".
  std::string Read(const std::string& name) const {
    std::ifstream in(Path(name));
    if (!in) {
      return "<absent>";
    }
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  TempDir dir_{"exec"};
};

inline Deadline In(std::chrono::milliseconds d) { return std::chrono::steady_clock::now() + d; }
inline Deadline Soon() { return In(std::chrono::seconds(20)); }

}  // namespace rekey::exec
