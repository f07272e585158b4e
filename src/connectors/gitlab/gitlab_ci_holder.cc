#include "connectors/gitlab/gitlab_ci_holder.h"

#include "connectors/http/api_system.h"
#include "connectors/http/secret_json.h"

namespace rekey::gitlab {
namespace {

using http::ApiSystem;
using http::SecretJson;
using nlohmann::json;

const http::ApiSpec kSpec{.type = "gitlab-ci",
                          .url_option = "url",
                          .default_url = "",
                          .token_header = "PRIVATE-TOKEN",
                          .token_prefix = "",
                          .headers = {"Content-Type: application/json"}};

class GitlabCiHolder final : public Holder {
 public:
  GitlabCiHolder(ApiSystem* api, std::string owner_kind, std::string owner, std::string key,
                 std::string scope)
      : api_(api),
        key_(std::move(key)),
        scope_(std::move(scope)),
        collection_("/api/v4/" + owner_kind + "s/" + http::UrlEncode(owner) + "/variables"),
        filter_("?filter%5Benvironment_scope%5D=" + http::UrlEncode(scope_)),
        name_("variable " + key_ + " (scope " + scope_ + ") of " + owner_kind + " " + owner) {}

  Status Write(const SecretBytes& value, Deadline deadline) override {
    auto current = Get(deadline);
    if (!current.ok()) {
      return current.status();
    }
    if ((*current)->is_null()) {
      SecretJson body(json{{"key", key_},
                           {"value", value.Expose()},
                           {"environment_scope", scope_},
                           {"masked", true},
                           {"protected", false}});
      return Send("POST", collection_, body, "create " + name_, deadline);
    }
    const std::string* held = http::StringMember(**current, "value");
    if (held != nullptr && *held == value.Expose()) {
      return Status::Ok();
    }
    // Only the value: GitLab keeps the attributes a PUT does not name.
    SecretJson body(json{{"value", value.Expose()}});
    return Send("PUT", collection_ + "/" + http::UrlEncode(key_) + filter_, body, "update " + name_,
                deadline);
  }

  Result<SecretBytes> Read(Deadline deadline) override {
    auto current = Get(deadline);
    if (!current.ok()) {
      return current.status();
    }
    if ((*current)->is_null()) {
      return Status::NotFound(api_->who() + ": " + name_ + " does not exist");
    }
    const std::string* held = http::StringMember(**current, "value");
    if (held == nullptr) {
      return Status::InvalidArgument(api_->who() + ": " + name_ +
                                     " is hidden: GitLab never returns its value, so rekey "
                                     "cannot read it back");
    }
    return SecretBytes(*held);
  }

  Status DestroyVersion(const SecretBytes&, Deadline) override { return Status::Ok(); }

 private:
  // The variable as GitLab shows it; a null document when it does not exist.
  Result<SecretJson> Get(Deadline deadline) {
    auto response = api_->Send("GET", collection_ + "/" + http::UrlEncode(key_) + filter_,
                               SecretBytes(), deadline);
    if (!response.ok()) {
      return response.status();
    }
    if (response->status == 404) {
      return SecretJson(nullptr);
    }
    REKEY_RETURN_IF_ERROR(api_->Check(*response, "read " + name_));
    auto answer = SecretJson::Parse(response->body);
    if (!answer.ok() || !(*answer)->is_object()) {
      return Status::Corruption(api_->who() + ": read " + name_ + ": the answer is no variable");
    }
    return answer;
  }

  Status Send(std::string_view method, const std::string& target, const SecretJson& body,
              const std::string& what, Deadline deadline) {
    auto text = body.Dump();
    if (!text.ok()) {
      return text.status().WithContext(api_->who() + ": " + what);
    }
    auto response = api_->Send(method, target, std::move(*text), deadline);
    if (!response.ok()) {
      return response.status();
    }
    return api_->Check(*response, what);
  }

  ApiSystem* api_;
  const std::string key_;
  const std::string scope_;
  const std::string collection_;  // /api/v4/projects/ID/variables
  const std::string filter_;      // ?filter[environment_scope]=SCOPE, encoded
  const std::string name_;        // for messages
};

}  // namespace

Result<std::unique_ptr<Holder>> MakeGitlabCiHolder(const ConnectorContext& context) {
  const Options& b = context.binding->options;
  const std::string who = "gitlab-ci holder \"" + context.binding->name + "\"";
  if (b.Has("project") == b.Has("group")) {
    return Status::InvalidArgument(who + " needs exactly one of project and group");
  }
  const char* kind = b.Has("project") ? "project" : "group";
  const std::string owner = b.StringOr(kind, "");
  const std::string key = b.StringOr("variable", "");
  if (owner.empty() || key.empty()) {
    return Status::InvalidArgument(who + " needs a " + kind + " and a variable");
  }
  auto api = http::ApiSystemFor(context, kSpec);
  if (!api.ok()) {
    return api.status();
  }
  return std::unique_ptr<Holder>(std::make_unique<GitlabCiHolder>(
      *api, kind, owner, key, b.StringOr("environment_scope", "*")));
}

}  // namespace rekey::gitlab
