// The gateway speaks protobuf's JSON mapping: bytes are base64, int64 are decimal strings, and
// fields at their default (false, 0, empty) are left out of answers.
#include "connectors/etcd/etcd_holder.h"

#include <charconv>
#include <mutex>

#include "connectors/http/api_system.h"
#include "connectors/http/base64.h"
#include "connectors/http/secret_json.h"

namespace rekey::etcd {
namespace {

using http::ApiSystem;
using http::SecretJson;
using nlohmann::json;

const http::ApiSpec kSpec{.type = "etcd",
                          .url_option = "endpoints",
                          .default_url = "",
                          .token_header = "",
                          .token_prefix = "",
                          .headers = {"Content-Type: application/json"}};

// The login of one system, shared by its bindings: the token of the last authentication.
class Login {
 public:
  Login(ApiSystem* api, std::string user) : api_(api), user_(std::move(user)) {}

  bool enabled() const { return !user_.empty(); }

  // The current token, authenticating first when there is none. REQUIRES: enabled().
  Result<SecretBytes> Token(Deadline deadline) {
    std::lock_guard lock(mu_);
    if (token_.empty()) {
      auto token = Authenticate(deadline);
      if (!token.ok()) {
        return token.status();
      }
      token_ = std::move(*token);
    }
    return token_.Clone();
  }

  // TOKEN was refused: forget it unless another thread already replaced it.
  void Drop(const SecretBytes& token) {
    std::lock_guard lock(mu_);
    if (token_.Equals(token)) {
      token_ = SecretBytes();
    }
  }

 private:
  Result<SecretBytes> Authenticate(Deadline deadline) {
    SecretJson request(json{{"name", user_}, {"password", api_->admin_secret().Expose()}});
    auto body = request.Dump();
    if (!body.ok()) {
      return body.status();
    }
    auto response = api_->Send("POST", "/v3/auth/authenticate", std::move(*body), deadline);
    if (!response.ok()) {
      return response.status();
    }
    const std::string what = "authenticate as \"" + user_ + "\"";
    // etcd answers a wrong password with 400 (gRPC InvalidArgument).
    if (response->status == 400) {
      return Status::PermissionDenied(api_->who() + ": " + what + ": HTTP 400 (login refused)");
    }
    REKEY_RETURN_IF_ERROR(api_->Check(*response, what));
    auto answer = SecretJson::Parse(response->body);
    const std::string* token = answer.ok() ? http::StringMember(**answer, "token") : nullptr;
    if (token == nullptr) {
      return Status::Corruption(api_->who() + ": " + what + ": the answer has no token");
    }
    return SecretBytes(*token);
  }

  ApiSystem* api_;
  const std::string user_;
  std::mutex mu_;
  SecretBytes token_;
};

// etcd refuses a token with 401 once it has dropped it (a password change, a restart), and a
// request with 400 "revision of auth store is old" when a user or role changed while it was in
// flight, before it was applied (so nothing was written). clientv3 renews its token on both.
bool TokenToRenew(const http::Response& response) {
  return response.status == 401 ||
         (response.status == 400 &&
          response.body.Expose().find("revision of auth store is old") != std::string_view::npos);
}

// An int64 in protobuf JSON: a decimal string (or a number); 0 when absent.
int64_t Int64Member(const json& object, std::string_view key) {
  auto it = object.find(key);
  if (it == object.end()) {
    return 0;
  }
  if (it->is_number_integer()) {
    return it->get<int64_t>();
  }
  int64_t n = 0;
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    std::from_chars(s.data(), s.data() + s.size(), n);
  }
  return n;
}

class EtcdHolder final : public Holder {
 public:
  EtcdHolder(ApiSystem* api, Login* login, std::string key)
      : api_(api), login_(login), key_(std::move(key)), key64_(http::Base64(key_)) {}

  Status Write(const SecretBytes& value, Deadline deadline) override {
    auto held = Range(deadline);
    if (!held.ok()) {
      return held.status();
    }
    if (held->exists && held->value.Equals(value)) {
      return Status::Ok();
    }
    SecretBytes value64 = http::Base64Secret(value);
    SecretJson txn(
        json{{"compare", json::array({{{"key", key64_},
                                       {"target", "MOD"},
                                       {"result", "EQUAL"},
                                       {"mod_revision", std::to_string(held->mod_revision)}}})},
             {"success",
              json::array({{{"request_put", {{"key", key64_}, {"value", value64.Expose()}}}}})}});
    auto answer = Post("/v3/kv/txn", txn, "write key " + key_, deadline);
    if (!answer.ok()) {
      return answer.status();
    }
    auto ok = (**answer).find("succeeded");
    if (ok == (**answer).end() || !ok->is_boolean() || !ok->get<bool>()) {
      return Status::Conflict(
          api_->who() + ": write key " + key_ + ": the key changed after it was read at revision " +
          std::to_string(held->mod_revision) + " (a concurrent writer); not overwritten");
    }
    return Status::Ok();
  }

  Result<SecretBytes> Read(Deadline deadline) override {
    auto held = Range(deadline);
    if (!held.ok()) {
      return held.status();
    }
    if (!held->exists) {
      return Status::NotFound(api_->who() + ": key " + key_ + " does not exist");
    }
    return std::move(held->value);
  }

  Status DestroyVersion(const SecretBytes&, Deadline) override { return Status::Ok(); }

 private:
  struct Held {
    bool exists = false;
    int64_t mod_revision = 0;  // 0 for an absent key, as etcd compares it
    SecretBytes value;
  };

  Result<Held> Range(Deadline deadline) {
    SecretJson range(json{{"key", key64_}});
    auto answer = Post("/v3/kv/range", range, "read key " + key_, deadline);
    if (!answer.ok()) {
      return answer.status();
    }
    Held held;
    auto kvs = (**answer).find("kvs");
    if (kvs == (**answer).end() || !kvs->is_array() || kvs->empty()) {
      return held;
    }
    const json& kv = kvs->front();
    held.exists = true;
    held.mod_revision = Int64Member(kv, "mod_revision");
    const std::string* value64 = http::StringMember(kv, "value");
    if (value64 != nullptr) {
      auto value = http::Unbase64(*value64);
      if (!value.ok()) {
        return value.status().WithContext(api_->who() + ": read key " + key_);
      }
      held.value = std::move(*value);
    }
    return held;
  }

  // POSTs BODY to PATH with the login's token; a token etcd no longer accepts is replaced once
  // (TokenToRenew). Returns the answer of a 2xx, parsed.
  Result<SecretJson> Post(std::string_view path, const SecretJson& body, const std::string& what,
                          Deadline deadline) {
    auto text = body.Dump();
    if (!text.ok()) {
      return text.status();
    }
    for (int attempt = 0;; ++attempt) {
      SecretBytes token;
      std::vector<SecretBytes> auth;
      if (login_->enabled()) {
        auto t = login_->Token(deadline);
        if (!t.ok()) {
          return t.status();
        }
        token = std::move(*t);
        auth.push_back(http::SecretHeader("Authorization", "", token));
      }
      auto response = api_->Send("POST", path, text->Clone(), deadline, std::move(auth));
      if (!response.ok()) {
        return response.status();
      }
      if (login_->enabled() && TokenToRenew(*response)) {
        if (attempt == 0) {
          login_->Drop(token);
          continue;
        }
        if (response->status == 400) {
          return Status::Unavailable(api_->who() + ": " + what +
                                     ": users or roles keep changing (etcd: revision of auth "
                                     "store is old)");
        }
      }
      REKEY_RETURN_IF_ERROR(api_->Check(*response, what));
      auto answer = SecretJson::Parse(response->body);
      if (!answer.ok()) {
        return answer.status().WithContext(api_->who() + ": " + what);
      }
      return answer;
    }
  }

  ApiSystem* api_;
  Login* login_;
  const std::string key_;
  const std::string key64_;
};

}  // namespace

Result<std::unique_ptr<Holder>> MakeEtcdHolder(const ConnectorContext& context) {
  const std::string key = context.binding->options.StringOr("key", "");
  if (key.empty()) {
    return Status::InvalidArgument("etcd holder \"" + context.binding->name + "\" needs a key");
  }
  const std::string endpoints = context.system->options.StringOr("endpoints", "");
  if (endpoints.find(',') != std::string::npos) {
    return Status::InvalidArgument("etcd system \"" + context.system->name +
                                   "\": endpoints names more than one URL; give one");
  }
  auto api = http::ApiSystemFor(context, kSpec);
  if (!api.ok()) {
    return api.status();
  }
  const std::string user = context.system->options.StringOr("user", "");
  if (!user.empty() && (*api)->admin_secret().empty()) {
    return Status::InvalidArgument((*api)->who() + ": user \"" + user +
                                   "\" needs admin_secret (its password)");
  }
  Login& login =
      context.resources->Get<Login>("etcd-login/" + context.system->name + "/" + (*api)->url(),
                                    [&] { return std::make_shared<Login>(*api, user); });
  return std::unique_ptr<Holder>(std::make_unique<EtcdHolder>(*api, &login, key));
}

}  // namespace rekey::etcd
