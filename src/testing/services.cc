#include "testing/services.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>

namespace rekey::testing_services {
namespace {

using Vars = std::map<std::string, std::string>;

Vars Load(const std::string& dir) {
  Vars vars;
  std::ifstream in(dir + "/env");
  for (std::string line; std::getline(in, line);) {
    if (size_t eq = line.find('='); eq != std::string::npos) {
      vars[line.substr(0, eq)] = line.substr(eq + 1);
    }
  }
  return vars;
}

std::optional<Vars>& Private() {
  static std::optional<Vars> vars;
  return vars;
}

}  // namespace

std::string Dir() {
  const char* dir = std::getenv("REKEY_SERVICES_DIR");
  return dir != nullptr ? dir : REKEY_SERVICES_DIR_DEFAULT;
}

std::string Get(const std::string& key) {
  static std::once_flag once;
  static Vars vars;
  std::call_once(once, [] { vars = Load(Dir()); });
  auto it = vars.find(key);
  if (it == vars.end()) {
    ADD_FAILURE() << key << " is not in " << Dir() << "/env: the test servers are not running; "
                  << "start them with: scripts/test-services --dir " << Dir() << " start";
    return "";
  }
  return it->second;
}

void UsePrivate(const std::string& dir) { Private() = Load(dir); }

void UseShared() { Private().reset(); }

std::string Setting(const std::string& key) {
  if (!Private()) {
    return Get(key);
  }
  auto it = Private()->find(key);
  return it == Private()->end() ? "" : it->second;
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
