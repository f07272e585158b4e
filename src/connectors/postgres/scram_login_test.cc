// rekey's own SCRAM login against the real server scripts/test-services starts, beside libpq's
// for the same cases (parity), and against a scripted fake for what the real one cannot be made
// to do (trust over TCP, a forged server signature, md5, TLS, an absurd length).
#include "connectors/postgres/scram_login.h"

#include <gtest/gtest.h>

#include "connectors/postgres/accepts_login.h"
#include "connectors/postgres/fake_pg_server.h"
#include "connectors/postgres/login_route.h"
#include "connectors/postgres/pg_test_role.h"

namespace rekey::postgres {
namespace {

using namespace std::chrono_literals;  // NOLINT: durations in tests
using namespace pg_testing;            // NOLINT: the tests' own helpers and fake

std::string Where() { return "here"; }

// The answer accepts? gives for OUTCOME, as "true", "false" or the error's text.
// The answer to a login that FakePgServer on PORT made fail for WHY.
std::string FailedAt(int port, const std::string& why) {
  return "unavailable: here: login failed: connection to server at \"127.0.0.1\", port " +
         std::to_string(port) + " failed: " + why;
}

std::string Answer(const LoginOutcome& outcome) {
  Result<bool> answer = AcceptsAnswer(outcome, Where(), {});
  return answer.ok() ? (*answer ? "true" : "false") : answer.status().ToString();
}

ScramTarget TestTarget(const std::string& dsn = Dsn()) {
  std::optional<ScramTarget> target = ScramTargetOf(dsn);
  EXPECT_TRUE(target.has_value()) << dsn;
  return target.value_or(ScramTarget{});
}

class ScramLoginTest : public PgRoleTest {
 protected:
  // The own login as ROLE with VALUE; it must not hand the login to libpq.
  LoginOutcome Own(const std::string& role, const std::string& value,
                   const std::string& dsn = Dsn(), Deadline deadline = Soon()) {
    std::optional<LoginOutcome> outcome =
        ScramLogin(TestTarget(dsn), role, SecretBytes(value), deadline).outcome;
    EXPECT_TRUE(outcome.has_value()) << "handed to libpq";
    return outcome.value_or(LoginOutcome{});
  }

  // Both routes' answers for one case: the own login's, then libpq's.
  std::pair<std::string, std::string> Both(const std::string& role, const std::string& value,
                                           const std::string& dsn = Dsn()) {
    return {Answer(Own(role, value, dsn)),
            Answer(LibpqLogin(dsn, role, SecretBytes(value), Soon()))};
  }
};

TEST_F(ScramLoginTest, AcceptsTheRightValueAndRejectsAWrongOne) {
  LoginOutcome in = Own(role_, old_value_);
  EXPECT_TRUE(in.logged_in) << in.message;
  EXPECT_TRUE(in.asked_password);
  LoginOutcome wrong = Own(role_, old_value_ + "x");
  EXPECT_FALSE(wrong.logged_in);
  EXPECT_EQ(wrong.sqlstate, "28P01");
  EXPECT_EQ(wrong.message, "connection to server at \"127.0.0.1\", port " +
                               testing_services::Get("REKEY_PG_PORT") +
                               " failed: FATAL: 28P01: password authentication failed for user \"" +
                               role_ + "\"");
  // Each was one login of the role, as the server saw it, and closed (Terminate).
  std::string log = ReadFile(testing_services::Get("REKEY_PG_LOG"));
  EXPECT_EQ(Count(log, "connection authorized: user=" + role_ +
                           " database=postgres "
                           "application_name=rekey"),
            1u);
  EXPECT_EQ(Count(log, "password authentication failed for user \"" + role_ + "\""), 1u);
  EXPECT_EQ(Count(log, old_value_), 0u);
}

TEST_F(ScramLoginTest, ANologinRoleIsRefusedAfterAuthentication) {
  Column(admin_.get(), "ALTER ROLE " + role_ + " NOLOGIN");
  LoginOutcome refused = Own(role_, old_value_);
  EXPECT_FALSE(refused.logged_in);
  EXPECT_EQ(refused.sqlstate, "28000");
  EXPECT_EQ(refused.message.substr(refused.message.find("FATAL")),
            "FATAL: 28000: role \"" + role_ + "\" is not permitted to log in");
  EXPECT_EQ(Own(role_, old_value_ + "x").sqlstate, "28P01");  // the password is checked first
}

TEST_F(ScramLoginTest, BothRoutesGiveTheSameAnswers) {
  std::string port = testing_services::Get("REKEY_PG_PORT");
  EXPECT_EQ(Both(role_, old_value_), std::make_pair(std::string("true"), std::string("true")));
  EXPECT_EQ(Both(role_, "wrong-" + old_value_),
            std::make_pair(std::string("false"), std::string("false")));
  EXPECT_EQ(Both(role_ + "_missing", old_value_),
            std::make_pair(std::string("false"), std::string("false")));
  EXPECT_EQ(Both(role_, old_value_, Dsn() + " sslmode=disable"),
            std::make_pair(std::string("true"), std::string("true")));
  // Server refusals after authentication: the same text too.
  std::string no_db = "host=127.0.0.1 port=" + port + " dbname=rekey_no_such_db";
  auto [own_db, libpq_db] = Both(role_, old_value_, no_db);
  EXPECT_EQ(own_db,
            "invalid_argument: here: login failed: connection to server at \"127.0.0.1\", "
            "port " +
                port +
                " failed: FATAL: 3D000: database \"rekey_no_such_db\" does "
                "not exist");
  EXPECT_EQ(own_db, libpq_db);
  Column(admin_.get(), "ALTER ROLE " + role_ + " CONNECTION LIMIT 0");
  auto [own_full, libpq_full] = Both(role_, old_value_);
  EXPECT_EQ(own_full.rfind("unavailable: here: login failed: ", 0), 0u) << own_full;
  EXPECT_EQ(own_full, libpq_full);
  Column(admin_.get(), "ALTER ROLE " + role_ + " CONNECTION LIMIT -1 NOLOGIN");
  EXPECT_EQ(Both(role_, old_value_), std::make_pair(std::string("false"), std::string("false")));
  EXPECT_EQ(Both(role_, "wrong-" + old_value_),
            std::make_pair(std::string("false"), std::string("false")));
}

TEST_F(ScramLoginTest, AClosedPortOrAPassedDeadlineIsUnavailableNeverRejected) {
  std::string port = std::to_string(ClosedPort());
  std::string closed = "host=127.0.0.1 port=" + port + " dbname=postgres";
  LoginOutcome refused = Own(role_, old_value_, closed);
  EXPECT_EQ(Answer(refused),
            "unavailable: here: login failed: connection to server at "
            "\"127.0.0.1\", port " +
                port + " failed: Connection refused");
  EXPECT_EQ(Answer(LibpqLogin(closed, role_, SecretBytes(old_value_), Soon())).substr(0, 33),
            "unavailable: here: login failed: ");
  LoginOutcome late = Own(role_, old_value_, Dsn(), Clock::now());
  EXPECT_TRUE(late.timed_out);
  EXPECT_EQ(Answer(late), "unavailable: here: login failed: no answer before the deadline");
}

TEST(ScramLoginFakeTest, AServerThatAsksNoPasswordGivesTheSameErrorOnBothRoutes) {
  FakePgServer server(FakePgServer::Script::kTrust);
  std::optional<LoginOutcome> own =
      ScramLogin(TestTarget(server.Dsn()), "svc", SecretBytes("value"), Soon()).outcome;
  ASSERT_TRUE(own.has_value());
  std::string error =
      "invalid_argument: here: the server let the role in without asking for a password "
      "(pg_hba.conf trust, peer or cert), so no login can show whether a value is accepted";
  EXPECT_EQ(Answer(*own), error);
  EXPECT_EQ(Answer(LibpqLogin(server.Dsn(), "svc", SecretBytes("value"), Soon())), error);
  server.Stop();
  EXPECT_EQ(server.sent(), "XX");  // each said goodbye (Terminate), and sent nothing else
}

TEST(ScramLoginFakeTest, AForgedServerSignatureIsNeverAccepted) {
  FakePgServer server(FakePgServer::Script::kForgedSignature);
  std::optional<LoginOutcome> own =
      ScramLogin(TestTarget(server.Dsn()), "svc", SecretBytes("value"), Soon()).outcome;
  ASSERT_TRUE(own.has_value());
  EXPECT_EQ(Answer(*own), FailedAt(server.port(), "incorrect SCRAM server signature"));
  // libpq refuses it as well.
  Result<bool> libpq =
      AcceptsAnswer(LibpqLogin(server.Dsn(), "svc", SecretBytes("value"), Soon()), Where(), {});
  EXPECT_EQ(libpq.status().code(), StatusCode::kUnavailable) << libpq.status().ToString();
  server.Stop();
  EXPECT_EQ(server.sent(), "pppp");  // SASLInitialResponse, SASLResponse each; no Terminate
}

TEST(ScramLoginFakeTest, AnotherMethodOrTlsLeavesTheLoginToLibpq) {
  FakePgServer md5(FakePgServer::Script::kMd5);
  ScramAttempt md5_attempt = ScramLogin(TestTarget(md5.Dsn()), "svc", SecretBytes("value"), Soon());
  EXPECT_FALSE(md5_attempt.outcome.has_value());
  EXPECT_FALSE(md5_attempt.server_does_tls);
  md5.Stop();
  EXPECT_EQ(md5.startups(), 1);
  EXPECT_EQ(md5.sent(), "");  // the own login sent no password
  FakePgServer tls(FakePgServer::Script::kTls);
  ScramAttempt tls_attempt = ScramLogin(TestTarget(tls.Dsn()), "svc", SecretBytes("value"), Soon());
  EXPECT_FALSE(tls_attempt.outcome.has_value());
  EXPECT_TRUE(tls_attempt.server_does_tls);
  tls.Stop();
  EXPECT_EQ(tls.startups(), 0);  // nothing after the SSLRequest
}

TEST(ScramLoginFakeTest, ALengthTheServerSendsIsNotTrusted) {
  FakePgServer server(FakePgServer::Script::kHugeMessage);
  std::optional<LoginOutcome> own =
      ScramLogin(TestTarget(server.Dsn()), "svc", SecretBytes("value"), Soon()).outcome;
  ASSERT_TRUE(own.has_value());
  EXPECT_EQ(Answer(*own),
            FailedAt(server.port(), "invalid message length 2147483647 from the server"));
}

}  // namespace
}  // namespace rekey::postgres
