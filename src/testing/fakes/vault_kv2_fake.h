// VaultKv2Fake: the HashiCorp Vault (and OpenBao) KV version 2 HTTP API, as documented
// (developer.hashicorp.com/vault/api-docs/secret/kv/kv-v2), in memory on an HttpTestServer:
// versioned secrets, check-and-set, metadata, soft delete and destroy, token and namespace
// checks, and the error shapes ({"errors":[...]}). For tests that cannot run a real Vault.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "testing/fakes/fake_api.h"

namespace rekey::testing_fakes {

class VaultKv2Fake {
 public:
  // Serves mount MOUNT to requests carrying X-Vault-Token TOKEN (and X-Vault-Namespace
  // NAMESPACE when it is not empty); others get 403 "permission denied".
  VaultKv2Fake(std::string mount, std::string token, std::string name_space = "");

  std::string url() const { return api_.url(); }
  // Failure answers ({"errors":[...]}), hooks and the request log.
  FakeApi& api() { return api_; }

  // Writes a new version of PATH holding DATA (a JSON object), as a client with no cas would.
  // Returns the version number.
  int Put(const std::string& path, nlohmann::json data);
  // The data of VERSION of PATH (0: the current one); null when absent, deleted or destroyed.
  nlohmann::json Data(const std::string& path, int version = 0) const;
  // The current version of PATH (0 when it has none).
  int CurrentVersion(const std::string& path) const;
  // Versions of PATH that were destroyed, in order.
  std::vector<int> Destroyed(const std::string& path) const;
  // Soft-deletes VERSION of PATH.
  void Delete(const std::string& path, int version);

 private:
  struct Version {
    nlohmann::json data;
    bool deleted = false;
    bool destroyed = false;
  };
  struct Secret {
    std::vector<Version> versions;  // versions[i] is version i + 1
  };
  testing_http::Response Handle(const testing_http::Request& r);
  testing_http::Response Serve(const testing_http::Request& r);
  testing_http::Response ReadData(const std::string& path, int version);
  testing_http::Response WriteData(const std::string& path, const nlohmann::json& body);
  testing_http::Response ReadMetadata(const std::string& path);
  testing_http::Response Destroy(const std::string& path, const nlohmann::json& body);

  const std::string mount_;
  const std::string token_;
  const std::string namespace_;
  mutable std::mutex mu_;
  std::map<std::string, Secret> secrets_;
  std::map<std::string, std::vector<int>> destroyed_;
  FakeApi api_;  // last: stops serving before the state it serves goes
};

}  // namespace rekey::testing_fakes
