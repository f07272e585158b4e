#include "connectors/kubernetes/kubernetes_secret_holder.h"

#include "connectors/http/api_system.h"
#include "connectors/http/base64.h"
#include "connectors/http/secret_json.h"

namespace rekey::kubernetes {
namespace {

using http::ApiSystem;
using http::SecretJson;
using nlohmann::json;

// Every body rekey sends here is a JSON merge patch (RFC 7386); GETs ignore the type.
const http::ApiSpec kSpec{
    .type = "kubernetes-secret",
    .url_option = "api_server",
    .default_url = "",
    .token_header = "Authorization",
    .token_prefix = "Bearer ",
    .headers = {"Accept: application/json", "Content-Type: application/merge-patch+json"}};

class KubernetesSecretHolder final : public Holder {
 public:
  KubernetesSecretHolder(ApiSystem* api, const std::string& ns, const std::string& secret,
                         std::string key)
      : api_(api),
        key_(std::move(key)),
        path_("/api/v1/namespaces/" + http::UrlEncode(ns) + "/secrets/" + http::UrlEncode(secret)),
        name_("secret " + ns + "/" + secret) {}

  Status Write(const SecretBytes& value, Deadline deadline) override {
    auto current = Get(deadline);
    if (!current.ok()) {
      return current.status();
    }
    auto held = Field(**current);
    if (held.ok() && held->Equals(value)) {
      return Status::Ok();
    }
    const std::string* version = nullptr;
    if (auto m = (*current)->find("metadata"); m != (*current)->end()) {
      version = http::StringMember(*m, "resourceVersion");
    }
    if (version == nullptr) {
      return Status::Corruption(api_->who() + ": read " + name_ + ": no resourceVersion");
    }
    SecretBytes value64 = http::Base64Secret(value);
    SecretJson patch(
        json{{"metadata", {{"resourceVersion", *version}}}, {"data", {{key_, value64.Expose()}}}});
    auto body = patch.Dump();
    if (!body.ok()) {
      return body.status();
    }
    auto response = api_->Send("PATCH", path_, std::move(*body), deadline);
    if (!response.ok()) {
      return response.status();
    }
    if (response->status == 409) {
      return Status::Conflict(api_->who() + ": write key " + key_ + " of " + name_ +
                              ": the Secret changed after it was read at resourceVersion " +
                              *version + " (a concurrent writer); not overwritten");
    }
    return api_->Check(*response, "write key " + key_ + " of " + name_);
  }

  Result<SecretBytes> Read(Deadline deadline) override {
    auto current = Get(deadline);
    if (!current.ok()) {
      return current.status();
    }
    return Field(**current);
  }

  Status DestroyVersion(const SecretBytes&, Deadline) override { return Status::Ok(); }

 private:
  Result<SecretJson> Get(Deadline deadline) {
    auto response = api_->Send("GET", path_, SecretBytes(), deadline);
    if (!response.ok()) {
      return response.status();
    }
    REKEY_RETURN_IF_ERROR(api_->Check(*response, "read " + name_));
    auto answer = SecretJson::Parse(response->body);
    if (!answer.ok() || !(*answer)->is_object()) {
      return Status::Corruption(api_->who() + ": read " + name_ + ": the answer is no Secret");
    }
    return answer;
  }

  // data[key], decoded.
  Result<SecretBytes> Field(const json& secret) const {
    const std::string* value64 = nullptr;
    if (auto d = secret.find("data"); d != secret.end()) {
      value64 = http::StringMember(*d, key_);
    }
    if (value64 == nullptr) {
      return Status::NotFound(api_->who() + ": " + name_ + " has no key " + key_);
    }
    auto value = http::Unbase64(*value64);
    if (!value.ok()) {
      return value.status().WithContext(api_->who() + ": key " + key_ + " of " + name_);
    }
    return value;
  }

  ApiSystem* api_;
  const std::string key_;
  const std::string path_;  // /api/v1/namespaces/NS/secrets/NAME
  const std::string name_;  // for messages
};

}  // namespace

Result<std::unique_ptr<Holder>> MakeKubernetesSecretHolder(const ConnectorContext& context) {
  const Options& b = context.binding->options;
  const std::string ns = b.StringOr("namespace", "");
  const std::string secret = b.StringOr("secret", "");
  const std::string key = b.StringOr("key", "");
  if (ns.empty() || secret.empty() || key.empty()) {
    return Status::InvalidArgument("kubernetes-secret holder \"" + context.binding->name +
                                   "\" needs a namespace, a secret and a key");
  }
  auto api = http::ApiSystemFor(context, kSpec);
  if (!api.ok()) {
    return api.status();
  }
  return std::unique_ptr<Holder>(std::make_unique<KubernetesSecretHolder>(*api, ns, secret, key));
}

}  // namespace rekey::kubernetes
