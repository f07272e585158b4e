// Passwords reach the server only as mysql_native_password hashes computed here, so the clear
// value is in no statement and in no server log; it crosses the wire only inside the login
// scramble of an acceptance check. Admin connections come from a pool per system; each
// acceptance check is a new connection as the account itself.
#include "connectors/mariadb/mariadb_issuer.h"

#include <algorithm>
#include <atomic>
#include <charconv>

#include "connectors/connection_pool.h"
#include "connectors/mariadb/mariadb_connection.h"
#include "connectors/mariadb/sha1.h"
#include "secret/redact.h"
#include "secret/secret_ref.h"

namespace rekey::mariadb {
namespace {

using Pool = ConnectionPool<MariadbConnection>;
using std::chrono::milliseconds;

// What every binding of one system shares: where it is, the admin login, and the pool.
struct SystemAccess {
  std::string name;  // the system's, for messages
  Endpoint endpoint;
  std::string admin_user;
  SecretBytes admin_secret;
  std::unique_ptr<Pool> pool;
  std::string statement_timeout_s;             // the system's timeout, for max_statement_time
  std::atomic<bool> sees_all_sessions{false};  // the admin was found to hold PROCESS

  // Logs in as the admin on a new connection. A refused login is permanent.
  Result<std::unique_ptr<MariadbConnection>> Connect(Deadline deadline) const {
    auto conn = MariadbConnection::Create(endpoint);
    if (!conn.ok()) {
      return conn.status();
    }
    Status login = (*conn)->Connect(admin_user, admin_secret, deadline);
    if (!login.ok()) {
      return Status(login.code(),
                    "admin login failed: " + Redact(login.message(), {&admin_secret}));
    }
    // The server's own bound on a statement rekey stopped waiting for (MariaDB only; it also
    // ends a wait for a lock, which lock_wait_timeout does not for ALTER USER).
    if ((*conn)->is_mariadb()) {
      Status set =
          (*conn)->Execute("SET SESSION max_statement_time = " + statement_timeout_s, deadline);
      if (!set.ok()) {
        return Status(set.code(), "admin session setup failed: " + set.message());
      }
    }
    return conn;
  }

  std::string Who() const { return "mariadb system \"" + name + "\""; }
};

class MariadbIssuer final : public Issuer {
 public:
  MariadbIssuer(Env* env, SystemAccess& system, std::string user, std::string host)
      : env_(env), s_(system), user_(std::move(user)), host_(std::move(host)) {}

  // ALTER USER with the hash: idempotent, and it keeps a lock (contain installs while locked).
  Status Install(const SecretBytes& value, const SecretBytes* old, Deadline deadline) override {
    if (value.empty() || value.Expose().find('\0') != std::string_view::npos) {
      return Status::InvalidArgument(Who() +
                                     ": the value is empty or contains a NUL byte, "
                                     "which a MySQL client cannot log in with");
    }
    std::string hash = NativePasswordHash(value);
    SecretBytes hash_secret(hash);
    Status status = Admin(deadline, [&](MariadbConnection& c) {
      // MariaDB: IDENTIFIED VIA ... USING; MySQL 5.7/8.0: IDENTIFIED WITH ... AS (untested here).
      std::string sql = "ALTER USER " + Account(c) +
                        (c.is_mariadb() ? " IDENTIFIED VIA mysql_native_password USING '"
                                        : " IDENTIFIED WITH mysql_native_password AS '") +
                        hash + "'";
      Status s = c.Execute(sql, deadline);
      WipeString(sql);
      return Fail(s, "ALTER USER ... IDENTIFIED", &value, &hash_secret, old);
    });
    WipeString(hash);
    return status;
  }

  // One password per account: removing VALUE is installing NEXT. Without NEXT, OK only if VALUE
  // is not the account's password already (asked of mysql.user, which a lock does not hide).
  Status Remove(const SecretBytes& value, const SecretBytes* next, Deadline deadline) override {
    if (next != nullptr) {
      if (next->Equals(value)) {
        return Status::InvalidArgument(Who() + ": the value to remove is the one that stays");
      }
      return Install(*next, &value, deadline);
    }
    std::string hash = NativePasswordHash(value);
    SecretBytes hash_secret(hash);
    WipeString(hash);
    return Admin(deadline, [&](MariadbConnection& c) {
      auto rows =
          c.Query("SELECT authentication_string FROM mysql.user WHERE User = " + c.Quote(user_) +
                      " AND Host = " + c.Quote(host_),
                  deadline);
      if (!rows.ok()) {
        return Fail(rows.status(), "reading the password hash", &value, &hash_secret);
      }
      bool current = !rows->empty() && SecretBytes((*rows)[0][0]).Equals(hash_secret);
      for (Row& row : *rows) {
        WipeString(row[0]);
      }
      if (current) {
        return Status::InvalidArgument(Who() +
                                       ": cannot remove the account's only password without a "
                                       "replacement (disable the account instead)");
      }
      return Status::Ok();
    });
  }

  // A new connection as the account. Rejected: 1045 (wrong password), 1698 (refused by a plugin
  // that takes no password: unix_socket, or the one MariaDB feigns for an account that does not
  // exist) or 4151 (locked).
  Result<bool> Accepts(const SecretBytes& value, Deadline deadline) override {
    auto conn = MariadbConnection::Create(s_.endpoint);
    if (!conn.ok()) {
      return Fail(conn.status(), "login check");
    }
    Status login = (*conn)->Connect(user_, value, deadline);
    if (!login.ok()) {
      unsigned int n = (*conn)->error().number;
      if (!(*conn)->error().deadline_passed &&
          (n == ER_ACCESS_DENIED_ERROR || n == ER_ACCESS_DENIED_NO_PASSWORD_ERROR ||
           n == ER_ACCOUNT_HAS_BEEN_LOCKED)) {
        return false;
      }
      return Fail(login, "login check", &value);
    }
    // A login proves this account only if the server chose it: another account of the same
    // name with a more specific host part would take rekey's address first.
    auto rows = (*conn)->Query("SELECT CURRENT_USER()", deadline);
    if (!rows.ok()) {
      return Fail(rows.status(), "login check", &value);
    }
    std::string got = rows->size() == 1 ? (*rows)[0][0] : "";
    if (got != user_ + "@" + host_) {
      return Status::InvalidArgument(Who() + ": login check: the value logged in as " + got +
                                     ", another account: its host part matches rekey's address "
                                     "before '" +
                                     host_ + "' does");
    }
    return true;
  }

  // MariaDB tells sessions apart by user name only: every session of every account named user_
  // is ended, except the admin connection's own.
  Status EndSessions(const SecretBytes&, Deadline deadline) override {
    return Admin(deadline, [&](MariadbConnection& c) {
      REKEY_RETURN_IF_ERROR(CheckSeesAllSessions(c, deadline));
      auto rows =
          c.Query("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = " + c.Quote(user_) +
                      " AND ID <> CONNECTION_ID()",
                  deadline);
      if (!rows.ok()) {
        return Fail(rows.status(), "listing sessions");
      }
      std::string ids;
      for (const Row& row : *rows) {
        const std::string& id = row[0];
        if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) {
          return Status::Internal(Who() + ": PROCESSLIST gave the id \"" + id + "\"");
        }
        Status kill = c.Execute("KILL CONNECTION " + id, deadline);
        if (!kill.ok() && c.error().number != ER_NO_SUCH_THREAD) {  // 1094: gone already
          return Fail(kill, "KILL CONNECTION " + id);
        }
        ids += (ids.empty() ? "" : ",") + id;
      }
      return ids.empty() ? Status::Ok() : AwaitGone(c, ids, deadline);
    });
  }

  Status Disable(Deadline deadline) override { return Lock("LOCK", deadline); }
  Status Enable(Deadline deadline) override { return Lock("UNLOCK", deadline); }

 private:
  // Without PROCESS, PROCESSLIST shows the admin only its own sessions, and ending the account's
  // would "succeed" with all of them alive. Checked once per system; a PROCESS privilege held
  // only through a role is not seen (USER_PRIVILEGES does not list roles' privileges).
  Status CheckSeesAllSessions(MariadbConnection& c, Deadline deadline) {
    if (s_.sees_all_sessions) {
      return Status::Ok();
    }
    auto rows = c.Query(
        "SELECT COUNT(*) FROM information_schema.USER_PRIVILEGES WHERE PRIVILEGE_TYPE = "
        "'PROCESS' AND GRANTEE = CONCAT(" +
            c.Quote("'" + s_.admin_user + "'@'") +
            ", SUBSTRING_INDEX(CURRENT_USER(), '@', -1), '''')",
        deadline);
    if (!rows.ok()) {
      return Fail(rows.status(), "checking the admin's PROCESS privilege");
    }
    if (rows->size() != 1 || (*rows)[0][0] == "0") {
      return Status::PermissionDenied(
          s_.Who() + ": the admin user \"" + s_.admin_user +
          "\" lacks the PROCESS privilege (granted to it directly, not through a role), without "
          "which PROCESSLIST hides other users' sessions and they cannot be ended");
    }
    s_.sees_all_sessions = true;
    return Status::Ok();
  }

  // KILL only marks a connection; it leaves PROCESSLIST when its thread has closed it. Waits for
  // IDS (comma-separated) to leave, polling at 1, 2, 4 ... 50 ms.
  Status AwaitGone(MariadbConnection& c, const std::string& ids, Deadline deadline) {
    milliseconds pause(1);
    for (;;) {
      auto rows = c.Query("SELECT ID FROM information_schema.PROCESSLIST WHERE ID IN (" + ids + ")",
                          deadline);
      if (!rows.ok()) {
        return Fail(rows.status(), "checking ended sessions");
      }
      if (rows->empty()) {
        return Status::Ok();
      }
      if (std::chrono::steady_clock::now() + pause >= deadline) {
        return Status::Unavailable(Who() + ": " + std::to_string(rows->size()) +
                                   " session(s) still open after KILL CONNECTION " + ids);
      }
      env_->SleepFor(pause);
      pause = std::min(2 * pause, milliseconds(50));
    }
  }

  Status Lock(std::string_view what, Deadline deadline) {
    return Admin(deadline, [&](MariadbConnection& c) {
      std::string sql = "ALTER USER " + Account(c) + " ACCOUNT " + std::string(what);
      return Fail(c.Execute(sql, deadline), "ALTER USER ... ACCOUNT " + std::string(what));
    });
  }

  // Runs WORK on a pooled admin connection; one that WORK left broken is discarded (the error
  // is retryable, so the executor's next attempt gets a new connection).
  template <typename Work>
  Status Admin(Deadline deadline, Work work) {
    auto lease = s_.pool->Acquire(deadline);
    if (!lease.ok()) {
      return lease.status().WithContext(s_.Who());
    }
    Status status = work(**lease);
    if ((*lease)->broken()) {
      lease->Discard();
    }
    return status;
  }

  // 'user'@'host', escaped for C.
  std::string Account(const MariadbConnection& c) const {
    return c.Quote(user_) + "@" + c.Quote(host_);
  }

  std::string Who() const { return s_.Who() + ", account '" + user_ + "'@'" + host_ + "'"; }

  // S with the system, the account and WHAT in front, the secrets redacted; OK stays OK.
  Status Fail(const Status& s, const std::string& what, const SecretBytes* value = nullptr,
              const SecretBytes* hash = nullptr, const SecretBytes* other = nullptr) const {
    if (s.ok()) {
      return s;
    }
    return Status(s.code(), Who() + ": " + what + " failed: " +
                                Redact(s.message(), {value, hash, other, &s_.admin_secret}));
  }

  Env* env_;
  SystemAccess& s_;
  const std::string user_;
  const std::string host_;
};

// The port option: 1..65535, default 3306.
Result<unsigned int> ParsePort(const Options& options) {
  std::string text = options.StringOr("port", "3306");
  unsigned int port = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || end != text.data() + text.size() || port == 0 || port > 65535) {
    return Status::InvalidArgument("port \"" + text + "\" is not a number from 1 to 65535");
  }
  return port;
}

// The access to CONTEXT's system that every binding of it in the process shares: the first
// binding's is kept (with its pool). Errors (a bad port, an unreadable admin secret) are not
// kept: a later binding tries again.
Result<SystemAccess*> AccessFor(const ConnectorContext& context) {
  const System& system = *context.system;
  const Options& options = system.options;
  auto access = std::make_shared<SystemAccess>();
  access->name = system.name;
  Endpoint& e = access->endpoint;
  e.host = options.StringOr("host", "");
  auto port = ParsePort(options);
  if (!port.ok()) {
    return port.status().WithContext(access->Who());
  }
  e.port = *port;
  e.tls = options.GetBool("tls");
  e.ca_file = options.StringOr("ca_file", "");
  e.io_timeout_s = static_cast<unsigned int>(
      std::max<long long>(1, std::chrono::ceil<std::chrono::seconds>(system.timeout).count()));
  long long timeout_ms = std::max<long long>(1, system.timeout.count());
  access->statement_timeout_s =
      std::to_string(timeout_ms / 1000) + "." + std::to_string(1000 + timeout_ms % 1000).substr(1);
  access->admin_user = options.StringOr("admin_user", "");
  const SecretRef* ref = options.GetSecretRef("admin_secret");
  if (e.host.empty() || access->admin_user.empty() || ref == nullptr) {
    return Status::InvalidArgument(access->Who() + " needs host, admin_user and admin_secret");
  }
  if (!e.ca_file.empty() && !e.tls) {
    return Status::InvalidArgument(access->Who() + " has a ca_file but not tls: true");
  }
  auto secret = ResolveSecretRef(context.env, *ref);
  if (!secret.ok()) {
    return secret.status().WithContext(access->Who());
  }
  access->admin_secret = std::move(*secret);
  SystemAccess* raw = access.get();
  access->pool = std::make_unique<Pool>([raw](Deadline deadline) { return raw->Connect(deadline); },
                                        AdminPoolSize(system));
  std::string key = "mariadb/" + system.name + "/" + e.host + ":" + std::to_string(e.port);
  return &context.resources->Get<SystemAccess>(key, [&] { return access; });
}

}  // namespace

Result<std::unique_ptr<Issuer>> MakeMariadbIssuer(const ConnectorContext& context) {
  REKEY_CHECK(context.env != nullptr && context.system != nullptr && context.binding != nullptr &&
              context.resources != nullptr);
  const Options& options = context.binding->options;
  std::string user = options.StringOr("user", "");
  if (user.empty()) {
    return Status::InvalidArgument("mariadb issuer \"" + context.binding->name + "\" needs a user");
  }
  auto access = AccessFor(context);
  if (!access.ok()) {
    return access.status();
  }
  if (user == (*access)->admin_user) {
    return Status::InvalidArgument((*access)->Who() + ": user \"" + user +
                                   "\" is the admin user: rekey would lock itself out and end "
                                   "its own admin sessions");
  }
  return std::unique_ptr<Issuer>(std::make_unique<MariadbIssuer>(
      context.env, **access, std::move(user), options.StringOr("host", "%")));
}

}  // namespace rekey::mariadb
