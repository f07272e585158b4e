// KubernetesFake: the core/v1 Secret endpoints of a Kubernetes API server, as documented
// (kubernetes.io/docs/reference/kubernetes-api/config-and-storage-resources/secret-v1/), in
// memory: GET and PATCH (JSON merge patch and strategic merge patch, which for a Secret's data
// map act the same) of /api/v1/namespaces/NS/secrets/NAME, resourceVersion checked on PATCH
// (409 Conflict), bearer-token checks and metav1.Status error bodies.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "testing/fakes/fake_api.h"

namespace rekey::testing_fakes {

class KubernetesFake {
 public:
  // Serves requests carrying "Authorization: Bearer TOKEN"; others get 401.
  explicit KubernetesFake(std::string token);

  std::string url() const { return api_.url(); }
  // Failure answers (Status bodies), hooks and the request log.
  FakeApi& api() { return api_; }

  // Sets data[KEY] of Secret NS/NAME to VALUE (clear; stored base64), creating the Secret, and
  // moves its resourceVersion on.
  void Set(const std::string& ns, const std::string& name, const std::string& key,
           const std::string& value);
  // data[KEY] of NS/NAME, decoded; "" when absent.
  std::string Value(const std::string& ns, const std::string& name, const std::string& key) const;
  // The Secret's resourceVersion (0 when absent).
  int Version(const std::string& ns, const std::string& name) const;

 private:
  testing_http::Response Handle(const testing_http::Request& r);

  const std::string token_;
  mutable std::mutex mu_;
  int next_version_ = 100;
  std::map<std::string, nlohmann::json> secrets_;  // "ns/name" -> the Secret object
  FakeApi api_;  // last: stops serving before the state it serves goes
};

}  // namespace rekey::testing_fakes
