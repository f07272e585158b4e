#include "testing/fakes/github_fake.h"

#include <cstdlib>
#include <ctime>
#include <regex>

namespace rekey::testing_fakes {
namespace {

using nlohmann::json;
using testing_http::Response;

Response Json(int status, const json& body) {
  return {status, {{"Content-Type", "application/json; charset=utf-8"}}, body.dump()};
}
Response Message(int status, const std::string& message) {
  return Json(status, {{"message", message},
                       {"documentation_url", "https://docs.github.com/rest/actions/secrets"}});
}

std::string Now() {
  char buf[32];
  time_t t = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}
std::string HttpDate() {
  char buf[64];
  time_t t = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", std::gmtime(&t));
  return buf;
}

std::string Base64(const unsigned char* data, size_t n) {
  std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, n, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);
  return out;
}

}  // namespace

GithubFake::GithubFake(std::string token)
    : token_(std::move(token)),
      api_([this](const testing_http::Request& r) { return Handle(r); },
           [](int status) {
             return json{{"message", status == 429 || status == 403
                                         ? "API rate limit exceeded for installation."
                                         : "error"}}
                 .dump();
           }) {
  if (sodium_init() < 0) {
    std::abort();
  }
  crypto_box_keypair(public_key_, secret_key_);
}

void GithubFake::RotateKey() {
  std::lock_guard lock(mu_);
  crypto_box_keypair(public_key_, secret_key_);
  ++key_id_;
}

std::string GithubFake::Value(const std::string& scope, const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = secrets_.find(scope + "/" + name);
  return it == secrets_.end() ? "" : it->second["value"].get<std::string>();
}

json GithubFake::Metadata(const std::string& scope, const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = secrets_.find(scope + "/" + name);
  if (it == secrets_.end()) {
    return nullptr;
  }
  json m = it->second;
  m.erase("value");
  return m;
}

void GithubFake::Seed(const std::string& scope, const std::string& name, const std::string& value,
                      const std::string& visibility) {
  std::lock_guard lock(mu_);
  json s = {{"name", name},
            {"created_at", "2020-01-01T00:00:00Z"},
            {"updated_at", "2020-01-01T00:00:00Z"},
            {"value", value}};
  if (!visibility.empty()) {
    s["visibility"] = visibility;
  }
  secrets_[scope + "/" + name] = s;
}

Response GithubFake::Handle(const testing_http::Request& r) {
  std::lock_guard lock(mu_);
  if (r.Header("authorization") != "Bearer " + token_) {
    return Message(401, "Bad credentials");
  }
  if (r.Header("x-github-api-version") != "2022-11-28" ||
      r.Header("accept") != "application/vnd.github+json") {
    return Message(400, "expected the documented Accept and X-GitHub-Api-Version headers");
  }
  static const std::regex route(
      "((?:/repos/[^/]+/[^/]+/(?:actions|environments/[^/]+))|/orgs/[^/]+/actions)/secrets/"
      "([^/]+)");
  std::smatch m;
  std::string path = r.path();
  if (!std::regex_match(path, m, route)) {
    return Message(404, "Not Found");
  }
  std::string scope = m[1].str() + "/secrets";
  std::string name = m[2].str();
  bool org = scope.starts_with("/orgs/");
  if (name == "public-key" && r.method == "GET") {
    return Json(200, {{"key_id", std::to_string(key_id_)},
                      {"key", Base64(public_key_, sizeof public_key_)}});
  }
  auto it = secrets_.find(scope + "/" + name);
  if (r.method == "GET") {
    if (it == secrets_.end()) {
      return Message(404, "Not Found");
    }
    json m2 = it->second;
    m2.erase("value");
    return Json(200, m2);
  }
  if (r.method != "PUT") {
    return Message(404, "Not Found");
  }
  json body = json::parse(r.body, nullptr, false);
  if (!body.is_object() || !body.contains("encrypted_value") || !body.contains("key_id")) {
    return Message(422, "Invalid request.");
  }
  if (org && !body.contains("visibility")) {
    return Message(422, "Invalid request. \"visibility\" wasn't supplied.");
  }
  if (body["key_id"] != std::to_string(key_id_)) {
    return Message(422, "Bad key_id");
  }
  std::string sealed64 = body["encrypted_value"].get<std::string>();
  std::string sealed(sealed64.size(), '\0');
  size_t n = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(sealed.data()), sealed.size(),
                        sealed64.data(), sealed64.size(), nullptr, &n, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      n < crypto_box_SEALBYTES) {
    return Message(422, "encrypted_value is not base64 of a sealed box");
  }
  std::string clear(n - crypto_box_SEALBYTES, '\0');
  if (crypto_box_seal_open(reinterpret_cast<unsigned char*>(clear.data()),
                           reinterpret_cast<const unsigned char*>(sealed.data()), n, public_key_,
                           secret_key_) != 0) {
    return Message(422, "encrypted_value could not be decrypted with the current key");
  }
  bool created = it == secrets_.end();
  json& s = secrets_[scope + "/" + name];
  if (created) {
    s = {{"name", name}, {"created_at", Now()}};
  }
  s["updated_at"] = Now();
  s["value"] = clear;
  if (org) {
    s["visibility"] = body["visibility"];
  }
  return {created ? 201 : 204, {{"Date", HttpDate()}}, ""};
}

}  // namespace rekey::testing_fakes
