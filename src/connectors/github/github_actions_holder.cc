#include "connectors/github/github_actions_holder.h"

#include <curl/curl.h>
#include <sodium.h>

#include <ctime>

#include "connectors/http/api_system.h"
#include "connectors/http/base64.h"
#include "connectors/http/secret_json.h"
#include "secret/sodium_init.h"

namespace rekey::github {
namespace {

using http::ApiSystem;
using http::SecretJson;
using nlohmann::json;

const http::ApiSpec kSpec{
    .type = "github-actions",
    .url_option = "api_url",
    .default_url = "https://api.github.com",
    .token_header = "Authorization",
    .token_prefix = "Bearer ",
    .headers = {"Accept: application/vnd.github+json", "X-GitHub-Api-Version: 2022-11-28",
                "Content-Type: application/json", "User-Agent: rekey"}};

// "2026-01-10T14:59:22Z" as seconds since the epoch; -1 when it is not that form.
int64_t IsoSeconds(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  return end == nullptr ? -1 : static_cast<int64_t>(timegm(&tm));
}

class GithubActionsHolder final : public Holder {
 public:
  GithubActionsHolder(ApiSystem* api, std::string scope, std::string secret, bool org)
      : api_(api),
        collection_(std::move(scope)),
        secret_(std::move(secret)),
        org_(org),
        name_("secret " + secret_ + " (" + collection_ + ")") {}

  Status Write(const SecretBytes& value, Deadline deadline) override {
    auto key = PublicKey(deadline);
    if (!key.ok()) {
      return key.status();
    }
    auto sealed = Seal(value, key->second);
    if (!sealed.ok()) {
      return sealed.status();
    }
    json body = {{"encrypted_value", *sealed}, {"key_id", key->first}};
    if (org_) {
      auto existing = Metadata(deadline);
      if (!existing.ok() && existing.status().code() != StatusCode::kNotFound) {
        return existing.status();
      }
      body["visibility"] = existing.ok() ? existing->value("visibility", "private") : "private";
    }
    auto response = api_->Send("PUT", collection_ + "/" + http::UrlEncode(secret_),
                               SecretBytes(body.dump()), deadline);
    if (!response.ok()) {
      return response.status();
    }
    REKEY_RETURN_IF_ERROR(api_->Check(*response, "write " + name_));
    if (response->status != 201 && response->status != 204) {
      return Status::UnknownOutcome(api_->who() + ": write " + name_ + ": HTTP " +
                                    std::to_string(response->status) + ", not 201 or 204");
    }
    // The server's clock, not ours: the Date of its answer (whole seconds, like updated_at).
    std::optional<std::string> date = response->Header("date");
    int64_t written = date ? static_cast<int64_t>(curl_getdate(date->c_str(), nullptr)) : -1;
    return Verify(written, deadline);
  }

  Result<SecretBytes> Read(Deadline) override {
    return Status::InvalidArgument(api_->who() + ": " + name_ +
                                   " is write-only: GitHub never returns a secret's value");
  }

  Status DestroyVersion(const SecretBytes&, Deadline) override { return Status::Ok(); }

 private:
  // key_id and the base64 Curve25519 public key of the scope.
  Result<std::pair<std::string, std::string>> PublicKey(Deadline deadline) {
    auto response = api_->Send("GET", collection_ + "/public-key", SecretBytes(), deadline);
    if (!response.ok()) {
      return response.status();
    }
    const std::string what = "read the public key of " + collection_;
    REKEY_RETURN_IF_ERROR(api_->Check(*response, what));
    json answer = json::parse(response->body.Expose(), nullptr, false);  // public data
    const std::string* id = http::StringMember(answer, "key_id");
    const std::string* key = http::StringMember(answer, "key");
    if (id == nullptr || key == nullptr) {
      return Status::Corruption(api_->who() + ": " + what + ": no key_id and key");
    }
    return std::make_pair(*id, *key);
  }

  // VALUE sealed to KEY64 (crypto_box_seal), base64.
  Result<std::string> Seal(const SecretBytes& value, const std::string& key64) {
    auto key = http::Unbase64(key64);
    if (!key.ok() || key->size() != crypto_box_PUBLICKEYBYTES) {
      return Status::Corruption(api_->who() + ": the public key of " + collection_ +
                                " is not a Curve25519 key");
    }
    std::string sealed(crypto_box_SEALBYTES + value.size(), '\0');
    if (crypto_box_seal(reinterpret_cast<unsigned char*>(sealed.data()),
                        reinterpret_cast<const unsigned char*>(value.Expose().data()), value.size(),
                        reinterpret_cast<const unsigned char*>(key->Expose().data())) != 0) {
      return Status::Internal("crypto_box_seal failed");
    }
    return http::Base64(sealed);  // only the key's holder can open it
  }

  // The secret's metadata (name, created_at, updated_at, visibility); not_found when absent.
  Result<json> Metadata(Deadline deadline) {
    auto response =
        api_->Send("GET", collection_ + "/" + http::UrlEncode(secret_), SecretBytes(), deadline);
    if (!response.ok()) {
      return response.status();
    }
    REKEY_RETURN_IF_ERROR(api_->Check(*response, "read " + name_));
    json answer = json::parse(response->body.Expose(), nullptr, false);  // holds no value
    if (!answer.is_object()) {
      return Status::Corruption(api_->who() + ": read " + name_ + ": the answer is no secret");
    }
    return answer;
  }

  // The secret's updated_at is at or after WRITTEN (epoch seconds; -1: unknown, not checked).
  Status Verify(int64_t written, Deadline deadline) {
    auto metadata = Metadata(deadline);
    if (!metadata.ok()) {
      return metadata.status();
    }
    const std::string* updated = http::StringMember(*metadata, "updated_at");
    int64_t at = updated ? IsoSeconds(*updated) : -1;
    if (at < 0) {
      return Status::Corruption(api_->who() + ": read " + name_ + ": no updated_at");
    }
    if (written >= 0 && at < written) {
      return Status::Unavailable(api_->who() + ": " + name_ + " was updated at " + *updated +
                                 ", before the write was answered: not yet visible");
    }
    return Status::Ok();
  }

  ApiSystem* api_;
  const std::string collection_;  // /repos/o/r/actions/secrets, .../environments/e/secrets, ...
  const std::string secret_;
  const bool org_;
  const std::string name_;
};

// owner/name with both parts non-empty and URL-safe.
bool RepoName(const std::string& repo) {
  size_t slash = repo.find('/');
  return slash != std::string::npos && slash > 0 && slash + 1 < repo.size() &&
         repo.find('/', slash + 1) == std::string::npos;
}

}  // namespace

Result<std::unique_ptr<Holder>> MakeGithubActionsHolder(const ConnectorContext& context) {
  const Options& b = context.binding->options;
  const std::string who = "github-actions holder \"" + context.binding->name + "\"";
  const std::string secret = b.StringOr("secret", "");
  if (b.Has("repo") == b.Has("org") || secret.empty()) {
    return Status::InvalidArgument(who + " needs a secret and exactly one of repo and org");
  }
  std::string scope;
  if (b.Has("org")) {
    if (b.Has("environment")) {
      return Status::InvalidArgument(who + ": environment goes with repo, not org");
    }
    scope = "/orgs/" + http::UrlEncode(b.StringOr("org", "")) + "/actions/secrets";
  } else {
    const std::string repo = b.StringOr("repo", "");
    if (!RepoName(repo)) {
      return Status::InvalidArgument(who + ": repo \"" + repo + "\" is not owner/name");
    }
    const std::string owner = repo.substr(0, repo.find('/'));
    const std::string name = repo.substr(repo.find('/') + 1);
    std::string base = "/repos/" + http::UrlEncode(owner) + "/" + http::UrlEncode(name);
    scope = b.Has("environment") ? base + "/environments/" +
                                       http::UrlEncode(b.StringOr("environment", "")) + "/secrets"
                                 : base + "/actions/secrets";
  }
  if (Status s = InitSecretLibrary(); !s.ok()) {
    return s;
  }
  auto api = http::ApiSystemFor(context, kSpec);
  if (!api.ok()) {
    return api.status();
  }
  return std::unique_ptr<Holder>(
      std::make_unique<GithubActionsHolder>(*api, scope, secret, b.Has("org")));
}

}  // namespace rekey::github
