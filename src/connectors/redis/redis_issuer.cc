// Passwords go to the server only as SHA-256 hashes (`#<hex>` adds one, `!<hex>` removes one),
// the form Redis keeps them in: the clear value crosses the wire only in the AUTH that checks
// it. Admin connections come from a pool per system; each acceptance check is a new connection,
// because AUTH on a pooled one would change whose it is.
#include "connectors/redis/redis_issuer.h"

#include <algorithm>

#include "base/group_commit.h"
#include "base/sha256.h"
#include "connectors/connection_pool.h"
#include "connectors/redis/redis_connection.h"
#include "secret/redact.h"
#include "secret/secret_ref.h"

namespace rekey::redis {
namespace {

using Pool = ConnectionPool<RedisConnection>;

// "h:p" -> host, port. invalid_argument when the port is missing or not a number.
Result<std::pair<std::string, int>> SplitAddress(const std::string& address) {
  size_t colon = address.rfind(':');
  int port = 0;
  if (colon != std::string::npos && colon + 1 < address.size() &&
      address.find_first_not_of("0123456789", colon + 1) == std::string::npos) {
    port = std::atoi(address.c_str() + colon + 1);
  }
  if (port <= 0 || port > 65535) {
    return Status::InvalidArgument("address \"" + address + "\" is not host:port");
  }
  return std::make_pair(address.substr(0, colon), port);
}

// Lower-case hex SHA-256 of VALUE: how Redis stores an ACL password.
std::string PasswordHash(const SecretBytes& value) { return Sha256Hex(value.Expose()); }

// A server error: permanent, except the ones that say "try again".
Status ServerError(std::string message, const Reply& reply) {
  std::string_view code = reply.ErrorCode();
  if (code == "LOADING" || code == "BUSY" || code == "TRYAGAIN" || code == "MASTERDOWN") {
    return Status::Unavailable(std::move(message));
  }
  return Status(StatusCode::kInternal, std::move(message));
}

// What every binding of one system shares: where it is, the admin login, the pool, and the ACL
// saves in progress.
struct SystemAccess {
  std::string name;  // the system's, for messages
  std::string host;
  int port = 0;
  std::string admin_user;
  SecretBytes admin_secret;
  bool acl_save = false;
  std::unique_ptr<Pool> pool;
  // ACL SAVE writes every user of the server to the file and fsyncs it: one per change made a
  // bulk run of 1,000 users (3,000 saves of a 1,000-line file) spend 2.5 s in Redis's single
  // thread. Changes made at the same time share a save instead (see SaveAcl).
  mutable GroupCommit<Status> acl_saves;  // items: the outcome of the save that covered each

  // Logs in as the admin on a new connection. A refused login is permanent. Messages are the
  // caller's to put in context.
  Result<std::unique_ptr<RedisConnection>> Connect(Deadline deadline) const {
    auto conn = RedisConnection::Open(host, port, deadline);
    if (!conn.ok()) {
      return conn.status();
    }
    auto reply = (*conn)->Command({"AUTH", admin_user, admin_secret.Expose()}, deadline);
    if (!reply.ok()) {
      return reply.status();
    }
    if (reply->IsError()) {
      return Status::PermissionDenied("admin login as \"" + admin_user +
                                      "\" failed: " + Redact(reply->text, {&admin_secret}));
    }
    return conn;
  }

  std::string Who() const { return "redis system \"" + name + "\""; }
};

class RedisIssuer final : public Issuer {
 public:
  RedisIssuer(const SystemAccess& system, std::string user) : s_(system), user_(std::move(user)) {}

  Status Install(const SecretBytes& value, const SecretBytes*, Deadline deadline) override {
    return SetUser({"#" + PasswordHash(value)}, deadline);
  }

  // Idempotent: a hash the user does not have is not an error (Redis refuses `!` for it).
  Status Remove(const SecretBytes& value, const SecretBytes*, Deadline deadline) override {
    std::string hash = PasswordHash(value);
    auto has = HasPassword(hash, deadline);
    if (!has.ok()) {
      return has.status();
    }
    // Gone already: perhaps by this step's last attempt, which may have died before its save.
    return *has ? SetUser({"!" + hash}, deadline) : Persist(deadline);
  }

  Result<bool> Accepts(const SecretBytes& value, Deadline deadline) override {
    auto conn = RedisConnection::Open(s_.host, s_.port, deadline);
    if (!conn.ok()) {
      return conn.status().WithContext(s_.Who());
    }
    auto reply = (*conn)->Command({"AUTH", user_, value.Expose()}, deadline);
    if (!reply.ok()) {
      return reply.status().WithContext(s_.Who());
    }
    if (!reply->IsError()) {
      return true;
    }
    // Redis 7 answers WRONGPASS both for a wrong password and for a user that is off.
    if (reply->ErrorCode() == "WRONGPASS") {
      return false;
    }
    return Failed("AUTH", *reply, &value);
  }

  Status EndSessions(const SecretBytes&, Deadline deadline) override {
    auto reply = Admin({"CLIENT", "KILL", "USER", user_}, deadline);
    if (!reply.ok()) {
      return reply.status();
    }
    // No such user: it has no sessions either.
    if (reply->IsError() && reply->text.find("No such user") == std::string::npos) {
      return Failed("CLIENT KILL", *reply);
    }
    return Status::Ok();
  }

  Status Disable(Deadline deadline) override { return SetUser({"off"}, deadline); }
  Status Enable(Deadline deadline) override { return SetUser({"on"}, deadline); }
  Status Persist(Deadline deadline) override {
    return s_.acl_save ? SaveAcl(deadline) : Status::Ok();
  }

 private:
  // ACL SETUSER user RULES..., then ACL SAVE when the system keeps an ACL file.
  Status SetUser(std::vector<std::string> rules, Deadline deadline) {
    std::vector<std::string_view> argv = {"ACL", "SETUSER", user_};
    argv.insert(argv.end(), rules.begin(), rules.end());
    auto reply = Admin(argv, deadline);
    if (!reply.ok()) {
      return reply.status();
    }
    if (reply->IsError()) {
      return Failed("ACL SETUSER", *reply);
    }
    return Persist(deadline);
  }

  // Returns once an ACL SAVE that began after this call has ended, with its outcome: the change
  // just made is then on disk. Concurrent callers share one save (GroupCommit), which is as
  // durable, since a save writes whatever the server holds when it begins.
  Status SaveAcl(Deadline deadline) {
    Status mine;
    s_.acl_saves.Submit(&mine, [&](const std::vector<Status*>& batch) noexcept {
      Status saved = SaveAclNow(deadline);  // the leader's: each step stays within its own
      for (Status* outcome : batch) {
        *outcome = saved;
      }
    });
    return mine;
  }

  Status SaveAclNow(Deadline deadline) {
    auto reply = Admin({"ACL", "SAVE"}, deadline);
    if (!reply.ok()) {
      return reply.status();
    }
    if (reply->IsError()) {
      return ServerError(s_.Who() + ": ACL SAVE failed: " + Redact(reply->text, {&s_.admin_secret}),
                         *reply);
    }
    return Status::Ok();
  }

  // Whether the user's password hashes include HASH (ACL GETUSER lists them). A missing user
  // has none.
  Result<bool> HasPassword(const std::string& hash, Deadline deadline) {
    auto reply = Admin({"ACL", "GETUSER", user_}, deadline);
    if (!reply.ok()) {
      return reply.status();
    }
    if (reply->IsError()) {
      return Failed("ACL GETUSER", *reply);
    }
    const std::vector<Reply>& fields = reply->elements;  // name, value, name, value...
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].text == "passwords") {
        const std::vector<Reply>& hashes = fields[i + 1].elements;
        return std::any_of(hashes.begin(), hashes.end(),
                           [&](const Reply& h) { return h.text == hash; });
      }
    }
    return false;
  }

  // ARGV on a pooled admin connection; a connection that failed is discarded.
  Result<Reply> Admin(const std::vector<std::string_view>& argv, Deadline deadline) {
    auto lease = s_.pool->Acquire(deadline);
    if (!lease.ok()) {
      return lease.status().WithContext(s_.Who());
    }
    Result<Reply> reply = (*lease)->Command(argv, deadline);
    if ((*lease)->broken()) {
      lease->Discard();
    }
    if (!reply.ok()) {
      return reply.status().WithContext(s_.Who());
    }
    return reply;
  }

  // The server's error for COMMAND on this user (ServerError says which are retryable).
  Status Failed(const std::string& command, const Reply& reply,
                const SecretBytes* value = nullptr) const {
    return ServerError(s_.Who() + ": " + command + " for user \"" + user_ +
                           "\" failed: " + Redact(reply.text, {value, &s_.admin_secret}),
                       reply);
  }

  const SystemAccess& s_;
  std::string user_;
};

// The access to CONTEXT's system that every binding of it in the process shares: the first
// binding's is kept (with its pool). Errors (a bad address, an unreadable admin secret) are not
// kept: a later binding tries again.
Result<SystemAccess*> AccessFor(const ConnectorContext& context) {
  const System& system = *context.system;
  auto access = std::make_shared<SystemAccess>();
  access->name = system.name;
  const std::string address = system.options.StringOr("address", "");
  auto host_port = SplitAddress(address);
  if (!host_port.ok()) {
    return host_port.status().WithContext(access->Who());
  }
  std::tie(access->host, access->port) = *host_port;
  access->admin_user = system.options.StringOr("admin_user", "default");
  access->acl_save = system.options.GetBool("acl_save");
  const SecretRef* ref = system.options.GetSecretRef("admin_secret");
  if (ref == nullptr) {
    return Status::InvalidArgument(access->Who() + " has no admin_secret");
  }
  auto secret = ResolveSecretRef(context.env, *ref);
  if (!secret.ok()) {
    return secret.status().WithContext(access->Who());
  }
  access->admin_secret = std::move(*secret);
  SystemAccess* raw = access.get();
  access->pool = std::make_unique<Pool>([raw](Deadline deadline) { return raw->Connect(deadline); },
                                        AdminPoolSize(system));
  return &context.resources->Get<SystemAccess>("redis/" + system.name + "/" + address,
                                               [&] { return access; });
}

}  // namespace

Result<std::unique_ptr<Issuer>> MakeRedisIssuer(const ConnectorContext& context) {
  const std::string* user = context.binding->options.GetString("user");
  if (user == nullptr || user->empty()) {
    return Status::InvalidArgument("redis issuer \"" + context.binding->name + "\" needs a user");
  }
  auto access = AccessFor(context);
  if (!access.ok()) {
    return access.status();
  }
  return std::unique_ptr<Issuer>(std::make_unique<RedisIssuer>(**access, *user));
}

}  // namespace rekey::redis
