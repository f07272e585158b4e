#include "testing/fakes/vault_kv2_fake.h"

#include <cstdlib>

namespace rekey::testing_fakes {
namespace {

using nlohmann::json;
using testing_http::Response;

Response Json(int status, const json& body) {
  return {status, {{"Content-Type", "application/json"}}, body.dump()};
}
Response Errors(int status, const std::string& message) {
  return Json(status, {{"errors", json::array({message})}});
}

const char* kTime = "2026-01-01T00:00:00.000000Z";

// "version=N" in QUERY, or 0.
int VersionParam(const std::string& target) {
  size_t q = target.find('?');
  if (q == std::string::npos) {
    return 0;
  }
  size_t at = target.find("version=", q);
  return at == std::string::npos ? 0 : std::atoi(target.c_str() + at + 8);
}

}  // namespace

VaultKv2Fake::VaultKv2Fake(std::string mount, std::string token, std::string name_space)
    : mount_(std::move(mount)),
      token_(std::move(token)),
      namespace_(std::move(name_space)),
      api_([this](const testing_http::Request& r) { return Handle(r); },
           [](int status) {
             return json{
                 {"errors", json::array({status == 403 ? "permission denied" : "try again later"})}}
                 .dump();
           }) {}

int VaultKv2Fake::Put(const std::string& path, json data) {
  std::lock_guard lock(mu_);
  secrets_[path].versions.push_back({std::move(data)});
  return static_cast<int>(secrets_[path].versions.size());
}

json VaultKv2Fake::Data(const std::string& path, int version) const {
  std::lock_guard lock(mu_);
  auto it = secrets_.find(path);
  if (it == secrets_.end() || it->second.versions.empty()) {
    return nullptr;
  }
  int n = version == 0 ? static_cast<int>(it->second.versions.size()) : version;
  if (n < 1 || n > static_cast<int>(it->second.versions.size())) {
    return nullptr;
  }
  const Version& v = it->second.versions[n - 1];
  return v.deleted || v.destroyed ? json(nullptr) : v.data;
}

int VaultKv2Fake::CurrentVersion(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = secrets_.find(path);
  return it == secrets_.end() ? 0 : static_cast<int>(it->second.versions.size());
}

std::vector<int> VaultKv2Fake::Destroyed(const std::string& path) const {
  std::lock_guard lock(mu_);
  auto it = destroyed_.find(path);
  return it == destroyed_.end() ? std::vector<int>{} : it->second;
}

void VaultKv2Fake::Delete(const std::string& path, int version) {
  std::lock_guard lock(mu_);
  secrets_[path].versions.at(version - 1).deleted = true;
}

Response VaultKv2Fake::Handle(const testing_http::Request& r) {
  std::lock_guard lock(mu_);
  if (r.Header("x-vault-token") != token_ ||
      (!namespace_.empty() && r.Header("x-vault-namespace") != namespace_)) {
    return Errors(403, "permission denied");
  }
  return Serve(r);
}

// REQUIRES: mu_ held.
Response VaultKv2Fake::Serve(const testing_http::Request& r) {
  const std::string prefix = "/v1/" + mount_ + "/";
  std::string p = r.path();
  if (!p.starts_with(prefix)) {
    return Errors(404, "no handler for route \"" + p.substr(4) + "\"");
  }
  p = p.substr(prefix.size());
  json body;
  if (!r.body.empty()) {
    body = json::parse(r.body, nullptr, false);
    if (body.is_discarded()) {
      return Errors(400, "failed to parse JSON input");
    }
  }
  auto under = [&](const char* kind, std::string* path) {
    std::string k = std::string(kind) + "/";
    if (!p.starts_with(k) || p.size() == k.size()) {
      return false;
    }
    *path = p.substr(k.size());
    return true;
  };
  std::string path;
  if (under("data", &path)) {
    if (r.method == "GET") {
      return ReadData(path, VersionParam(r.target));
    }
    if (r.method == "POST" || r.method == "PUT") {
      return WriteData(path, body);
    }
  } else if (under("metadata", &path) && r.method == "GET") {
    return ReadMetadata(path);
  } else if (under("destroy", &path) && (r.method == "POST" || r.method == "PUT")) {
    return Destroy(path, body);
  }
  return Errors(405, "unsupported operation");
}

Response VaultKv2Fake::ReadData(const std::string& path, int version) {
  auto it = secrets_.find(path);
  if (it == secrets_.end() || it->second.versions.empty()) {
    return Json(404, {{"errors", json::array()}});
  }
  int n = version == 0 ? static_cast<int>(it->second.versions.size()) : version;
  if (n < 1 || n > static_cast<int>(it->second.versions.size())) {
    return Json(404, {{"errors", json::array()}});
  }
  const Version& v = it->second.versions[n - 1];
  json metadata = {{"created_time", kTime},
                   {"custom_metadata", nullptr},
                   {"deletion_time", v.deleted ? kTime : ""},
                   {"destroyed", v.destroyed},
                   {"version", n}};
  bool gone = v.deleted || v.destroyed;
  // A deleted or destroyed version: 404, with its metadata and null data.
  return Json(gone ? 404 : 200,
              {{"request_id", "fake"},
               {"lease_id", ""},
               {"renewable", false},
               {"lease_duration", 0},
               {"data", {{"data", gone ? json(nullptr) : v.data}, {"metadata", metadata}}},
               {"wrap_info", nullptr},
               {"warnings", nullptr},
               {"auth", nullptr}});
}

Response VaultKv2Fake::WriteData(const std::string& path, const json& body) {
  if (!body.is_object() || !body.contains("data") || !body["data"].is_object()) {
    return Errors(400, "no data provided");
  }
  Secret& s = secrets_[path];
  int current = static_cast<int>(s.versions.size());
  if (body.contains("options") && body["options"].contains("cas")) {
    const json& cas = body["options"]["cas"];
    if (!cas.is_number_integer() || cas.get<int>() != current) {
      return Errors(400, "check-and-set parameter did not match the current version");
    }
  }
  s.versions.push_back({body["data"]});
  int n = current + 1;
  return Json(200, {{"data",
                     {{"created_time", kTime},
                      {"custom_metadata", nullptr},
                      {"deletion_time", ""},
                      {"destroyed", false},
                      {"version", n}}}});
}

Response VaultKv2Fake::ReadMetadata(const std::string& path) {
  auto it = secrets_.find(path);
  if (it == secrets_.end()) {
    return Json(404, {{"errors", json::array()}});
  }
  json versions = json::object();
  const std::vector<Version>& vs = it->second.versions;
  for (size_t i = 0; i < vs.size(); ++i) {
    versions[std::to_string(i + 1)] = {{"created_time", kTime},
                                       {"deletion_time", vs[i].deleted ? kTime : ""},
                                       {"destroyed", vs[i].destroyed}};
  }
  return Json(200, {{"data",
                     {{"cas_required", false},
                      {"created_time", kTime},
                      {"current_version", vs.size()},
                      {"delete_version_after", "0s"},
                      {"max_versions", 0},
                      {"oldest_version", 0},
                      {"updated_time", kTime},
                      {"custom_metadata", nullptr},
                      {"versions", versions}}}});
}

Response VaultKv2Fake::Destroy(const std::string& path, const json& body) {
  if (!body.is_object() || !body.contains("versions") || !body["versions"].is_array() ||
      body["versions"].empty()) {
    return Errors(400, "no version number provided");
  }
  auto it = secrets_.find(path);
  for (const json& v : body["versions"]) {
    if (!v.is_number_integer()) {
      return Errors(400, "error parsing versions");
    }
    int n = v.get<int>();
    // Vault ignores versions that do not exist.
    if (it != secrets_.end() && n >= 1 && n <= static_cast<int>(it->second.versions.size())) {
      Version& version = it->second.versions[n - 1];
      if (!version.destroyed) {
        version.destroyed = true;
        version.data = nullptr;
        destroyed_[path].push_back(n);
      }
    }
  }
  return {204, {}, ""};
}

}  // namespace rekey::testing_fakes
