// Install and remove edit authorized_keys through a KeyFileHost (local or remote, the same
// edits); "accepted?" is always a fresh public-key login as the user, so it answers for what
// sshd does, whatever the file says (AuthorizedKeysFile elsewhere, AuthorizedKeysCommand, a
// Match block). The values are OpenSSH private keys: only their public halves reach the host.
#include "connectors/ssh/ssh_issuer.h"

#include "connectors/ssh/authorized_keys.h"
#include "connectors/ssh/key_file_host.h"
#include "secret/secret_ref.h"

namespace rekey::ssh {
namespace {

// What every binding of one system shares: how to reach the server, and where keys are edited.
struct SystemAccess {
  std::string name;
  SshTarget target;
  std::string admin_user;
  SecretBytes admin_key;
  std::unique_ptr<SessionPool> pool;  // remote only
  std::unique_ptr<KeyFileHost> host;

  std::string Who() const { return "ssh system \"" + name + "\""; }

  // A new admin session, logged in. A refused admin key is permanent.
  Result<std::unique_ptr<SshSession>> ConnectAsAdmin(Deadline deadline) const {
    auto session = SshSession::Connect(target, admin_user, deadline);
    if (!session.ok()) {
      return session.status();
    }
    Result<bool> accepted = (*session)->AuthenticateWithKey(admin_key, deadline);
    if (!accepted.ok()) {
      return accepted.status();
    }
    if (!*accepted) {
      return Status::PermissionDenied("admin login as \"" + admin_user + "\" on " +
                                      target.Describe() + " was refused (admin_key)");
    }
    return session;
  }
};

class SshIssuer final : public Issuer {
 public:
  SshIssuer(const SystemAccess& system, std::string identity, KeyFile file,
            const std::vector<std::string>* end_sessions)
      : s_(system), identity_(std::move(identity)), file_(std::move(file)) {
    if (end_sessions != nullptr) {
      end_sessions_ = *end_sessions;
    }
  }

  Status Install(const SecretBytes& value, const SecretBytes* old, Deadline deadline) override {
    Result<PublicKey> key = PublicKeyOf(value);
    if (!key.ok()) {
      return Context(key.status());
    }
    std::optional<PublicKey> old_key = KeyOrNothing(old);
    std::string comment = RekeyComment(identity_, *key);
    return Context(s_.host->EditFile(
        file_,
        [&](std::string_view text) {
          return AddKey(text, *key, old_key ? &*old_key : nullptr, identity_, comment);
        },
        deadline));
  }

  Status Remove(const SecretBytes& value, const SecretBytes* next, Deadline deadline) override {
    Result<PublicKey> key = PublicKeyOf(value);
    if (!key.ok()) {
      return Context(key.status());
    }
    std::optional<PublicKey> next_key = KeyOrNothing(next);
    return Context(s_.host->EditFile(
        file_,
        [&](std::string_view text) {
          return RemoveKey(text, *key, next_key ? &*next_key : nullptr, identity_);
        },
        deadline));
  }

  Result<bool> Accepts(const SecretBytes& value, Deadline deadline) override {
    auto session = SshSession::Connect(s_.target, file_.user, deadline);
    if (!session.ok()) {
      return Context(session.status());
    }
    Result<bool> accepted = (*session)->AuthenticateWithKey(value, deadline);
    if (!accepted.ok()) {
      return Context(accepted.status());
    }
    return *accepted;
  }

  Status EndSessions(const SecretBytes&, Deadline deadline) override {
    if (end_sessions_.empty()) {
      return Status::Internal(s_.Who() + ": the binding has no `end_sessions` command");
    }
    return Context(s_.host->Run(end_sessions_, deadline));
  }

  Status Disable(Deadline) override {
    return Status::Internal(s_.Who() + ": an ssh issuer cannot disable an account");
  }
  Status Enable(Deadline) override {
    return Status::Internal(s_.Who() + ": an ssh issuer cannot enable an account");
  }

 private:
  // The public key of VALUE when it is a key rekey can read (an adopted value may not be).
  static std::optional<PublicKey> KeyOrNothing(const SecretBytes* value) {
    if (value == nullptr) {
      return std::nullopt;
    }
    Result<PublicKey> key = PublicKeyOf(*value);
    return key.ok() ? std::optional(*key) : std::nullopt;
  }

  Status Context(const Status& s) const {
    return s.ok()
               ? s
               : s.WithContext(s_.Who() + ", " + file_.Describe() + " of \"" + file_.user + "\"");
  }

  const SystemAccess& s_;
  std::string identity_;
  KeyFile file_;
  std::vector<std::string> end_sessions_;
};

Result<std::shared_ptr<SystemAccess>> NewAccess(const ConnectorContext& context) {
  const System& system = *context.system;
  const Options& o = system.options;
  auto access = std::make_shared<SystemAccess>();
  access->name = system.name;
  bool local = o.GetBool("local");
  access->target.host = o.StringOr("host", local ? "127.0.0.1" : "");
  access->target.port = std::stoi(o.StringOr("port", "22"));
  access->target.known_hosts = o.StringOr("known_hosts", "");
  access->target.host_key = o.StringOr("host_key", "");
  if (access->target.host.empty()) {
    return Status::InvalidArgument(access->Who() + " needs `host` (or `local: true`)");
  }
  if (local) {
    if (o.Has("admin_user") || o.Has("admin_key")) {
      return Status::InvalidArgument(access->Who() +
                                     ": `local: true` edits files on this machine; "
                                     "`admin_user` and `admin_key` do not apply");
    }
    access->host = MakeLocalKeyFileHost(context.env);
    return access;
  }
  const SecretRef* ref = o.GetSecretRef("admin_key");
  if (ref == nullptr) {
    return Status::InvalidArgument(access->Who() +
                                   " needs `admin_key` (or `local: true` to edit files here)");
  }
  auto key = ResolveSecretRef(context.env, *ref);
  if (!key.ok()) {
    return key.status().WithContext(access->Who());
  }
  access->admin_key = std::move(*key);
  access->admin_user = o.StringOr("admin_user", "root");
  SystemAccess* raw = access.get();
  access->pool = std::make_unique<SessionPool>(
      [raw](Deadline deadline) { return raw->ConnectAsAdmin(deadline); }, AdminPoolSize(system));
  access->host = MakeRemoteKeyFileHost(access->pool.get());
  return access;
}

}  // namespace

Result<std::unique_ptr<Issuer>> MakeSshIssuer(const ConnectorContext& context) {
  const Options& b = context.binding->options;
  const std::string* user = b.GetString("user");
  if (user == nullptr || user->empty()) {
    return Status::InvalidArgument("ssh issuer \"" + context.binding->name + "\" needs a user");
  }
  KeyFile file{b.StringOr("authorized_keys", ""), *user};
  if (!file.path.empty() && file.path.front() != '/') {
    return Status::InvalidArgument("ssh issuer \"" + context.binding->name +
                                   "\": authorized_keys " + file.path + " is not an absolute path");
  }
  const System& system = *context.system;
  std::string key = "ssh/" + system.name;
  auto access = NewAccess(context);
  if (!access.ok()) {
    return access.status();
  }
  SystemAccess& shared =
      context.resources->Get<SystemAccess>(key, [&] { return std::move(*access); });
  return std::unique_ptr<Issuer>(std::make_unique<SshIssuer>(
      shared, context.identity->name, std::move(file), b.GetList("end_sessions")));
}

}  // namespace rekey::ssh
