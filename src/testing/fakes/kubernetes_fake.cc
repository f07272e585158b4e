#include "testing/fakes/kubernetes_fake.h"

#include <sodium.h>

#include <regex>

namespace rekey::testing_fakes {
namespace {

using nlohmann::json;
using testing_http::Response;

json StatusBody(int code, const std::string& reason, const std::string& message) {
  return {{"kind", "Status"},    {"apiVersion", "v1"}, {"metadata", json::object()},
          {"status", "Failure"}, {"message", message}, {"reason", reason},
          {"code", code}};
}
Response Json(int status, const json& body) {
  return {status, {{"Content-Type", "application/json"}}, body.dump()};
}

std::string Encode(const std::string& v) {
  std::string out(sodium_base64_ENCODED_LEN(v.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(v.data()),
                    v.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);
  return out;
}
std::string Decode(const std::string& v) {
  std::string out(v.size(), '\0');
  size_t n = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), v.data(),
                        v.size(), nullptr, &n, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0) {
    return "<not base64>";
  }
  out.resize(n);
  return out;
}

// RFC 7386: objects merge, null deletes, anything else replaces.
void MergePatch(json& target, const json& patch) {
  if (!patch.is_object()) {
    target = patch;
    return;
  }
  if (!target.is_object()) {
    target = json::object();
  }
  for (const auto& [k, v] : patch.items()) {
    if (v.is_null()) {
      target.erase(k);
    } else {
      MergePatch(target[k], v);
    }
  }
}

}  // namespace

KubernetesFake::KubernetesFake(std::string token)
    : token_(std::move(token)),
      api_([this](const testing_http::Request& r) { return Handle(r); },
           [](int status) {
             return StatusBody(status, status == 403 ? "Forbidden" : "TooManyRequests",
                               status == 403 ? "forbidden" : "too many requests")
                 .dump();
           }) {}

void KubernetesFake::Set(const std::string& ns, const std::string& name, const std::string& key,
                         const std::string& value) {
  std::lock_guard lock(mu_);
  json& s = secrets_[ns + "/" + name];
  if (s.is_null()) {
    s = {{"kind", "Secret"},
         {"apiVersion", "v1"},
         {"metadata", {{"name", name}, {"namespace", ns}}},
         {"type", "Opaque"},
         {"data", json::object()}};
  }
  s["data"][key] = Encode(value);
  s["metadata"]["resourceVersion"] = std::to_string(++next_version_);
}

std::string KubernetesFake::Value(const std::string& ns, const std::string& name,
                                  const std::string& key) const {
  std::lock_guard lock(mu_);
  auto it = secrets_.find(ns + "/" + name);
  if (it == secrets_.end() || !it->second["data"].contains(key)) {
    return "";
  }
  return Decode(it->second["data"][key].get<std::string>());
}

int KubernetesFake::Version(const std::string& ns, const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = secrets_.find(ns + "/" + name);
  return it == secrets_.end()
             ? 0
             : std::stoi(it->second["metadata"]["resourceVersion"].get<std::string>());
}

Response KubernetesFake::Handle(const testing_http::Request& r) {
  std::lock_guard lock(mu_);
  if (r.Header("authorization") != "Bearer " + token_) {
    return Json(401, StatusBody(401, "Unauthorized", "Unauthorized"));
  }
  static const std::regex route("/api/v1/namespaces/([^/]+)/secrets/([^/]+)");
  std::smatch m;
  std::string path = r.path();
  if (!std::regex_match(path, m, route)) {
    return Json(404, StatusBody(404, "NotFound",
                                "the server could not find the requested "
                                "resource"));
  }
  auto it = secrets_.find(m[1].str() + "/" + m[2].str());
  if (it == secrets_.end()) {
    return Json(404, StatusBody(404, "NotFound", "secrets \"" + m[2].str() + "\" not found"));
  }
  if (r.method == "GET") {
    return Json(200, it->second);
  }
  if (r.method != "PATCH") {
    return Json(405, StatusBody(405, "MethodNotAllowed", "method not allowed"));
  }
  std::string type = r.Header("content-type");
  if (type != "application/merge-patch+json" && type != "application/strategic-merge-patch+json") {
    return Json(415, StatusBody(415, "UnsupportedMediaType",
                                "the body of the request was in an unknown format"));
  }
  json patch = json::parse(r.body, nullptr, false);
  if (!patch.is_object()) {
    return Json(400, StatusBody(400, "BadRequest", "invalid JSON"));
  }
  if (patch.contains("metadata") && patch["metadata"].contains("resourceVersion") &&
      patch["metadata"]["resourceVersion"] != it->second["metadata"]["resourceVersion"]) {
    return Json(409, StatusBody(409, "Conflict",
                                "Operation cannot be fulfilled on secrets \"" + m[2].str() +
                                    "\": the object has been modified; please apply your "
                                    "changes to the latest version and try again"));
  }
  if (patch.contains("data")) {
    for (const auto& [k, v] : patch["data"].items()) {
      if (!v.is_null() && (!v.is_string() || Decode(v.get<std::string>()) == "<not base64>")) {
        return Json(400, StatusBody(400, "BadRequest", "illegal base64 data"));
      }
    }
  }
  MergePatch(it->second, patch);
  it->second["metadata"]["resourceVersion"] = std::to_string(++next_version_);
  return Json(200, it->second);
}

}  // namespace rekey::testing_fakes
