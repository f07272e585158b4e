// GitlabFake: GitLab's project- and group-level CI/CD variables API (REST v4), as documented
// (docs.gitlab.com/api/project_level_variables, group_level_variables), in memory: show,
// create, update with filter[environment_scope], masked values (refused when they cannot be
// masked), hidden variables (their value never returned), PRIVATE-TOKEN checks and GitLab's
// {"message": ...} errors. For tests that cannot run a real GitLab.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>

#include "testing/fakes/fake_api.h"

namespace rekey::testing_fakes {

class GitlabFake {
 public:
  // Serves requests carrying PRIVATE-TOKEN TOKEN; others get 401.
  explicit GitlabFake(std::string token);

  std::string url() const { return api_.url(); }
  // Failure answers ({"message": ...}), hooks and the request log.
  FakeApi& api() { return api_; }

  // Sets the variable KEY in SCOPE of OWNER ("projects/group/app" or "groups/7") to VARIABLE
  // (GitLab's attributes: value, masked, protected, hidden...).
  void Set(const std::string& owner, const std::string& key, const std::string& scope,
           nlohmann::json variable);
  // The variable as stored (value included even when hidden); null when absent.
  nlohmann::json Get(const std::string& owner, const std::string& key,
                     const std::string& scope) const;

 private:
  using Id = std::tuple<std::string, std::string, std::string>;  // owner, key, scope
  testing_http::Response Handle(const testing_http::Request& r);

  const std::string token_;
  mutable std::mutex mu_;
  std::map<Id, nlohmann::json> variables_;
  FakeApi api_;  // last: stops serving before the state it serves goes
};

}  // namespace rekey::testing_fakes
