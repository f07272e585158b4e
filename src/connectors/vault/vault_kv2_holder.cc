// Vault's answers: GET data -> {"data":{"data":{...},"metadata":{"version":N,...}}} (404 when
// there is no secret, or its version is deleted: then with the metadata); a cas mismatch is a
// 400 whose errors say "check-and-set parameter did not match the current version".
#include "connectors/vault/vault_kv2_holder.h"

#include <cctype>
#include <cstdlib>

#include "connectors/http/api_system.h"
#include "connectors/http/secret_json.h"

namespace rekey::vault {
namespace {

using http::ApiSystem;
using http::SecretJson;
using nlohmann::json;

const http::ApiSpec kSpec{.type = "vault-kv2",
                          .url_option = "address",
                          .default_url = "",
                          .token_header = "X-Vault-Token",
                          .token_prefix = "",
                          .headers = {"Content-Type: application/json"}};

constexpr std::string_view kCasMismatch = "check-and-set parameter did not match";

// A path inside the mount: segments of URL-safe characters, no "." or ".." segments.
bool SafePath(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.back() == '/') {
    return false;
  }
  for (char c : path) {
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        std::string_view("-_./").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return ("/" + std::string(path) + "/").find("/./") == std::string::npos &&
         ("/" + std::string(path) + "/").find("/../") == std::string::npos;
}

// The answer's object at data.data (null when absent) and data.metadata.version.
const json* DataOf(const json& answer) {
  auto d = answer.find("data");
  if (d == answer.end() || !d->is_object()) {
    return nullptr;
  }
  auto inner = d->find("data");
  return inner != d->end() && inner->is_object() ? &*inner : nullptr;
}
int64_t VersionOf(const json& answer) {
  const json* v = nullptr;
  if (auto d = answer.find("data"); d != answer.end() && d->is_object()) {
    if (auto m = d->find("metadata"); m != d->end() && m->is_object()) {
      if (auto n = m->find("version"); n != m->end() && n->is_number_integer()) {
        v = &*n;
      }
    }
  }
  return v == nullptr ? 0 : v->get<int64_t>();
}

class VaultKv2Holder final : public Holder {
 public:
  VaultKv2Holder(ApiSystem* api, std::string mount, std::string path, std::string field)
      : api_(api),
        mount_(std::move(mount)),
        path_(std::move(path)),
        field_(std::move(field)),
        name_(mount_ + "/" + path_) {}

  Status Write(const SecretBytes& value, Deadline deadline) override {
    auto current = Get(0, deadline);
    if (!current.ok()) {
      return current.status();
    }
    const json* data = DataOf(**current->answer);
    const std::string* held = data ? http::StringMember(*data, field_) : nullptr;
    if (held != nullptr && *held == value.Expose()) {
      return Status::Ok();
    }
    SecretJson body(
        json{{"options", {{"cas", current->version}}}, {"data", data ? *data : json::object()}});
    json& slot = (*body)["data"][field_];
    SecretJson::Wipe(slot);  // the value it replaces may be the old one
    slot = value.Expose();
    auto text = body.Dump();
    if (!text.ok()) {
      return text.status().WithContext(api_->who() + ": write " + name_);
    }
    auto response =
        api_->Send("POST", "/v1/" + mount_ + "/data/" + path_, std::move(*text), deadline);
    if (!response.ok()) {
      return response.status();
    }
    if (response->status == 400 &&
        response->body.Expose().find(kCasMismatch) != std::string_view::npos) {
      return Status::Conflict(
          api_->who() + ": write " + name_ + ": the secret changed after it was read at version " +
          std::to_string(current->version) + " (a concurrent writer); not overwritten");
    }
    return api_->Check(*response, "write " + name_);
  }

  Result<SecretBytes> Read(Deadline deadline) override {
    auto current = Get(0, deadline);
    if (!current.ok()) {
      return current.status();
    }
    const json* data = DataOf(**current->answer);
    if (data == nullptr) {
      return Status::NotFound(api_->who() + ": secret " + name_ + " does not exist");
    }
    auto it = data->find(field_);
    if (it == data->end()) {
      return Status::NotFound(api_->who() + ": secret " + name_ + " has no field " + field_);
    }
    if (!it->is_string()) {
      return Status::InvalidArgument(api_->who() + ": field " + field_ + " of " + name_ +
                                     " is not a string");
    }
    return SecretBytes(it->get_ref<const std::string&>());
  }

  Status DestroyVersion(const SecretBytes& value, Deadline deadline) override {
    auto versions = LiveVersions(deadline);
    if (!versions.ok()) {
      return versions.status();
    }
    json matching = json::array();
    for (int64_t n : *versions) {
      auto version = Get(n, deadline);
      if (!version.ok()) {
        return version.status();
      }
      const json* data = DataOf(**version->answer);
      const std::string* held = data ? http::StringMember(*data, field_) : nullptr;
      if (held != nullptr && *held == value.Expose()) {
        matching.push_back(n);
      }
    }
    if (matching.empty()) {
      return Status::Ok();  // none held it, or they are destroyed already
    }
    std::string text = json{{"versions", matching}}.dump();
    auto response =
        api_->Send("PUT", "/v1/" + mount_ + "/destroy/" + path_, SecretBytes(text), deadline);
    if (!response.ok()) {
      return response.status();
    }
    return api_->Check(*response, "destroy versions " + matching.dump() + " of " + name_);
  }

 private:
  struct Got {
    std::unique_ptr<SecretJson> answer;  // {} when there is no secret
    int64_t version = 0;                 // the current version; 0 when there is none
  };

  // VERSION of the secret (0: the current one). A 404 is an answer: no secret (or a deleted
  // version, whose number the answer still carries).
  Result<Got> Get(int64_t version, Deadline deadline) {
    std::string target = "/v1/" + mount_ + "/data/" + path_;
    if (version != 0) {
      target += "?version=" + std::to_string(version);
    }
    auto response = api_->Send("GET", target, SecretBytes(), deadline);
    if (!response.ok()) {
      return response.status();
    }
    const std::string what =
        "read " + name_ + (version ? " version " + std::to_string(version) : "");
    if (response->status != 404) {
      REKEY_RETURN_IF_ERROR(api_->Check(*response, what));
    }
    Got got{std::make_unique<SecretJson>(json::object())};
    if (!response->body.empty()) {
      auto answer = SecretJson::Parse(response->body);
      if (!answer.ok()) {
        if (response->status == 404) {
          return got;
        }
        return answer.status().WithContext(api_->who() + ": " + what);
      }
      got.answer = std::make_unique<SecretJson>(std::move(*answer));
    }
    got.version = VersionOf(**got.answer);
    if (response->status == 404) {
      (**got.answer)["data"]["data"] = nullptr;
    }
    return got;
  }

  // The numbers of the versions that are neither destroyed nor deleted, from the metadata.
  Result<std::vector<int64_t>> LiveVersions(Deadline deadline) {
    auto response =
        api_->Send("GET", "/v1/" + mount_ + "/metadata/" + path_, SecretBytes(), deadline);
    if (!response.ok()) {
      return response.status();
    }
    if (response->status == 404) {
      return std::vector<int64_t>{};
    }
    REKEY_RETURN_IF_ERROR(api_->Check(*response, "read metadata of " + name_));
    json metadata = json::parse(response->body.Expose(), nullptr, false);  // holds no value
    const json* versions = nullptr;
    if (auto d = metadata.find("data"); d != metadata.end() && d->is_object()) {
      if (auto v = d->find("versions"); v != d->end() && v->is_object()) {
        versions = &*v;
      }
    }
    if (versions == nullptr) {
      return Status::Corruption(api_->who() + ": read metadata of " + name_ +
                                ": the answer has no versions");
    }
    std::vector<int64_t> live;
    for (const auto& [number, v] : versions->items()) {
      bool destroyed = v.value("destroyed", false);
      const std::string* deleted = http::StringMember(v, "deletion_time");
      if (!destroyed && (deleted == nullptr || deleted->empty())) {
        live.push_back(std::atoll(number.c_str()));
      }
    }
    return live;
  }

  ApiSystem* api_;
  const std::string mount_;
  const std::string path_;
  const std::string field_;
  const std::string name_;  // mount/path, for messages
};

}  // namespace

Result<std::unique_ptr<Holder>> MakeVaultKv2Holder(const ConnectorContext& context) {
  const Options& b = context.binding->options;
  const std::string who = "vault-kv2 holder \"" + context.binding->name + "\"";
  const std::string mount = context.system->options.StringOr("mount", "secret");
  const std::string path = b.StringOr("path", "");
  const std::string field = b.StringOr("field", "");
  if (!SafePath(mount) || !SafePath(path)) {
    return Status::InvalidArgument(who +
                                   ": mount and path must be /-separated names of "
                                   "letters, digits, '-', '_' and '.'");
  }
  if (field.empty()) {
    return Status::InvalidArgument(who + " needs a field");
  }
  std::vector<std::string> headers;
  if (const std::string* ns = context.system->options.GetString("namespace"); ns && !ns->empty()) {
    headers.push_back("X-Vault-Namespace: " + *ns);
  }
  auto api = http::ApiSystemFor(context, kSpec, std::move(headers));
  if (!api.ok()) {
    return api.status();
  }
  return std::unique_ptr<Holder>(std::make_unique<VaultKv2Holder>(*api, mount, path, field));
}

}  // namespace rekey::vault
