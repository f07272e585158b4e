// Install and remove edit the user's line under the directory lock every shared text file gets
// (file/locked_edit.h), then run the system's `reload`. "Accepted?" is always a request to the
// web server with basic auth: what it answers, not what the file says, decides (the server may
// read another file, cache it, or not have been reloaded). Nothing outlives a request, so there
// are no sessions to end.
#include "connectors/htpasswd/htpasswd_issuer.h"

#include <functional>

#include "connectors/exec/command.h"
#include "connectors/file/locked_edit.h"
#include "connectors/file/path_guard.h"
#include "connectors/htpasswd/bcrypt.h"
#include "connectors/htpasswd/htpasswd_file.h"
#include "connectors/http/api_system.h"

namespace rekey::htpasswd {
namespace {

const http::ApiSpec kSpec{.type = "htpasswd",
                          .url_option = "url",
                          .default_url = "",
                          .token_header = "",
                          .token_prefix = "",
                          .headers = {}};

struct Settings {
  std::string path;  // the htpasswd file, absolute
  std::string user;
  std::string check_path;  // on the server, starting with '/'
  int cost = kDefaultCost;
  std::vector<std::string> reload;  // empty: none
};

class HtpasswdIssuer final : public Issuer {
 public:
  HtpasswdIssuer(Env* env, http::ApiSystem* api, Settings settings)
      : env_(env), api_(api), s_(std::move(settings)) {}

  Status Install(const SecretBytes& value, const SecretBytes*, Deadline deadline) override {
    return Change(
        [&](std::optional<std::string_view> hash) {
          return hash && HashMatches(value, *hash) ? kKeep : kSet;
        },
        &value, deadline);
  }

  Status Remove(const SecretBytes& value, const SecretBytes* next, Deadline deadline) override {
    return Change(
        [&](std::optional<std::string_view> hash) {
          if (!hash || !HashMatches(value, *hash)) {
            return kKeep;
          }
          return next != nullptr ? kSet : kLock;
        },
        next, deadline);
  }

  // 2xx accepted, 401 rejected; any other answer (a 403, a 404 for a wrong check_path, a 5xx)
  // or none is an error, never "rejected".
  Result<bool> Accepts(const SecretBytes& value, Deadline deadline) override {
    std::vector<SecretBytes> login;
    login.push_back(http::BasicAuthorization(s_.user, value));
    auto response = api_->Send("GET", s_.check_path, SecretBytes(), deadline, std::move(login));
    if (!response.ok()) {
      return response.status();
    }
    if (response->status == 401) {
      return false;
    }
    Status status = api_->Check(*response, "GET " + s_.check_path + " as \"" + s_.user + "\"");
    if (!status.ok()) {
      return status;
    }
    return true;
  }

  Status EndSessions(const SecretBytes&, Deadline) override { return Status::Ok(); }

  Status Disable(Deadline) override {
    return Status::Internal(api_->who() + ": an htpasswd issuer cannot disable a user");
  }
  Status Enable(Deadline) override {
    return Status::Internal(api_->who() + ": an htpasswd issuer cannot enable a user");
  }

 private:
  enum Action { kKeep, kSet, kLock };
  // What a removed value leaves: a hash no password matches. The line keeps its place (and any
  // comment) for the value installed next, and nothing derived from the old value stays.
  static constexpr std::string_view kLocked = "!";

  // Edits the user's line as DECIDE says, given its hash now (nullopt: the user has no line):
  // keep it, set it to the hash of VALUE, or lock it; then reloads.
  Status Change(const std::function<Action(std::optional<std::string_view>)>& decide,
                const SecretBytes* value, Deadline deadline) {
    Result<std::string> target = file::ResolveHolderPath(s_.path, nullptr);
    if (!target.ok()) {
      return Context(target.status());
    }
    Status hashed;
    Status edited = file::EditFileLocked(
        env_, *target,
        [&](std::string_view text) -> std::optional<std::string> {
          switch (decide(HashOf(text, s_.user))) {
            case kKeep:
              return std::nullopt;
            case kLock:
              return WithHash(text, s_.user, kLocked);
            case kSet:
              break;
          }
          Result<std::string> hash = BcryptHash(*value, s_.cost);
          if (!hash.ok()) {
            hashed = hash.status();
            return std::nullopt;
          }
          return WithHash(text, s_.user, *hash);
        },
        file::IfMissing::kNotFound, deadline);
    if (!hashed.ok() || !edited.ok()) {
      return Context(hashed.ok() ? edited : hashed);
    }
    return Reload(deadline);
  }

  // Runs `reload` after every install or remove, changed or not: a run that crashed between the
  // edit and the reload repeats the step, and the reload must not be lost.
  Status Reload(Deadline deadline) {
    if (s_.reload.empty()) {
      return Status::Ok();
    }
    exec::Command command{.name = "reload", .argv = &s_.reload};
    return Context(exec::RunCommand(env_, command, deadline).status());
  }

  Status Context(const Status& s) const {
    return s.ok() ? s : s.WithContext(api_->who() + ", " + s_.path + " of \"" + s_.user + "\"");
  }

  Env* env_;
  http::ApiSystem* api_;
  const Settings s_;
};

}  // namespace

Result<std::unique_ptr<Issuer>> MakeHtpasswdIssuer(const ConnectorContext& context) {
  const Options& b = context.binding->options;
  std::string who = "htpasswd issuer \"" + context.binding->name + "\"";
  Settings s;
  s.path = b.StringOr("path", "");
  s.user = b.StringOr("user", "");
  s.check_path = b.StringOr("check_path", "");
  if (!s.path.starts_with('/')) {
    return Status::InvalidArgument(who + ": path \"" + s.path + "\" is not an absolute path");
  }
  if (s.user.empty() || s.user.starts_with('#') ||
      s.user.find_first_of(":\r\n") != std::string::npos) {
    return Status::InvalidArgument(who + ": user \"" + s.user +
                                   "\" cannot be an htpasswd user (empty, starting with '#', or "
                                   "holding ':' or a line break)");
  }
  if (!s.check_path.starts_with('/')) {
    return Status::InvalidArgument(who + ": check_path \"" + s.check_path +
                                   "\" must start with '/' (a path on the system's url)");
  }
  // Validation checked the range (registry.cc); BcryptHash checks it again.
  s.cost = std::stoi(context.system->options.StringOr("cost", std::to_string(kDefaultCost)));
  if (const std::vector<std::string>* reload = context.system->options.GetList("reload")) {
    s.reload = *reload;
  }
  auto api = http::ApiSystemFor(context, kSpec);
  if (!api.ok()) {
    return api.status();
  }
  return std::unique_ptr<Issuer>(std::make_unique<HtpasswdIssuer>(context.env, *api, std::move(s)));
}

}  // namespace rekey::htpasswd
