// Against the real server scripts/test-services starts (testing/services.h).
#include "connectors/postgres/postgres_issuer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <ctime>
#include <thread>

#include "connectors/postgres/fake_pg_server.h"
#include "connectors/postgres/pg_test_role.h"
#include "connectors/postgres/scram_verifier.h"
#include "inventory/loader.h"
#include "testing/services.h"
#include "testing/temp_dir.h"

namespace rekey::postgres {
namespace {

using namespace std::chrono_literals;  // NOLINT: durations in tests
using namespace pg_testing;            // NOLINT: the tests' own helpers and fake

// An issuer built as the CLI builds it: from a parsed inventory, with a SystemResources shared by
// every issuer of the test.
struct Made {
  Inventory inventory;
  std::unique_ptr<Issuer> issuer;
};

// The issuer tests, each on a role of its own (PgRoleTest).
class PostgresIssuerTest : public PgRoleTest {
 protected:
  // The inventory text of one postgres system "pg" and identity "svc" bound to ROLE.
  std::string InventoryText(const std::string& dsn, const std::string& secret_file,
                            const std::string& role, int max_parallel = 4) {
    return "version: 1\nsystems:\n  pg:\n    type: postgres\n    dsn: \"" + dsn +
           "\"\n    admin_secret: { file: " + secret_file +
           " }\n    max_parallel: " + std::to_string(max_parallel) +
           "\nidentities:\n  svc:\n    kind: password\n    issuers: [{ system: pg, role: " + role +
           " }]\n";
  }

  Result<Made> TryMake(const std::string& text) {
    Diagnostics d("inv.yaml");
    Result<Inventory> inv = ParseInventory(text, "inv.yaml", &d);
    EXPECT_EQ(d.Format(), "");
    if (!inv.ok()) {
      return inv.status();
    }
    Made made{std::move(*inv), nullptr};
    const Identity& id = made.inventory.identities.front();
    ConnectorContext context{DefaultEnv(), made.inventory.FindSystem("pg"), &id,
                             &id.issuers.front(), &resources_};
    auto issuer = MakePostgresIssuer(context);
    if (!issuer.ok()) {
      return issuer.status();
    }
    made.issuer = std::move(*issuer);
    return made;
  }

  // An issuer for this test's role on the test server.
  Made Make(const std::string& dsn = Dsn(), int max_parallel = 4) {
    Result<Made> made = TryMake(InventoryText(
        dsn, testing_services::Get("REKEY_PG_ADMIN_PASSWORD_FILE"), role_, max_parallel));
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made.ok() ? std::move(*made) : Made{};
  }

  std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

  SystemResources resources_;  // before every Made of a test: outlives their issuers
};

TEST_F(PostgresIssuerTest, InstallMakesTheNewValueAcceptedAndTheOldRejected) {
  Made pg = Make();
  SecretBytes old_value(old_value_), new_value(RandomValue());
  ASSERT_EQ(pg.issuer->Accepts(old_value, Soon()).value_or(false), true);
  ASSERT_TRUE(pg.issuer->Install(new_value, &old_value, Soon()).ok());
  EXPECT_EQ(pg.issuer->Accepts(new_value, Soon()).value_or(false), true);
  EXPECT_EQ(pg.issuer->Accepts(old_value, Soon()).value_or(true), false);
  // The same, seen by logins of the test's own.
  EXPECT_TRUE(CanLogIn(role_, std::string(new_value.Expose())));
  EXPECT_FALSE(CanLogIn(role_, old_value_));
  EXPECT_EQ(Column(admin_.get(), "SELECT left(rolpassword, 19) FROM pg_authid WHERE rolname = $1",
                   role_.c_str()),
            std::vector<std::string>{"SCRAM-SHA-256$4096:"});
}

// An ASCII value's verifier is made in rekey, any other's by libpq (SASLprep): both log in.
TEST_F(PostgresIssuerTest, InstalledAsciiAndNonAsciiValuesAreAccepted) {
  Made pg = Make();
  for (const std::string& value : {RandomValue(), "caf\xc3\xa9-" + RandomValue()}) {
    SecretBytes new_value(value);
    ASSERT_TRUE(pg.issuer->Install(new_value, nullptr, Soon()).ok());
    EXPECT_TRUE(CanLogIn(role_, value));
    EXPECT_EQ(pg.issuer->Accepts(new_value, Soon()).value_or(false), true);
  }
}

TEST_F(PostgresIssuerTest, TheClearValueNeverReachesTheServerLog) {
  Made pg = Make();
  std::string value = RandomValue();
  SecretBytes new_value(value);
  ASSERT_TRUE(pg.issuer->Install(new_value, nullptr, Soon()).ok());
  ASSERT_TRUE(pg.issuer->Accepts(new_value, Soon()).value_or(false));
  ASSERT_TRUE(pg.issuer->Remove(new_value, nullptr, Soon()).ok());
  std::string log = ReadFile(testing_services::Get("REKEY_PG_LOG"));
  // The statements were logged (log_statement=all), so the check below can fail ...
  EXPECT_EQ(Count(log, ": ALTER ROLE " + Quoted(role_) + " PASSWORD 'SCRAM-SHA-256$4096:"), 1u);
  EXPECT_EQ(Count(log, ": ALTER ROLE " + Quoted(role_) + " PASSWORD NULL\n"), 1u);
  EXPECT_EQ(Count(log, "connection authorized: user=" + role_ + " "), 1u);
  // ... and the value is not in them, nor anywhere else.
  EXPECT_EQ(Count(log, value), 0u);
  EXPECT_EQ(Count(log, old_value_), 0u);
}

TEST_F(PostgresIssuerTest, EndSessionsEndsTheRolesSessionsButNotTheAdmins) {
  Made pg = Make();
  Conn old_session = Connect(role_, old_value_);
  ASSERT_EQ(PQstatus(old_session.get()), CONNECTION_OK);
  SecretBytes old_value(old_value_), new_value(RandomValue());
  ASSERT_TRUE(pg.issuer->Install(new_value, &old_value, Soon()).ok());
  // A session survives the password change ...
  EXPECT_EQ(Column(old_session.get(), "SELECT 1"), std::vector<std::string>{"1"});
  ASSERT_TRUE(pg.issuer->EndSessions(old_value, Soon()).ok());
  // ... not end_sessions, which returns once the backend is gone.
  EXPECT_EQ(Column(admin_.get(), "SELECT count(*) FROM pg_stat_activity WHERE usename = $1",
                   role_.c_str()),
            std::vector<std::string>{"0"});
  ResultPtr r(PQexec(old_session.get(), "SELECT 1"));
  EXPECT_EQ(PQresultStatus(r.get()), PGRES_FATAL_ERROR);
  EXPECT_EQ(PQstatus(old_session.get()), CONNECTION_BAD);
  // The issuer's admin connection and the test's are still there.
  EXPECT_TRUE(pg.issuer->EndSessions(old_value, Soon()).ok());
  EXPECT_TRUE(pg.issuer->Disable(Soon()).ok());
  EXPECT_EQ(Column(admin_.get(), "SELECT 1"), std::vector<std::string>{"1"});
}

TEST_F(PostgresIssuerTest, EndSessionsEndsEverySessionOfTheRoleAndOnlyThose) {
  Made pg = Make();
  std::vector<Conn> sessions;
  for (int i = 0; i < 5; ++i) {
    sessions.push_back(Connect(role_, old_value_));
    ASSERT_EQ(PQstatus(sessions.back().get()), CONNECTION_OK);
  }
  Conn admin_session = Connect(testing_services::Get("REKEY_PG_ADMIN_USER"), AdminPassword());
  ASSERT_TRUE(pg.issuer->EndSessions(SecretBytes(old_value_), Soon()).ok());
  for (Conn& session : sessions) {
    ResultPtr r(PQexec(session.get(), "SELECT 1"));
    EXPECT_EQ(PQresultStatus(r.get()), PGRES_FATAL_ERROR);
  }
  EXPECT_EQ(Column(admin_session.get(), "SELECT 1"), std::vector<std::string>{"1"});
}

TEST_F(PostgresIssuerTest, DisableRejectsEvenTheCorrectValueAndEnableAcceptsItAgain) {
  Made pg = Make();
  SecretBytes old_value(old_value_), new_value(RandomValue());
  ASSERT_TRUE(pg.issuer->Disable(Soon()).ok());
  EXPECT_EQ(pg.issuer->Accepts(old_value, Soon()).value_or(true), false);
  EXPECT_FALSE(CanLogIn(role_, old_value_));
  ASSERT_TRUE(pg.issuer->Disable(Soon()).ok());  // idempotent
  // Contain: the new value is installed while the role stays disabled.
  ASSERT_TRUE(pg.issuer->Install(new_value, &old_value, Soon()).ok());
  EXPECT_EQ(pg.issuer->Accepts(new_value, Soon()).value_or(true), false);
  ASSERT_TRUE(pg.issuer->Enable(Soon()).ok());
  ASSERT_TRUE(pg.issuer->Enable(Soon()).ok());
  EXPECT_EQ(pg.issuer->Accepts(new_value, Soon()).value_or(false), true);
  EXPECT_TRUE(CanLogIn(role_, std::string(new_value.Expose())));
  // Re-enabling revived nothing.
  EXPECT_EQ(pg.issuer->Accepts(old_value, Soon()).value_or(true), false);
  EXPECT_FALSE(CanLogIn(role_, old_value_));
}

TEST_F(PostgresIssuerTest, AcceptsAgainstAClosedPortIsUnavailableNotRejected) {
  std::string dsn =
      "host=127.0.0.1 port=" + std::to_string(ClosedPort()) + " dbname=postgres user=rekey_admin";
  Made pg = Make(dsn);
  SecretBytes value(old_value_);
  Result<bool> accepted = pg.issuer->Accepts(value, Soon());
  EXPECT_EQ(accepted.status().code(), StatusCode::kUnavailable) << accepted.status().ToString();
  EXPECT_EQ(accepted.status().message().rfind(
                "postgres system \"pg\", role " + Quoted(role_) + ": accepts: login failed: ", 0),
            0u)
      << accepted.status().ToString();
  Status disable = pg.issuer->Disable(Soon());
  EXPECT_EQ(disable.code(), StatusCode::kUnavailable) << disable.ToString();
  EXPECT_EQ(disable.message().rfind("postgres system \"pg\": admin login failed: ", 0), 0u);
}

TEST_F(PostgresIssuerTest, AcceptsIsBoundedByTheDeadlineWhenTheServerNeverAnswers) {
  // A listening socket nobody accepts on: the TCP handshake completes, no byte ever comes back.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int port = BindLoopback(fd);
  ASSERT_EQ(listen(fd, 8), 0);
  Made pg =
      Make("host=127.0.0.1 port=" + std::to_string(port) + " dbname=postgres sslmode=disable");
  SecretBytes value(old_value_);
  auto start = Clock::now();
  Result<bool> accepted = pg.issuer->Accepts(value, In(300ms));
  auto took = Clock::now() - start;
  EXPECT_EQ(accepted.status().ToString(), "unavailable: postgres system \"pg\", role " +
                                              Quoted(role_) +
                                              ": accepts: login failed: no answer before the "
                                              "deadline");
  EXPECT_GE(took, 299ms);
  EXPECT_LT(took, 800ms);
  start = Clock::now();
  EXPECT_EQ(pg.issuer->Install(value, nullptr, In(300ms)).code(), StatusCode::kUnavailable);
  EXPECT_LT(Clock::now() - start, 800ms);
  close(fd);
}

TEST_F(PostgresIssuerTest, AWrongAdminSecretIsPermissionDeniedNamingTheSystem) {
  TempDir dir("pg-test");
  std::string wrong = dir.File("wrong-admin-password");
  std::string wrong_value = RandomValue();
  std::ofstream(wrong) << wrong_value;
  ASSERT_EQ(chmod(wrong.c_str(), 0600), 0);
  Result<Made> pg = TryMake(InventoryText(Dsn(), wrong, role_));
  ASSERT_TRUE(pg.ok()) << pg.status().ToString();
  SecretBytes value(RandomValue());
  Status s = pg->issuer->Install(value, nullptr, Soon());
  EXPECT_EQ(s.ToString(),
            "permission_denied: postgres system \"pg\": admin login failed: connection to server "
            "at \"127.0.0.1\", port " +
                testing_services::Get("REKEY_PG_PORT") +
                " failed: FATAL: 28P01: password authentication failed for user \"rekey_admin\"");
  EXPECT_EQ(s.message().find(wrong_value), std::string::npos);
  EXPECT_EQ(pg->issuer->EndSessions(value, Soon()).code(), StatusCode::kPermissionDenied);
  // Accepts logs in as the role, not as the admin: unaffected.
  EXPECT_EQ(pg->issuer->Accepts(SecretBytes(old_value_), Soon()).value_or(false), true);
}

TEST_F(PostgresIssuerTest, AdminConnectionsAreReusedAndBoundedByMaxParallel) {
  // A name of this test's own for its admin sessions: other tests run beside it.
  std::string app = "rekey_pool_" + role_;
  Made pg = Make(Dsn() + " application_name=" + app, /*max_parallel=*/2);
  std::atomic<bool> done{false};
  int most = 0;
  std::thread watcher([&] {
    Conn watch = Connect(testing_services::Get("REKEY_PG_ADMIN_USER"), AdminPassword());
    while (!done) {
      auto n =
          Column(watch.get(), "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1",
                 app.c_str());
      most = std::max(most, n.empty() ? 0 : std::stoi(n.front()));
      std::this_thread::sleep_for(1ms);
    }
  });
  std::vector<std::thread> workers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {  // 4 x 5 = 20 operations
        SecretBytes v(RandomValue());
        Status s = (i + t) % 3 == 0   ? pg.issuer->Install(v, nullptr, Soon())
                   : (i + t) % 3 == 1 ? pg.issuer->Disable(Soon())
                                      : pg.issuer->EndSessions(v, Soon());
        failures += s.ok() ? 0 : 1;
        EXPECT_TRUE(s.ok()) << s.ToString();
      }
    });
  }
  for (std::thread& w : workers) {
    w.join();
  }
  done = true;
  watcher.join();
  EXPECT_EQ(failures, 0);
  EXPECT_GE(most, 1);
  EXPECT_LE(most, 2);
  // Every admin login the server ever saw for this pool: at most max_parallel for 20 operations.
  std::string log = ReadFile(testing_services::Get("REKEY_PG_LOG"));
  size_t logins = Count(log, "application_name=" + app + "\n");
  EXPECT_GE(logins, 1u);
  EXPECT_LE(logins, 2u);
  // The pool kept them open for later operations.
  EXPECT_EQ(Column(admin_.get(),
                   "SELECT count(*) BETWEEN 1 AND 2 FROM pg_stat_activity"
                   " WHERE application_name = $1",
                   app.c_str()),
            std::vector<std::string>{"t"});
}

TEST_F(PostgresIssuerTest, ABrokenAdminConnectionIsDiscardedAndTheNextCallReconnects) {
  std::string app = "rekey_broken_" + role_;
  Made pg = Make(Dsn() + " application_name=" + app, /*max_parallel=*/1);
  ASSERT_TRUE(pg.issuer->Disable(Soon()).ok());
  Column(admin_.get(),
         "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
         " WHERE application_name = $1",
         app.c_str());
  Status s = pg.issuer->Enable(Soon());
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_EQ(
      s.message().rfind(
          "postgres system \"pg\", role " + Quoted(role_) + ": enable: admin connection lost: ", 0),
      0u)
      << s.ToString();
  EXPECT_TRUE(pg.issuer->Enable(Soon()).ok());  // the executor's retry
  EXPECT_TRUE(CanLogIn(role_, old_value_));
}

TEST_F(PostgresIssuerTest, APassedDeadlineSendsNothingAndKeepsTheConnection) {
  std::string app = "rekey_late_" + role_;
  Made pg = Make(Dsn() + " application_name=" + app, /*max_parallel=*/1);
  ASSERT_TRUE(pg.issuer->Enable(Soon()).ok());
  SecretBytes value(RandomValue());
  EXPECT_EQ(pg.issuer->Install(value, nullptr, Clock::now()).ToString(),
            "timeout: postgres system \"pg\", role " + Quoted(role_) +
                ": install: the deadline passed before the statement was sent");
  EXPECT_TRUE(pg.issuer->Enable(Soon()).ok());
  EXPECT_TRUE(CanLogIn(role_, old_value_));
  EXPECT_EQ(
      Count(ReadFile(testing_services::Get("REKEY_PG_LOG")), "application_name=" + app + "\n"), 1u);
}

TEST_F(PostgresIssuerTest, InstallAndRemoveAreIdempotent) {
  Made pg = Make();
  SecretBytes old_value(old_value_), new_value(RandomValue());
  ASSERT_TRUE(pg.issuer->Install(new_value, &old_value, Soon()).ok());
  ASSERT_TRUE(pg.issuer->Install(new_value, &old_value, Soon()).ok());
  EXPECT_EQ(pg.issuer->Accepts(new_value, Soon()).value_or(false), true);
  ASSERT_TRUE(pg.issuer->Remove(old_value, &new_value, Soon()).ok());
  ASSERT_TRUE(pg.issuer->Remove(old_value, &new_value, Soon()).ok());
  EXPECT_EQ(pg.issuer->Accepts(new_value, Soon()).value_or(false), true);
  EXPECT_EQ(pg.issuer->Accepts(old_value, Soon()).value_or(true), false);
}

TEST_F(PostgresIssuerTest, RemoveWithoutTheNextValueClearsThePasswordOnlyIfItIsThatValue) {
  Made pg = Make();
  SecretBytes old_value(old_value_), other(RandomValue());
  // Not the current value: the current one stays accepted (never a lock-out).
  ASSERT_TRUE(pg.issuer->Remove(other, nullptr, Soon()).ok());
  EXPECT_EQ(pg.issuer->Accepts(old_value, Soon()).value_or(false), true);
  ASSERT_TRUE(pg.issuer->Remove(old_value, nullptr, Soon()).ok());
  ASSERT_TRUE(pg.issuer->Remove(old_value, nullptr, Soon()).ok());
  EXPECT_EQ(pg.issuer->Accepts(old_value, Soon()).value_or(true), false);
  EXPECT_EQ(
      Column(admin_.get(), "SELECT rolpassword FROM pg_authid WHERE rolname = $1", role_.c_str()),
      std::vector<std::string>{"NULL"});
  EXPECT_FALSE(CanLogIn(role_, old_value_));
}

TEST_F(PostgresIssuerTest, AcceptsAnswersOnlyForRefusedCredentials) {
  Made pg = Make();
  SecretBytes value(old_value_);
  // No such role: the server answers as for a wrong password (28P01).
  std::string text = InventoryText(Dsn(), testing_services::Get("REKEY_PG_ADMIN_PASSWORD_FILE"),
                                   role_ + "_missing");
  Result<Made> missing = TryMake(text);
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->issuer->Accepts(value, Soon()).value_or(true), false);
  EXPECT_EQ(pg.issuer->Accepts(SecretBytes(""), Soon()).value_or(true), false);
  // Too many connections for the role (53300), with the right value: come back later.
  Column(admin_.get(), "ALTER ROLE " + role_ + " CONNECTION LIMIT 0");
  Result<bool> full = pg.issuer->Accepts(value, Soon());
  EXPECT_EQ(full.status().ToString(),
            "unavailable: postgres system \"pg\", role " + Quoted(role_) +
                ": accepts: login failed: connection to server at \"127.0.0.1\", port " +
                testing_services::Get("REKEY_PG_PORT") + " failed: FATAL: 53300: too many " +
                "connections for role " + Quoted(role_));
  Column(admin_.get(), "ALTER ROLE " + role_ + " CONNECTION LIMIT -1");
  // A database that does not exist: an error, never "rejected".
  Made nodb = Make("host=127.0.0.1 port=" + testing_services::Get("REKEY_PG_PORT") +
                   " dbname=rekey_no_such_db");
  Result<bool> error = nodb.issuer->Accepts(value, Soon());
  EXPECT_EQ(error.status().ToString(),
            "invalid_argument: postgres system \"pg\", role " + Quoted(role_) +
                ": accepts: login failed: connection to server at \"127.0.0.1\", port " +
                testing_services::Get("REKEY_PG_PORT") +
                " failed: FATAL: 3D000: database \"rekey_no_such_db\" does not exist");
}

TEST_F(PostgresIssuerTest, AServerThatDoesNotAskForThePasswordGivesAnErrorNotAnAnswer) {
  // The test server trusts its Unix socket (pg_hba.conf "local all all trust").
  std::vector<std::string> dir = Column(admin_.get(), "SHOW unix_socket_directories");
  ASSERT_EQ(dir.size(), 1u);
  ASSERT_NE(dir.front(), "") << "the test server has no Unix socket";
  Made pg = Make("host=" + dir.front() + " port=" + testing_services::Get("REKEY_PG_PORT") +
                 " dbname=postgres user=rekey_admin");
  Result<bool> accepted = pg.issuer->Accepts(SecretBytes(RandomValue()), Soon());
  EXPECT_EQ(accepted.status().ToString(),
            "invalid_argument: postgres system \"pg\", role " + Quoted(role_) +
                ": accepts: the server let the role in without asking for a password "
                "(pg_hba.conf trust, peer or cert), so no login can show whether a value is "
                "accepted");
}

// Over plain TCP, accepts logs in by itself (scram_login.h): a server that forges its SCRAM
// signature is caught by rekey's own check (libpq's words differ: "incorrect server signature").
TEST_F(PostgresIssuerTest, AcceptsLogsInByItselfOverPlainTcp) {
  FakePgServer server(FakePgServer::Script::kForgedSignature);
  Made pg = Make(server.Dsn());
  Result<bool> accepted = pg.issuer->Accepts(SecretBytes(old_value_), Soon());
  EXPECT_EQ(accepted.status().ToString(),
            "unavailable: postgres system \"pg\", role " + Quoted(role_) +
                ": accepts: login failed: connection to server at \"127.0.0.1\", port " +
                std::to_string(server.port()) + " failed: incorrect SCRAM server signature");
  server.Stop();
  EXPECT_EQ(server.startups(), 1);
}

// A server that asks for another method than SCRAM gets the login from libpq instead.
TEST_F(PostgresIssuerTest, AcceptsLeavesAnMd5LoginToLibpq) {
  FakePgServer server(FakePgServer::Script::kMd5);
  Made pg = Make(server.Dsn());
  EXPECT_EQ(pg.issuer->Accepts(SecretBytes(old_value_), Soon()).value_or(true), false);
  server.Stop();
  EXPECT_EQ(server.startups(), 2);             // rekey's login, given up, then libpq's ...
  EXPECT_EQ(server.sent().substr(0, 1), "p");  // ... which sent the md5 password
}

// A server that does TLS answers the own login's SSLRequest 'S'; that is its setting, so the
// system's later logins go to libpq at once, without a connection (on PostgreSQL, a backend
// forked) that only asked.
TEST_F(PostgresIssuerTest, AfterOneTlsAnswerLoginsGoToLibpqAtOnce) {
  FakePgServer server(FakePgServer::Script::kTls);
  Made pg = Make(server.Dsn());
  (void)pg.issuer->Accepts(SecretBytes(old_value_), Soon());
  int first = server.connections();
  (void)pg.issuer->Accepts(SecretBytes(old_value_), Soon());
  server.Stop();
  EXPECT_GE(first, 2);  // rekey's, given up at the 'S', then libpq's
  EXPECT_EQ(server.connections() - first, first - 1);
}

TEST_F(PostgresIssuerTest, InstallOnAMissingRoleIsNotFound) {
  Column(admin_.get(), "DROP ROLE " + role_);
  Made pg = Make();
  Status s = pg.issuer->Install(SecretBytes(RandomValue()), nullptr, Soon());
  EXPECT_EQ(s.ToString(), "not_found: postgres system \"pg\", role " + Quoted(role_) +
                              ": install: role " + Quoted(role_) +
                              " does not exist (SQLSTATE 42704)");
  EXPECT_EQ(pg.issuer->Install(SecretBytes(""), nullptr, Soon()).ToString(),
            "invalid_argument: postgres system \"pg\", role " + Quoted(role_) +
                ": install: a PostgreSQL password cannot be empty or contain a NUL byte");
}

TEST_F(PostgresIssuerTest, ADsnWithAPasswordOrThatDoesNotParseIsRefused) {
  std::string file = testing_services::Get("REKEY_PG_ADMIN_PASSWORD_FILE");
  EXPECT_EQ(TryMake(InventoryText(Dsn() + " password=hunter2", file, role_)).status().ToString(),
            "invalid_argument: postgres system \"pg\": dsn must not contain a password: give the "
            "admin password as admin_secret");
  EXPECT_EQ(TryMake(InventoryText(Dsn(), file, "rekey_admin")).status().ToString(),
            "invalid_argument: postgres system \"pg\": role \"rekey_admin\" is the admin user of "
            "the dsn: rekey would lock itself out and end its own admin sessions");
  EXPECT_EQ(TryMake(InventoryText("host=127.0.0.1 nonsense", file, role_)).status().ToString(),
            "invalid_argument: postgres system \"pg\": dsn: missing \"=\" after \"nonsense\" in "
            "connection info string");
}

TEST(PostgresScramVerifierTest, MatchesOnlyTheValueItWasMadeFrom) {
  Conn conn(PQconnectStart(""));  // PQencryptPasswordConn wants a PGconn; this one never connects
  std::string verifier = Verifier(conn.get(), "p@ss w0rd!", "someone");
  ASSERT_EQ(verifier.rfind("SCRAM-SHA-256$4096:", 0), 0u);
  EXPECT_EQ(MatchScramVerifier(verifier, "p@ss w0rd!"), VerifierMatch::kYes);
  EXPECT_EQ(MatchScramVerifier(verifier, "p@ss w0rd"), VerifierMatch::kNo);
  EXPECT_EQ(MatchScramVerifier(verifier, "caf\xc3\xa9"), VerifierMatch::kUnknown);
  EXPECT_EQ(MatchScramVerifier(Verifier(conn.get(), "caf\xc3\xa9", "x"), "caf\xc3\xa9"),
            VerifierMatch::kYes);
  EXPECT_EQ(MatchScramVerifier("md5d41d8cd98f00b204e9800998ecf8427e", "x"),
            VerifierMatch::kNotScram);
  EXPECT_EQ(MatchScramVerifier("SCRAM-SHA-256$4096:bm9wZQ==$AAAA", "x"), VerifierMatch::kNotScram);
  EXPECT_EQ(MatchScramVerifier(verifier.substr(0, verifier.size() - 2), "x"),
            VerifierMatch::kNotScram);
}

// Also for a value longer than SHA-256's block, which HMAC hashes into its key first.
TEST(PostgresScramVerifierTest, MadeHereAsLibpqMakesIt) {
  Conn conn(PQconnectStart(""));
  for (const std::string& value : {std::string("p@ss w0rd!"), std::string(100, 'k')}) {
    std::string libpq = Verifier(conn.get(), value, "someone");
    // "SCRAM-SHA-256$4096:<salt>$...": made again here with libpq's salt, it is the same text.
    size_t colon = libpq.find(':');
    std::string salt64 = libpq.substr(colon + 1, libpq.find('$', colon) - colon - 1);
    unsigned char salt[16];
    size_t size = 0;
    ASSERT_EQ(sodium_base642bin(salt, sizeof salt, salt64.data(), salt64.size(), nullptr, &size,
                                nullptr, sodium_base64_VARIANT_ORIGINAL),
              0);
    ASSERT_EQ(size, sizeof salt);
    EXPECT_EQ(MakeScramVerifier(value, salt, 4096), libpq);
    EXPECT_EQ(MatchScramVerifier(MakeScramVerifier("x", salt, 2), "x"), VerifierMatch::kYes);
  }
}

// Figures, not assertions: run with --gtest_also_run_disabled_tests.
TEST_F(PostgresIssuerTest, DISABLED_Figures) {
  Made pg = Make();
  auto time = [](int n, auto op) {
    auto start = Clock::now();
    for (int i = 0; i < n; ++i) {
      op();
    }
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count() / n;
  };
  auto cpu = [](int n, auto op) {  // this process's, all threads
    std::clock_t start = std::clock();
    for (int i = 0; i < n; ++i) {
      op();
    }
    return 1000.0 * static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC / n;
  };
  SecretBytes value(RandomValue()), wrong(RandomValue());
  ASSERT_TRUE(pg.issuer->Install(value, nullptr, Soon()).ok());  // the pool's connection
  const int n = 50;
  double install = time(n, [&] { EXPECT_TRUE(pg.issuer->Install(value, nullptr, Soon()).ok()); });
  double accepted = time(n, [&] { EXPECT_TRUE(*pg.issuer->Accepts(value, Soon())); });
  double rejected = time(n, [&] { EXPECT_FALSE(*pg.issuer->Accepts(wrong, Soon())); });
  double disable = time(n, [&] { EXPECT_TRUE(pg.issuer->Disable(Soon()).ok()); });
  double none = time(n, [&] { EXPECT_TRUE(pg.issuer->EndSessions(value, Soon()).ok()); });
  double check = time(n, [&] { EXPECT_TRUE(pg.issuer->Remove(wrong, nullptr, Soon()).ok()); });
  ASSERT_TRUE(pg.issuer->Enable(Soon()).ok());  // disable left the role unable to log in
  // The same work without the issuer, for the ratio: a plain libpq login, a verifier, an ALTER.
  double login = time(n, [&] { EXPECT_TRUE(CanLogIn(role_, std::string(value.Expose()))); });
  double accepts_cpu = cpu(n, [&] { EXPECT_TRUE(*pg.issuer->Accepts(value, Soon())); });
  double login_cpu = cpu(n, [&] { EXPECT_TRUE(CanLogIn(role_, std::string(value.Expose()))); });
  double verifier = time(n, [&] { Verifier(admin_.get(), std::string(value.Expose()), role_); });
  std::string alter =
      "ALTER ROLE " + role_ + " PASSWORD '" + Verifier(admin_.get(), "x", role_) + "'";
  double altered = time(n, [&] { Column(admin_.get(), alter); });
  ASSERT_TRUE(pg.issuer->Install(value, nullptr, Soon()).ok());
  ASSERT_TRUE(pg.issuer->Enable(Soon()).ok());
  double ended = 0;
  for (int i = 0; i < 20; ++i) {
    Conn session = Connect(role_, std::string(value.Expose()));
    ASSERT_EQ(PQstatus(session.get()), CONNECTION_OK);
    ended += time(1, [&] { EXPECT_TRUE(pg.issuer->EndSessions(value, Soon()).ok()); }) / 20;
  }
  std::cout << "install " << install << " ms, accepts (accepted) " << accepted
            << " ms, accepts (rejected) " << rejected << " ms, disable " << disable
            << " ms, end_sessions (none open) " << none << " ms, end_sessions (one open) " << ended
            << " ms, remove without next (verifier check, no change) " << check
            << " ms; plain libpq: login " << login << " ms, PQencryptPasswordConn " << verifier
            << " ms, ALTER ROLE with a verifier " << altered << " ms; client CPU: accepts "
            << accepts_cpu << " ms, libpq login " << login_cpu << " ms\n";
}

}  // namespace
}  // namespace rekey::postgres
