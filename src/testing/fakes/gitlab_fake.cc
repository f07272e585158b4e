#include "testing/fakes/gitlab_fake.h"

#include <regex>

namespace rekey::testing_fakes {
namespace {

using nlohmann::json;
using testing_http::Response;

Response Json(int status, const json& body) {
  return {status, {{"Content-Type", "application/json"}}, body.dump()};
}

std::string Decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// filter[environment_scope] from the query, or "" when absent.
std::string ScopeFilter(const std::string& target) {
  size_t q = target.find('?');
  if (q == std::string::npos) {
    return "";
  }
  std::string query = Decode(target.substr(q + 1));
  const std::string name = "filter[environment_scope]=";
  size_t at = query.find(name);
  if (at == std::string::npos) {
    return "";
  }
  size_t end = query.find('&', at);
  return query.substr(at + name.size(), end == std::string::npos ? end : end - at - name.size());
}

// What GitLab accepts as a masked value: 8+ characters of the Base64 alphabet plus @:.~-.
bool Maskable(const std::string& v) {
  return v.size() >= 8 && std::regex_match(v, std::regex("[A-Za-z0-9+/=@:.~_-]+"));
}

json Shown(json v) {
  if (v.value("hidden", false)) {
    v["value"] = nullptr;
  }
  return v;
}

}  // namespace

GitlabFake::GitlabFake(std::string token)
    : token_(std::move(token)),
      api_([this](const testing_http::Request& r) { return Handle(r); },
           [](int status) {
             return json{{"message", std::to_string(status) +
                                         (status == 403 ? " Forbidden" : " Too Many Requests")}}
                 .dump();
           }) {}

void GitlabFake::Set(const std::string& owner, const std::string& key, const std::string& scope,
                     json variable) {
  std::lock_guard lock(mu_);
  variable["key"] = key;
  variable["environment_scope"] = scope;
  variables_[{owner, key, scope}] = std::move(variable);
}

json GitlabFake::Get(const std::string& owner, const std::string& key,
                     const std::string& scope) const {
  std::lock_guard lock(mu_);
  auto it = variables_.find({owner, key, scope});
  return it == variables_.end() ? json(nullptr) : it->second;
}

Response GitlabFake::Handle(const testing_http::Request& r) {
  std::lock_guard lock(mu_);
  if (r.Header("private-token") != token_) {
    return Json(401, {{"message", "401 Unauthorized"}});
  }
  static const std::regex route("/api/v4/(projects|groups)/([^/]+)/variables(?:/([^/]+))?");
  std::smatch m;
  std::string path = r.path();
  if (!std::regex_match(path, m, route)) {
    return Json(404, {{"error", "404 Not Found"}});
  }
  std::string owner = m[1].str() + "/" + Decode(m[2].str());
  std::string key = Decode(m[3].str());
  std::string filter = ScopeFilter(r.target);
  json body = r.body.empty() ? json::object() : json::parse(r.body, nullptr, false);
  if (body.is_discarded()) {
    return Json(400, {{"message", "400 Bad request"}});
  }
  // The variable KEY of OWNER the request means: in the filter's scope, or the only one.
  auto find = [&]() -> json* {
    json* found = nullptr;
    for (auto& [id, v] : variables_) {
      if (std::get<0>(id) == owner && std::get<1>(id) == key &&
          (filter.empty() || std::get<2>(id) == filter)) {
        if (found != nullptr) {
          return nullptr;  // ambiguous (GitLab answers 409; rekey always filters)
        }
        found = &v;
      }
    }
    return found;
  };
  if (!key.empty() && (r.method == "GET" || r.method == "PUT")) {
    json* v = find();
    if (v == nullptr) {
      return Json(404, {{"message", "404 Variable Not Found"}});
    }
    if (r.method == "PUT") {
      if (body.contains("value") && v->value("masked", false) &&
          !Maskable(body["value"].get<std::string>())) {
        return Json(400, {{"message", {{"value", {"is invalid"}}}}});
      }
      for (const auto& [name, value] : body.items()) {
        if (name != "key" && name != "environment_scope") {
          (*v)[name] = value;
        }
      }
    }
    return Json(200, Shown(*v));
  }
  if (key.empty() && r.method == "POST") {
    std::string k = body.value("key", "");
    std::string scope = body.value("environment_scope", "*");
    if (variables_.count({owner, k, scope}) != 0) {
      return Json(400, {{"message", {{"key", {"(" + k + ") has already been taken"}}}}});
    }
    json v = {{"variable_type", "env_var"},
              {"key", k},
              {"value", body.value("value", "")},
              {"protected", false},
              {"masked", false},
              {"hidden", false},
              {"raw", false},
              {"environment_scope", scope},
              {"description", nullptr}};
    for (const char* flag : {"protected", "masked", "raw"}) {
      if (body.contains(flag)) {
        v[flag] = body[flag];
      }
    }
    if (v["masked"].get<bool>() && !Maskable(v["value"].get<std::string>())) {
      return Json(400, {{"message", {{"value", {"is invalid"}}}}});
    }
    variables_[{owner, k, scope}] = v;
    return Json(201, Shown(v));
  }
  return Json(405, {{"message", "405 Method Not Allowed"}});
}

}  // namespace rekey::testing_fakes
