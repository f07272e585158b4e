#include "testing/services.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>

namespace rekey::testing_services {
namespace {

std::map<std::string, std::string> Load() {
  std::map<std::string, std::string> vars;
  std::ifstream in(Dir() + "/env");
  for (std::string line; std::getline(in, line);) {
    if (size_t eq = line.find('='); eq != std::string::npos) {
      vars[line.substr(0, eq)] = line.substr(eq + 1);
    }
  }
  return vars;
}

}  // namespace

std::string Dir() {
  const char* dir = std::getenv("REKEY_SERVICES_DIR");
  return dir != nullptr ? dir : REKEY_SERVICES_DIR_DEFAULT;
}

std::string Get(const std::string& key) {
  static std::once_flag once;
  static std::map<std::string, std::string> vars;
  std::call_once(once, [] { vars = Load(); });
  auto it = vars.find(key);
  if (it == vars.end()) {
    ADD_FAILURE() << key << " is not in " << Dir() << "/env: the test servers are not running; "
                  << "start them with: scripts/test-services --dir " << Dir() << " start";
    return "";
  }
  return it->second;
}

std::string ReadFileNamedBy(const std::string& key) {
  std::string path = Get(key);
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) {
    ADD_FAILURE() << "cannot read " << path << " (" << key << ")";
  }
  return text.str();
}

}  // namespace rekey::testing_services
