#include "connectors/postgres/postgres_issuer.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "connectors/connection_pool.h"
#include "connectors/postgres/accepts_login.h"
#include "connectors/postgres/login_route.h"
#include "connectors/postgres/pg_client.h"
#include "connectors/postgres/scram_login.h"
#include "connectors/postgres/scram_verifier.h"
#include "secret/redact.h"
#include "secret/secret_ref.h"
#include "secret/sodium_init.h"

namespace rekey::postgres {
namespace {

using Pool = ConnectionPool<PgConnection>;
using Lease = Pool::Lease;

// What an issuer and its system's admin pool need to know of the system.
struct SystemInfo {
  std::string name;
  std::string dsn;  // checked: parses, holds no password
  SecretBytes admin_secret;
  Millis timeout;  // of one attempt: the server's own bound on an abandoned statement
  std::optional<ScramTarget> scram_target;  // where accepts? logs in by itself, if it may
};

std::string SystemWhere(const SystemInfo& system) {
  return "postgres system \"" + system.name + "\"";
}

Result<std::unique_ptr<PgConnection>> ConnectAdmin(const SystemInfo& system, Deadline deadline) {
  CString password(system.admin_secret.Expose());
  const char* keywords[] = {"dbname", "password", "fallback_application_name", nullptr};
  const char* values[] = {system.dsn.c_str(), password.get(), "rekey", nullptr};
  Login login = LogIn(keywords, values, deadline);
  if (login.conn == nullptr) {
    std::string message = SystemWhere(system) +
                          ": admin login failed: " + Redact(login.message, {&system.admin_secret});
    if (RefusedCredentials(login.sqlstate)) {
      return Status::PermissionDenied(message);
    }
    return RetryableState(login.sqlstate) ? Status::Unavailable(message)
                                          : Status::InvalidArgument(message);
  }
  // The client stops waiting at each call's deadline and closes the connection, which a backend
  // waiting for a lock would not notice: the server ends such a statement itself.
  std::string sql = "SET statement_timeout = " + std::to_string(system.timeout.count());
  Query set = RunQuery(login.conn.get(), sql, {}, deadline);
  if (set.result == nullptr || !Succeeded(set.result.get())) {
    return Status::Unavailable(SystemWhere(system) + ": admin session setup failed: " +
                               TidyMessage(PQerrorMessage(login.conn.get())));
  }
  return std::make_unique<PgConnection>(PgConnection{std::move(login.conn)});
}

class PostgresIssuer final : public Issuer {
 public:
  PostgresIssuer(std::unique_ptr<const SystemInfo> system, Pool* pool,
                 std::atomic<bool>* server_does_tls, std::timed_mutex* role_mu, std::string role)
      : system_(std::move(system)),
        pool_(pool),
        server_does_tls_(server_does_tls),
        role_mu_(role_mu),
        role_(std::move(role)) {}

  Status Install(const SecretBytes& value, const SecretBytes*, Deadline deadline) override {
    return SetPassword(&value, nullptr, "install", deadline);
  }

  Status Remove(const SecretBytes& value, const SecretBytes* next, Deadline deadline) override {
    if (next != nullptr) {
      if (next->Equals(value)) {
        return Status::InvalidArgument(Where("remove") +
                                       ": the value to remove is the one to keep");
      }
      return SetPassword(next, &value, "remove", deadline);  // one password: replacing removes
    }
    return RemoveIfCurrent(value, deadline);
  }

  Result<bool> Accepts(const SecretBytes& value, Deadline deadline) override;

  Status EndSessions(const SecretBytes&, Deadline deadline) override;

  Status Disable(Deadline deadline) override { return AlterRole("NOLOGIN", "disable", deadline); }
  Status Enable(Deadline deadline) override { return AlterRole("LOGIN", "enable", deadline); }

 private:
  std::string Where(std::string_view operation) const {
    return SystemWhere(*system_) + ", role \"" + role_ + "\": " + std::string(operation);
  }

  Result<Lease> Acquire(Deadline deadline) {
    Result<Lease> lease = pool_->Acquire(deadline);
    if (!lease.ok() && lease.status().code() == StatusCode::kTimeout) {
      return lease.status().WithContext(SystemWhere(*system_));
    }
    return lease;
  }

  Status CheckValue(const SecretBytes& value, std::string_view operation) const;
  Status SetPassword(const SecretBytes* value, const SecretBytes* removed,
                     std::string_view operation, Deadline deadline);
  Status RemoveIfCurrent(const SecretBytes& value, Deadline deadline);
  Status AlterRole(const std::string& what, std::string_view operation, Deadline deadline);
  Status AlterRoleOn(Lease& lease, const std::string& what, std::string_view operation,
                     std::initializer_list<const SecretBytes*> secrets, Deadline deadline);
  Result<PgResultPtr> Run(Lease& lease, const std::string& sql,
                          const std::vector<const char*>& params, std::string_view operation,
                          std::initializer_list<const SecretBytes*> secrets, Deadline deadline);

  const std::unique_ptr<const SystemInfo> system_;
  Pool* const pool_;  // owned by the process's SystemResources
  // The server answered an own login's SSLRequest 'S' (its setting): later logins go to libpq
  // at once, not through a connection, and a backend, that ends at the answer. Shared likewise.
  std::atomic<bool>* const server_does_tls_;
  // Serialises this process's ALTER ROLEs of the role, which PostgreSQL would fail with "tuple
  // concurrently updated". Taken with a lease held, never while waiting for one. Also owned by
  // the SystemResources, shared by every issuer of the role.
  std::timed_mutex* const role_mu_;
  const std::string role_;
};

// PostgreSQL passwords are C strings, and an empty one clears the password.
Status PostgresIssuer::CheckValue(const SecretBytes& value, std::string_view operation) const {
  if (value.empty() || value.Expose().find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(Where(operation) +
                                   ": a PostgreSQL password cannot be empty or contain a NUL byte");
  }
  return Status::Ok();
}

// The SCRAM verifier of VALUE for ROLE, as libpq makes it: a random 16-byte salt, and the
// server's scram_iterations (reported from PostgreSQL 16 on; 4096 before, libpq's default). An
// ASCII value's is made here (MakeScramVerifier), in a sixth of the time libpq's PBKDF2 takes
// (pbkdf2.cc); any other value, or an iteration count rekey does not compute, by libpq, which
// also applies SASLprep. internal with libpq's message.
Result<SecretBytes> ScramVerifier(PGconn* conn, const SecretBytes& value, const std::string& role) {
  const char* reported = PQparameterStatus(conn, "scram_iterations");
  int iterations = reported != nullptr ? std::atoi(reported) : 4096;
  if (IsAscii(value.Expose()) && iterations >= 1 && iterations <= kMaxScramIterations) {
    unsigned char salt[16];
    randombytes_buf(salt, sizeof salt);
    std::string made = MakeScramVerifier(value.Expose(), salt, iterations);
    SecretBytes verifier(made);
    WipeString(made);
    return verifier;
  }
  CString clear(value.Expose());
  PgString made(PQencryptPasswordConn(conn, clear.get(), role.c_str(), "scram-sha-256"));
  if (made == nullptr) {
    return Status::Internal(TidyMessage(PQerrorMessage(conn)));
  }
  return SecretBytes(made.get());
}

// ALTER ROLE ... PASSWORD with a SCRAM verifier computed here, so the server (and its log, with
// log_statement=all) never sees VALUE: it stores the verifier as given.
Status PostgresIssuer::SetPassword(const SecretBytes* value, const SecretBytes* removed,
                                   std::string_view operation, Deadline deadline) {
  REKEY_RETURN_IF_ERROR(CheckValue(*value, operation));
  Result<Lease> lease = Acquire(deadline);
  if (!lease.ok()) {
    return lease.status();
  }
  PGconn* conn = (*lease)->conn.get();
  Result<SecretBytes> verifier = ScramVerifier(conn, *value, role_);
  if (!verifier.ok()) {
    return Status::Internal(Where(operation) + ": computing the SCRAM verifier failed: " +
                            Redact(verifier.status().message(), {value, removed}));
  }
  std::string_view text = verifier->Expose();
  PgString literal(PQescapeLiteral(conn, text.data(), text.size()));
  if (literal == nullptr) {
    return Status::Internal(Where(operation) + ": " + TidyMessage(PQerrorMessage(conn)));
  }
  std::string what = "PASSWORD " + std::string(literal.get());
  Status s = AlterRoleOn(*lease, what, operation, {value, removed, &*verifier}, deadline);
  WipeString(what);
  return s;
}

// Without the value that stays, the password is cleared only if it is still VALUE: a new value
// installed meanwhile must stay accepted. The check compares VALUE with the stored verifier here
// (pg_authid is readable by superusers only).
Status PostgresIssuer::RemoveIfCurrent(const SecretBytes& value, Deadline deadline) {
  Result<Lease> lease = Acquire(deadline);
  if (!lease.ok()) {
    return lease.status();
  }
  auto stored = Run(*lease, "SELECT rolpassword FROM pg_authid WHERE rolname = $1", {role_.c_str()},
                    "remove", {&value}, deadline);
  if (!stored.ok()) {
    return stored.status();
  }
  PGresult* r = stored->get();
  if (PQntuples(r) == 0 || PQgetisnull(r, 0, 0) != 0) {
    return Status::Ok();  // no such role, or no password: nothing accepts VALUE
  }
  switch (MatchScramVerifier(PQgetvalue(r, 0, 0), value.Expose())) {
    case VerifierMatch::kNo:
      return Status::Ok();
    case VerifierMatch::kUnknown:
      return Status::InvalidArgument(
          Where("remove") +
          ": the stored SCRAM verifier does not match the value as given, but the server hashes "
          "a non-ASCII value after normalising it (SASLprep), so it may still be the password; "
          "remove it by installing the value that stays");
    case VerifierMatch::kYes:
    case VerifierMatch::kNotScram:  // md5 or older: not a verifier rekey installs
      break;
  }
  return AlterRoleOn(*lease, "PASSWORD NULL", "remove", {&value}, deadline);
}

// A fresh login as the role: rekey's own SCRAM login where the dsn and the server allow it
// (login_route.h), else libpq's, with VALUE passed as a separate parameter (never in a conninfo
// string). The answer comes from the SQLSTATE of the server's refusal, the same for both; see
// doc/connectors/postgres.md.
Result<bool> PostgresIssuer::Accepts(const SecretBytes& value, Deadline deadline) {
  if (value.empty()) {
    return false;  // no role has an empty password, and libpq would read ~/.pgpass instead
  }
  REKEY_RETURN_IF_ERROR(CheckValue(value, "accepts"));
  std::optional<LoginOutcome> outcome;
  if (system_->scram_target && !server_does_tls_->load() && IsAscii(value.Expose())) {
    ScramAttempt own = ScramLogin(*system_->scram_target, role_, value, deadline);
    if (own.server_does_tls) {
      server_does_tls_->store(true);
    }
    outcome = std::move(own.outcome);
  }
  if (!outcome) {
    outcome = LibpqLogin(system_->dsn, role_, value, deadline);
  }
  return AcceptsAnswer(*outcome, Where("accepts"), {&value, &system_->admin_secret});
}

// Terminates the role's backends (PostgreSQL cannot tell which value opened a session), then
// repeats until none is listed: termination is asynchronous. Only backends that started before
// the first statement count: one opened later could only use the value now accepted, and a
// consumer that reconnects at once must not keep this loop from ending. The cutoff goes back to
// the server as epoch seconds (numeric, exact to the microsecond; no DateStyle in the way).
// backend_start is null to an admin without pg_read_all_stats: such rows are always ended.
Status PostgresIssuer::EndSessions(const SecretBytes&, Deadline deadline) {
  Result<Lease> lease = Acquire(deadline);
  if (!lease.ok()) {
    return lease.status();
  }
  constexpr auto kPause = std::chrono::microseconds(250);
  std::string cutoff;
  for (;;) {
    auto listed = Run(*lease,
                      "SELECT pg_terminate_backend(pid), extract(epoch FROM statement_timestamp())"
                      " FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()"
                      " AND (backend_start IS NULL OR extract(epoch FROM backend_start) <="
                      " coalesce($2::numeric, extract(epoch FROM statement_timestamp())))",
                      {role_.c_str(), cutoff.empty() ? nullptr : cutoff.c_str()}, "end sessions",
                      {}, deadline);
    if (!listed.ok()) {
      return listed.status();
    }
    int left = PQntuples(listed->get());
    if (left == 0) {
      return Status::Ok();
    }
    if (cutoff.empty()) {
      cutoff = PQgetvalue(listed->get(), 0, 1);
    }
    if (std::chrono::steady_clock::now() + kPause >= deadline) {
      return Status::Unavailable(Where("end sessions") + ": " + std::to_string(left) +
                                 " session(s) still open at the deadline");
    }
    std::this_thread::sleep_for(kPause);
  }
}

Status PostgresIssuer::AlterRole(const std::string& what, std::string_view operation,
                                 Deadline deadline) {
  Result<Lease> lease = Acquire(deadline);
  if (!lease.ok()) {
    return lease.status();
  }
  return AlterRoleOn(*lease, what, operation, {}, deadline);
}

// ALTER ROLE <role> WHAT. WHAT is SQL: a keyword or an escaped literal.
Status PostgresIssuer::AlterRoleOn(Lease& lease, const std::string& what,
                                   std::string_view operation,
                                   std::initializer_list<const SecretBytes*> secrets,
                                   Deadline deadline) {
  PGconn* conn = lease->conn.get();
  PgString ident(PQescapeIdentifier(conn, role_.data(), role_.size()));
  if (ident == nullptr) {
    return Status::Internal(Where(operation) + ": " + TidyMessage(PQerrorMessage(conn)));
  }
  std::string sql = "ALTER ROLE " + std::string(ident.get()) + " " + what;
  std::unique_lock lock(*role_mu_, std::defer_lock);
  if (!lock.try_lock_until(deadline)) {
    WipeString(sql);
    return Status::Timeout(Where(operation) +
                           ": another change of the role did not finish before the deadline");
  }
  Status s = Run(lease, sql, {}, operation, secrets, deadline).status();
  WipeString(sql);
  return s;
}

// Runs SQL on the lease's connection. A connection that broke or fell out of step (deadline) is
// discarded: unavailable / timeout, retried by the executor. The server's refusals are permanent
// unless RetryableState says otherwise. Messages are redacted with SECRETS and the admin secret.
Result<PgResultPtr> PostgresIssuer::Run(Lease& lease, const std::string& sql,
                                        const std::vector<const char*>& params,
                                        std::string_view operation,
                                        std::initializer_list<const SecretBytes*> secrets,
                                        Deadline deadline) {
  if (std::chrono::steady_clock::now() >= deadline) {
    return Status::Timeout(Where(operation) +
                           ": the deadline passed before the statement was sent");
  }
  PGconn* conn = lease->conn.get();
  Query query = RunQuery(conn, sql, params, deadline);
  auto redact = [&](std::string_view text) {
    std::string once = Redact(text, secrets);
    return Redact(once, {&system_->admin_secret});
  };
  if (query.timed_out) {
    lease.Discard();
    return Status::Timeout(Where(operation) + ": no answer before the deadline");
  }
  if (PQstatus(conn) != CONNECTION_OK || query.result == nullptr) {
    std::string message = redact(TidyMessage(PQerrorMessage(conn)));
    lease.Discard();
    return Status::Unavailable(Where(operation) + ": admin connection lost: " + message);
  }
  if (Succeeded(query.result.get())) {
    return std::move(query.result);
  }
  const char* state = PQresultErrorField(query.result.get(), PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(query.result.get(), PG_DIAG_MESSAGE_PRIMARY);
  std::string sqlstate = state != nullptr ? state : "";
  std::string message = Where(operation) + ": " + redact(primary != nullptr ? primary : "") +
                        " (SQLSTATE " + sqlstate + ")";
  if (sqlstate == "42704") {
    return Status::NotFound(message);  // undefined_object: no such role
  }
  if (sqlstate == "42501") {
    return Status::PermissionDenied(message);  // insufficient_privilege
  }
  if (sqlstate == "57014") {
    return Status::Timeout(message);  // query_canceled: statement_timeout
  }
  return RetryableState(sqlstate) ? Status::Unavailable(message) : Status::InvalidArgument(message);
}

// The dsn must parse, and must not carry a password: that is admin_secret's job, and a dsn is
// printed and used as a key. Its user must not be ROLE.
Status CheckDsn(const std::string& dsn, const std::string& role) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &error);
  if (options == nullptr) {
    std::string message = error != nullptr ? TidyMessage(error) : "out of memory";
    PQfreemem(error);
    return Status::InvalidArgument("dsn: " + message);
  }
  bool has_password = false;
  bool admin_is_role = false;
  for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    std::string_view keyword = o->keyword;
    has_password |= keyword == "password" && o->val != nullptr;
    admin_is_role |= keyword == "user" && o->val != nullptr && o->val == role;
  }
  PQconninfoFree(options);
  if (has_password) {
    return Status::InvalidArgument(
        "dsn must not contain a password: give the admin password as admin_secret");
  }
  if (admin_is_role) {
    return Status::InvalidArgument("role \"" + role +
                                   "\" is the admin user of the dsn: rekey would lock itself out "
                                   "and end its own admin sessions");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Issuer>> MakePostgresIssuer(const ConnectorContext& context) {
  REKEY_CHECK(context.env != nullptr && context.system != nullptr && context.binding != nullptr &&
              context.resources != nullptr);
  REKEY_RETURN_IF_ERROR(InitSecretLibrary());
  const System& system = *context.system;
  const std::string* dsn = system.options.GetString("dsn");
  const SecretRef* ref = system.options.GetSecretRef("admin_secret");
  const std::string* role = context.binding->options.GetString("role");
  std::string where = "postgres system \"" + system.name + "\"";
  if (dsn == nullptr || ref == nullptr || role == nullptr || role->empty()) {
    return Status::InvalidArgument(where +
                                   ": dsn, admin_secret and the binding's role are required");
  }
  REKEY_RETURN_IF_ERROR(CheckDsn(*dsn, *role).WithContext(where));
  Result<SecretBytes> admin = ResolveSecretRef(context.env, *ref);
  if (!admin.ok()) {
    return admin.status().WithContext(where + ": admin_secret");
  }
  auto info = std::make_unique<SystemInfo>(
      SystemInfo{system.name, *dsn, std::move(*admin), system.timeout, ScramTargetOf(*dsn)});
  Pool& pool = context.resources->Get<Pool>("postgres/" + system.name + "/" + *dsn, [&] {
    // The first binding's settings serve the system's every binding in the process.
    auto shared = std::make_shared<SystemInfo>(SystemInfo{
        info->name, info->dsn, info->admin_secret.Clone(), info->timeout, info->scram_target});
    return std::make_shared<Pool>(
        [shared](Deadline deadline) { return ConnectAdmin(*shared, deadline); },
        AdminPoolSize(system));
  });
  auto& server_does_tls = context.resources->Get<std::atomic<bool>>(
      "postgres-tls/" + system.name + "/" + *dsn,
      [] { return std::make_shared<std::atomic<bool>>(false); });
  auto& role_mu = context.resources->Get<std::timed_mutex>(
      "postgres-role/" + system.name + "/" + *dsn + "/" + *role,
      [] { return std::make_shared<std::timed_mutex>(); });
  return std::unique_ptr<Issuer>(
      std::make_unique<PostgresIssuer>(std::move(info), &pool, &server_does_tls, &role_mu, *role));
}

}  // namespace rekey::postgres
