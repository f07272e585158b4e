#include "testing/basic_auth.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "base/subprocess.h"
#include "testing/services.h"

namespace rekey::testing_services {

int BasicAuthAnswer(const std::string& path, const std::string& user, std::string_view password) {
  std::string config = "user = \"" + user + ":" + std::string(password) + "\"\n";
  ProcessSpec spec;
  spec.argv = {"curl",      "-s", "-o",
               "/dev/null", "-w", "%{http_code}",
               "-K",        "-",  Get("REKEY_NGINX_URL") + path};
  spec.stdin_data = config;
  auto r = RunProcess(spec);
  bool asked = r.ok() && r->exit_code == 0;
  EXPECT_TRUE(asked) << (r.ok() ? r->stderr_data : r.status().ToString());
  return asked ? std::atoi(r->stdout_data.c_str()) : -1;
}

bool ApacheVerifies(const std::string& file, const std::string& user, std::string_view password) {
  ProcessSpec spec;
  spec.argv = {"htpasswd", "-v", "-i", file, user};
  spec.stdin_data = password;
  auto r = RunProcess(spec);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() && r->exit_code == 0;
}

std::string ApacheLine(const std::string& user, std::string_view password) {
  ProcessSpec spec;
  spec.argv = {"htpasswd", "-n", "-B", "-C", "4", "-i", user};
  spec.stdin_data = password;
  auto r = RunProcess(spec);
  bool made = r.ok() && r->exit_code == 0;
  EXPECT_TRUE(made) << (r.ok() ? r->stderr_data : r.status().ToString());
  return made ? r->stdout_data.substr(0, r->stdout_data.find('\n')) : "";
}

}  // namespace rekey::testing_services
