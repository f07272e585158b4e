// Against the real MariaDB that scripts/test-services starts (testing/services.h). Every test
// works on an account of its own, and checks what it relies on with plain libmariadb calls
// (RawClient), which share no code with the issuer.
#include "connectors/mariadb/mariadb_issuer.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <mariadb/mysql.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "base/file_descriptor.h"
#include "connectors/mariadb/sha1.h"
#include "inventory/loader.h"
#include "testing/services.h"
#include "testing/temp_dir.h"

namespace rekey::mariadb {
namespace {

namespace services = testing_services;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

Deadline Soon() { return steady_clock::now() + std::chrono::seconds(5); }

std::string AdminUser() { return services::Get("REKEY_MARIADB_ADMIN_USER"); }
std::string AdminPassword() {
  return services::ReadFileNamedBy("REKEY_MARIADB_ADMIN_PASSWORD_FILE");
}

// A connection made with libmariadb's C API only, as USER with PASSWORD.
class RawClient {
 public:
  RawClient(const std::string& user, const std::string& password) : mysql_(mysql_init(nullptr)) {
    unsigned int tcp = MYSQL_PROTOCOL_TCP, timeout_s = 5;
    mysql_optionsv(mysql_.get(), MYSQL_OPT_PROTOCOL, &tcp);
    mysql_optionsv(mysql_.get(), MYSQL_OPT_CONNECT_TIMEOUT, &timeout_s);
    mysql_optionsv(mysql_.get(), MYSQL_SET_CHARSET_NAME, "utf8mb4");
    connected_ =
        mysql_real_connect(mysql_.get(), services::Get("REKEY_MARIADB_HOST").c_str(), user.c_str(),
                           password.c_str(), nullptr,
                           std::stoi(services::Get("REKEY_MARIADB_PORT")), nullptr, 0) != nullptr;
    login_error_ = mysql_errno(mysql_.get());
  }
  static RawClient Admin() { return RawClient(AdminUser(), AdminPassword()); }

  bool connected() const { return connected_; }
  // The login's error number, 0 if it succeeded.
  unsigned int login_error() const { return login_error_; }
  // Runs SQL; its error number, 0 if it succeeded.
  unsigned int Exec(const std::string& sql) {
    if (mysql_query(mysql_.get(), sql.c_str()) != 0) {
      return mysql_errno(mysql_.get());
    }
    if (MYSQL_RES* r = mysql_store_result(mysql_.get())) {
      mysql_free_result(r);
    }
    return mysql_errno(mysql_.get());
  }
  // The first column of each row of SQL.
  std::vector<std::string> Column(const std::string& sql) {
    std::vector<std::string> out;
    EXPECT_EQ(mysql_query(mysql_.get(), sql.c_str()), 0)
        << sql << ": " << mysql_error(mysql_.get());
    MYSQL_RES* r = mysql_store_result(mysql_.get());
    while (MYSQL_ROW row = r != nullptr ? mysql_fetch_row(r) : nullptr) {
      out.push_back(row[0] != nullptr ? row[0] : "");
    }
    if (r != nullptr) {
      mysql_free_result(r);
    }
    return out;
  }
  std::string Scalar(const std::string& sql) {
    std::vector<std::string> c = Column(sql);
    return c.empty() ? "" : c[0];
  }

 private:
  struct Close {
    void operator()(MYSQL* m) const { mysql_close(m); }
  };
  std::unique_ptr<MYSQL, Close> mysql_;
  bool connected_ = false;
  unsigned int login_error_ = 0;
};

// A port on 127.0.0.1 that is bound and listening (LISTEN) but never accepts, or (!LISTEN) was
// bound and closed again, so nothing listens there.
class LocalPort {
 public:
  explicit LocalPort(bool listen) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    EXPECT_EQ(::bind(fd_.get(), reinterpret_cast<sockaddr*>(&a), len), 0);
    EXPECT_EQ(::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&a), &len), 0);
    port_ = ntohs(a.sin_port);
    if (listen) {
      EXPECT_EQ(::listen(fd_.get(), 8), 0);
    } else {
      fd_.Reset();
    }
  }
  std::string port() const { return std::to_string(port_); }

 private:
  FileDescriptor fd_;
  int port_ = 0;
};

// An admin secret file: readable by its owner only, as ResolveSecretRef requires.
void WriteSecretFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
}

std::string ReadGeneralLog() {
  std::ifstream in(services::Get("REKEY_MARIADB_LOG"), std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// What the system of an issuer differs in from the test server's defaults.
struct SystemSpec {
  std::string port = "";               // default: the test server's
  std::string admin_user = "";         // default: the test server's admin
  std::string admin_secret_file = "";  // default: the test server's admin password file
  std::string extra = "";              // more keys, e.g. ", tls: true"
};

class MariadbIssuerTest : public ::testing::Test {
 protected:
  MariadbIssuerTest() {
    static std::atomic<int> n{0};
    user_ = "rk_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
    EXPECT_EQ(admin_.Exec("CREATE USER '" + user_ + "'@'%' IDENTIFIED BY '" +
                          std::string(old_.Expose()) + "'"),
              0u);
  }
  ~MariadbIssuerTest() override {
    admin_.Exec("DROP USER IF EXISTS '" + user_ + "'@'%'");
    for (const std::string& a : extra_admins_) {
      admin_.Exec("DROP USER IF EXISTS '" + a + "'@'127.0.0.1'");
    }
  }

  // The inventory text of one system "db" and one identity whose issuer is ACCOUNT_USER.
  std::string Inventory(const SystemSpec& spec, const std::string& account_user) {
    return "version: 1\nsystems:\n  db: { type: mariadb, host: " +
           services::Get("REKEY_MARIADB_HOST") +
           ", port: " + (spec.port.empty() ? services::Get("REKEY_MARIADB_PORT") : spec.port) +
           ", admin_user: " + (spec.admin_user.empty() ? AdminUser() : spec.admin_user) +
           ", admin_secret: { file: " +
           (spec.admin_secret_file.empty() ? services::Get("REKEY_MARIADB_ADMIN_PASSWORD_FILE")
                                           : spec.admin_secret_file) +
           " }, max_parallel: 2" + spec.extra + " }\nidentities:\n  svc:\n    kind: password\n" +
           "    issuers: [{ system: db, user: " + account_user + ", host: \"%\" }]\n";
  }

  // What MakeMariadbIssuer gives for this test's account (or ACCOUNT_USER) on SPEC's system.
  Result<std::unique_ptr<Issuer>> MakeResult(const SystemSpec& spec = {},
                                             const std::string& account_user = "",
                                             SystemResources* resources = nullptr) {
    Diagnostics d("inv.yaml");
    auto inv = ParseInventory(Inventory(spec, account_user.empty() ? user_ : account_user),
                              "inv.yaml", &d);
    EXPECT_EQ(d.Format(), "");
    if (!inv.ok()) {
      return inv.status();
    }
    inventories_.push_back(std::make_unique<rekey::Inventory>(std::move(*inv)));
    const rekey::Inventory& kept = *inventories_.back();
    const Identity& id = kept.identities[0];
    ConnectorContext context{DefaultEnv(), kept.FindSystem("db"), &id, &id.issuers[0],
                             resources != nullptr ? resources : &resources_};
    return MakeMariadbIssuer(context);
  }
  std::unique_ptr<Issuer> Make(const SystemSpec& spec = {}, const std::string& account_user = "") {
    auto issuer = MakeResult(spec, account_user);
    EXPECT_TRUE(issuer.ok()) << issuer.status().ToString();
    return issuer.ok() ? std::move(*issuer) : nullptr;
  }

  // A second admin account with PRIVILEGES, so a test can count and kill its connections
  // without seeing other tests'. Its password file is written to dir_.
  SystemSpec OwnAdmin(const std::string& privileges = "ALL PRIVILEGES") {
    std::string name = user_ + "_adm";
    std::string password = "adm-" + std::to_string(::getpid()) + "-Xy7";
    EXPECT_EQ(
        admin_.Exec("CREATE USER '" + name + "'@'127.0.0.1' IDENTIFIED BY '" + password + "'"), 0u);
    EXPECT_EQ(admin_.Exec("GRANT " + privileges + " ON *.* TO '" + name + "'@'127.0.0.1'"), 0u);
    extra_admins_.push_back(name);
    std::string file = dir_.File(name);
    WriteSecretFile(file, password);
    return {.admin_user = name, .admin_secret_file = file};
  }

  // The ids of the connections USER has open now.
  std::vector<std::string> Sessions(const std::string& user) {
    return admin_.Column("SELECT ID FROM information_schema.PROCESSLIST WHERE USER = '" + user +
                         "'");
  }

  std::string Prefix() const { return "mariadb system \"db\", account '" + user_ + "'@'%': "; }

  std::string user_;
  SecretBytes old_{"old-maria-value-Zq81"};
  SecretBytes new_{"new-maria-value-Pw27"};
  RawClient admin_ = RawClient::Admin();
  TempDir dir_{"mariadb-test"};
  SystemResources resources_;
  std::vector<std::unique_ptr<rekey::Inventory>> inventories_;
  std::vector<std::string> extra_admins_;
};

TEST(MariadbSha1Test, MatchesTheFips180VectorsAcrossBlockBoundaries) {
  auto hex = [](const Sha1Digest& d) {
    std::string out;
    for (uint8_t b : d) {
      out += "0123456789abcdef"[b >> 4];
      out += "0123456789abcdef"[b & 0xf];
    }
    return out;
  };
  EXPECT_EQ(hex(Sha1Of("")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(hex(Sha1Of("abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(hex(Sha1Of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(hex(Sha1Of(std::string(55, 'a'))), "c1c8bbdc22796e28c0e15163d20899b65621d65a");
  EXPECT_EQ(hex(Sha1Of(std::string(56, 'a'))), "c2db330f6083854c99d4b5bfb6e8f29f201be699");
  EXPECT_EQ(hex(Sha1Of(std::string(64, 'a'))), "0098ba824b5c16427bd7a1122a5a442a25ec644d");
  Sha1 million;
  std::string chunk(1000, 'a');
  for (int i = 0; i < 1000; ++i) {
    million.Update(chunk);
  }
  Sha1Digest d;
  million.Final(&d);
  EXPECT_EQ(hex(d), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

TEST(MariadbSha1Test, NativePasswordHashIsWhatTheServerComputes) {
  EXPECT_EQ(NativePasswordHash(SecretBytes("abcd")), "*A154C52565E9E7F94BFC08A1FE702624ED8EFFDA");
  RawClient admin = RawClient::Admin();
  for (std::string_view v : {"abcd", "p'a\"ss\\w0rd%_", "p\xc3\xa4sswort-\xe2\x82\xac"}) {
    std::string hex;
    for (unsigned char c : v) {
      hex += "0123456789ABCDEF"[c >> 4];
      hex += "0123456789ABCDEF"[c & 0xf];
    }
    EXPECT_EQ(NativePasswordHash(SecretBytes(v)), admin.Scalar("SELECT PASSWORD(X'" + hex + "')"))
        << hex;
  }
}

TEST_F(MariadbIssuerTest, InstallMakesTheNewValueAcceptedAndTheOldRejected) {
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  EXPECT_EQ(issuer->Accepts(old_, Soon()).value_or(false), true);
  EXPECT_EQ(issuer->Accepts(new_, Soon()).value_or(true), false);

  ASSERT_EQ(issuer->Install(new_, &old_, Soon()).ToString(), "ok");
  EXPECT_EQ(issuer->Accepts(new_, Soon()).value_or(false), true);
  EXPECT_EQ(issuer->Accepts(old_, Soon()).value_or(true), false);
  RawClient with_new(user_, std::string(new_.Expose()));
  EXPECT_TRUE(with_new.connected());
  EXPECT_EQ(with_new.Scalar("SELECT CURRENT_USER()"), user_ + "@%");
  EXPECT_EQ(RawClient(user_, std::string(old_.Expose())).login_error(), 1045u);
}

TEST_F(MariadbIssuerTest, TheClearValueNeverReachesTheGeneralLogOnlyItsHash) {
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  ASSERT_TRUE(issuer->Install(new_, &old_, Soon()).ok());
  ASSERT_EQ(issuer->Accepts(new_, Soon()).value_or(false), true);
  std::string stored =
      admin_.Scalar("SELECT authentication_string FROM mysql.user WHERE User = '" + user_ + "'");
  ASSERT_EQ(stored.size(), 41u);

  std::string log = ReadGeneralLog();
  EXPECT_NE(log.find("ALTER USER '" + user_ + "'@'%' IDENTIFIED VIA mysql_native_password USING '" +
                     stored + "'"),
            std::string::npos);
  EXPECT_EQ(log.find(new_.Expose()), std::string::npos);
  // The check can fail: a clear value sent in a statement is in the log.
  EXPECT_NE(log.find(old_.Expose()), std::string::npos);  // the fixture's CREATE USER
}

TEST_F(MariadbIssuerTest, EndSessionsEndsSessionsOfTheOldValueAndSparesTheAdmins) {
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  RawClient session(user_, std::string(old_.Expose()));
  ASSERT_TRUE(session.connected());
  ASSERT_TRUE(issuer->Install(new_, &old_, Soon()).ok());
  EXPECT_EQ(session.Exec("SELECT 1"), 0u);  // a changed password leaves the session alive
  ASSERT_EQ(Sessions(user_).size(), 1u);

  ASSERT_EQ(issuer->EndSessions(old_, Soon()).ToString(), "ok");
  EXPECT_EQ(Sessions(user_).size(), 0u);
  unsigned int after = session.Exec("SELECT 1");
  EXPECT_TRUE(after == 2006 || after == 2013 || after == 1927) << after;
  // The pooled admin connection that ran the KILLs still works.
  EXPECT_EQ(issuer->Disable(Soon()).ToString(), "ok");
  EXPECT_EQ(issuer->Enable(Soon()).ToString(), "ok");
  EXPECT_EQ(admin_.Exec("SELECT 1"), 0u);
  EXPECT_EQ(issuer->EndSessions(old_, Soon()).ToString(), "ok");  // none left: nothing to do
}

TEST_F(MariadbIssuerTest, EndSessionsRefusesAnAdminThatCannotSeeOtherUsersSessions) {
  SystemSpec spec = OwnAdmin("CREATE USER, CONNECTION ADMIN");
  auto issuer = Make(spec);
  ASSERT_NE(issuer, nullptr);
  RawClient session(user_, std::string(old_.Expose()));
  ASSERT_TRUE(session.connected());
  EXPECT_EQ(issuer->EndSessions(old_, Soon()).ToString(),
            "permission_denied: mariadb system \"db\": the admin user \"" + spec.admin_user +
                "\" lacks the PROCESS privilege (granted to it directly, not through a role), "
                "without which PROCESSLIST hides other users' sessions and they cannot be ended");
  EXPECT_EQ(session.Exec("SELECT 1"), 0u);
  EXPECT_EQ(issuer->Disable(Soon()).ToString(), "ok");  // CREATE USER is enough for the rest
}

TEST_F(MariadbIssuerTest, DisableRejectsTheRightValueAndEnableAcceptsItAgain) {
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  ASSERT_EQ(issuer->Disable(Soon()).ToString(), "ok");
  ASSERT_EQ(issuer->Disable(Soon()).ToString(), "ok");
  EXPECT_EQ(issuer->Accepts(old_, Soon()).value_or(true), false);
  EXPECT_EQ(RawClient(user_, std::string(old_.Expose())).login_error(), 4151u);

  // Contain installs while the account is locked: it stays locked.
  ASSERT_TRUE(issuer->Install(new_, &old_, Soon()).ok());
  EXPECT_EQ(issuer->Accepts(new_, Soon()).value_or(true), false);

  ASSERT_EQ(issuer->Enable(Soon()).ToString(), "ok");
  ASSERT_EQ(issuer->Enable(Soon()).ToString(), "ok");
  EXPECT_EQ(issuer->Accepts(new_, Soon()).value_or(false), true);
  EXPECT_EQ(issuer->Accepts(old_, Soon()).value_or(true), false);
  EXPECT_TRUE(RawClient(user_, std::string(new_.Expose())).connected());
}

TEST_F(MariadbIssuerTest, InstallAndRemoveAreIdempotent) {
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  ASSERT_EQ(issuer->Install(new_, &old_, Soon()).ToString(), "ok");
  ASSERT_EQ(issuer->Install(new_, &old_, Soon()).ToString(), "ok");
  EXPECT_EQ(issuer->Accepts(new_, Soon()).value_or(false), true);
  ASSERT_EQ(issuer->Remove(old_, &new_, Soon()).ToString(), "ok");
  ASSERT_EQ(issuer->Remove(old_, &new_, Soon()).ToString(), "ok");
  EXPECT_EQ(issuer->Accepts(old_, Soon()).value_or(true), false);
  EXPECT_EQ(issuer->Accepts(new_, Soon()).value_or(false), true);

  // Without a replacement: fine for a value that is gone, refused for the only one.
  EXPECT_EQ(issuer->Remove(old_, nullptr, Soon()).ToString(), "ok");
  EXPECT_EQ(issuer->Remove(new_, nullptr, Soon()).ToString(),
            "invalid_argument: " + Prefix() +
                "cannot remove the account's only password without a replacement (disable the "
                "account instead)");
  EXPECT_EQ(issuer->Accepts(new_, Soon()).value_or(false), true);
}

TEST_F(MariadbIssuerTest, AMissingAccountIsNotFound) {
  std::string missing = user_ + "_missing";
  auto issuer = Make({}, missing);
  ASSERT_NE(issuer, nullptr);
  EXPECT_EQ(issuer->Install(new_, nullptr, Soon()).ToString(),
            "not_found: mariadb system \"db\", account '" + missing +
                "'@'%': ALTER USER ... IDENTIFIED failed: Operation ALTER USER failed for '" +
                missing + "'@'%' (error 1396)");
  EXPECT_EQ(issuer->Disable(Soon()).code(), StatusCode::kNotFound);
  Result<bool> accepted = issuer->Accepts(new_, Soon());
  EXPECT_EQ(accepted.value_or(true), false) << accepted.status().ToString();
}

TEST_F(MariadbIssuerTest, AcceptsAgainstAPortWhereNothingListensIsUnavailable) {
  LocalPort closed(false);
  auto issuer = Make({.port = closed.port()});
  ASSERT_NE(issuer, nullptr);
  Result<bool> accepted = issuer->Accepts(old_, Soon());
  EXPECT_EQ(accepted.status().ToString(),
            "unavailable: " + Prefix() +
                "login check failed: Can't connect to server on '127.0.0.1' (115) (error 2002)");
  EXPECT_EQ(issuer->Disable(Soon()).ToString(),
            "unavailable: mariadb system \"db\": admin login failed: Can't connect to server on "
            "'127.0.0.1' (115) (error 2002)");
}

TEST_F(MariadbIssuerTest, AcceptsIsBoundedByTheDeadlineWhenTheServerNeverAnswers) {
  LocalPort silent(true);  // connects, then never sends the handshake
  auto issuer = Make({.port = silent.port()});
  ASSERT_NE(issuer, nullptr);
  auto start = steady_clock::now();
  Result<bool> accepted = issuer->Accepts(old_, start + milliseconds(300));
  auto took = steady_clock::now() - start;
  EXPECT_EQ(accepted.status().ToString(),
            "timeout: " + Prefix() +
                "login check failed: the server did not answer before the deadline (error 2013)");
  EXPECT_GE(took, milliseconds(290));
  EXPECT_LT(took, milliseconds(600));
  start = steady_clock::now();
  EXPECT_EQ(issuer->Enable(start + milliseconds(200)).ToString(),
            "timeout: mariadb system \"db\": admin login failed: the server did not answer "
            "before the deadline (error 2013)");
  EXPECT_LT(steady_clock::now() - start, milliseconds(500));
}

TEST_F(MariadbIssuerTest, AnAdminStatementThatHangsIsBoundedByTheDeadline) {
  SystemSpec spec = OwnAdmin();
  auto issuer = Make(spec);
  ASSERT_NE(issuer, nullptr);
  ASSERT_EQ(issuer->Enable(Soon()).ToString(), "ok");
  std::vector<std::string> pooled = Sessions(spec.admin_user);
  ASSERT_EQ(pooled.size(), 1u);
  RawClient locker = RawClient::Admin();
  ASSERT_EQ(locker.Exec("LOCK TABLES mysql.global_priv WRITE"), 0u);  // ALTER USER waits for it

  auto start = steady_clock::now();
  Status hung = issuer->Disable(start + milliseconds(300));
  auto took = steady_clock::now() - start;
  EXPECT_EQ(locker.Exec("UNLOCK TABLES"), 0u);
  EXPECT_EQ(hung.ToString(), "timeout: " + Prefix() +
                                 "ALTER USER ... ACCOUNT LOCK failed: the server did not answer "
                                 "before the deadline (error 2013)");
  EXPECT_GE(took, milliseconds(290));
  EXPECT_LT(took, milliseconds(600));
  // The connection left mid-statement was discarded: the next call logs in again.
  EXPECT_EQ(issuer->Disable(Soon()).ToString(), "ok");
  std::vector<std::string> now = Sessions(spec.admin_user);
  EXPECT_EQ(std::count(now.begin(), now.end(), pooled[0]), 0);
  EXPECT_EQ(RawClient(user_, std::string(old_.Expose())).login_error(), 4151u);
}

TEST_F(MariadbIssuerTest, TheServerEndsAStatementAtTheSystemsTimeout) {
  SystemSpec spec = OwnAdmin();
  spec.extra = ", timeout: 500ms";  // max_statement_time on the admin sessions
  auto issuer = Make(spec);
  ASSERT_NE(issuer, nullptr);
  RawClient locker = RawClient::Admin();
  ASSERT_EQ(locker.Exec("LOCK TABLES mysql.global_priv WRITE"), 0u);
  auto start = steady_clock::now();
  Status ended = issuer->Disable(Soon());  // rekey would wait 5 s; the server stops at 0.5 s
  auto took = steady_clock::now() - start;
  EXPECT_EQ(locker.Exec("UNLOCK TABLES"), 0u);
  EXPECT_EQ(ended.ToString(), "unavailable: " + Prefix() +
                                  "ALTER USER ... ACCOUNT LOCK failed: Query execution was "
                                  "interrupted (max_statement_time exceeded) (error 1969)");
  EXPECT_LT(took, milliseconds(1500));
  EXPECT_EQ(issuer->Disable(Soon()).ToString(), "ok");  // the same connection, still usable
  EXPECT_EQ(Sessions(spec.admin_user).size(), 1u);
}

TEST_F(MariadbIssuerTest, AWrongAdminSecretIsPermissionDeniedNamingTheSystem) {
  std::string file = dir_.File("wrong");
  WriteSecretFile(file, "not-the-admin-password");
  auto issuer = Make({.admin_secret_file = file});
  ASSERT_NE(issuer, nullptr);
  EXPECT_EQ(issuer->Disable(Soon()).ToString(),
            "permission_denied: mariadb system \"db\": admin login failed: Access denied for "
            "user '" +
                AdminUser() + "'@'127.0.0.1' (using password: YES) (error 1045)");
  EXPECT_EQ(issuer->Install(new_, &old_, Soon()).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(issuer->Accepts(old_, Soon()).value_or(false), true);  // not an admin login
}

TEST_F(MariadbIssuerTest, TlsAgainstAServerWithoutTlsIsAPermanentErrorNamingTheSystem) {
  auto issuer = Make({.extra = ", tls: true, ca_file: /etc/ssl/certs/ca-certificates.crt"});
  ASSERT_NE(issuer, nullptr);
  Status disabled = issuer->Disable(Soon());
  EXPECT_EQ(disabled.ToString(),
            "permission_denied: mariadb system \"db\": admin login failed: TLS/SSL error: SSL is "
            "required, but the server does not support it (error 2026)");
  EXPECT_FALSE(disabled.retryable());
  EXPECT_EQ(issuer->Accepts(old_, Soon()).status().ToString(),
            "permission_denied: " + Prefix() +
                "login check failed: TLS/SSL error: SSL is required, but the server does not "
                "support it (error 2026)");
}

TEST_F(MariadbIssuerTest, BadSystemOptionsAreRefusedWhenTheIssuerIsMade) {
  EXPECT_EQ(MakeResult({.port = "0"}).status().ToString(),
            "invalid_argument: mariadb system \"db\": port \"0\" is not a number from 1 to 65535");
  EXPECT_EQ(
      MakeResult({.extra = ", ca_file: /etc/ssl/certs/ca-certificates.crt"}).status().ToString(),
      "invalid_argument: mariadb system \"db\" has a ca_file but not tls: true");
  EXPECT_EQ(MakeResult({.admin_secret_file = dir_.File("absent")}).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(MakeResult({}, AdminUser()).status().ToString(),
            "invalid_argument: mariadb system \"db\": user \"" + AdminUser() +
                "\" is the admin user: rekey would lock itself out and end its own admin sessions");
}

TEST_F(MariadbIssuerTest, AdminConnectionsAreReusedAndBoundedByMaxParallel) {
  SystemSpec spec = OwnAdmin();
  auto issuer = Make(spec);
  ASSERT_NE(issuer, nullptr);
  std::atomic<bool> done{false};
  size_t most = 0;
  std::thread monitor([&] {
    RawClient watcher = RawClient::Admin();
    while (!done) {
      most = std::max(most, watcher
                                .Column("SELECT ID FROM information_schema.PROCESSLIST WHERE "
                                        "USER = '" +
                                        spec.admin_user + "'")
                                .size());
      std::this_thread::sleep_for(milliseconds(1));
    }
  });
  std::atomic<int> failures{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {  // 20 operations in all, 4 at a time on 2 connections
        Status s = (t + i) % 2 == 0 ? issuer->Install(new_, &old_, Soon())
                                    : issuer->EndSessions(old_, Soon());
        failures += s.ok() ? 0 : 1;
      }
    });
  }
  for (std::thread& w : workers) {
    w.join();
  }
  done = true;
  monitor.join();
  EXPECT_EQ(failures, 0);
  EXPECT_GE(most, 1u);
  EXPECT_LE(most, 2u);
  EXPECT_LE(Sessions(spec.admin_user).size(), 2u);
  std::string log = ReadGeneralLog();
  size_t logins = 0;
  for (size_t at = 0; (at = log.find("Connect\t" + spec.admin_user + "@", at)) != std::string::npos;
       ++at) {
    ++logins;
  }
  EXPECT_GE(logins, 1u);
  EXPECT_LE(logins, 2u);  // each login served many operations
}

TEST_F(MariadbIssuerTest, ABrokenAdminConnectionIsDiscardedAndTheNextAttemptReconnects) {
  SystemSpec spec = OwnAdmin();
  auto issuer = Make(spec);
  ASSERT_NE(issuer, nullptr);
  ASSERT_EQ(issuer->Disable(Soon()).ToString(), "ok");
  std::vector<std::string> pooled = Sessions(spec.admin_user);
  ASSERT_EQ(pooled.size(), 1u);
  ASSERT_EQ(admin_.Exec("KILL CONNECTION " + pooled[0]), 0u);

  EXPECT_EQ(issuer->Enable(Soon()).ToString(),
            "unavailable: " + Prefix() +
                "ALTER USER ... ACCOUNT UNLOCK failed: Lost connection to server during query "
                "(error 2013)");
  EXPECT_EQ(issuer->Enable(Soon()).ToString(), "ok");
  std::vector<std::string> now = Sessions(spec.admin_user);
  ASSERT_EQ(now.size(), 1u);
  EXPECT_NE(now[0], pooled[0]);
  EXPECT_EQ(issuer->Accepts(old_, Soon()).value_or(false), true);
}

// Prints the median and slowest of N runs of each operation (run the test binary to see them),
// and fails only if one is far off what a loopback server needs.
TEST_F(MariadbIssuerTest, OperationsTakeMilliseconds) {
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  ASSERT_TRUE(issuer->Disable(Soon()).ok());  // the pool's login is not measured
  ASSERT_TRUE(issuer->Enable(Soon()).ok());
  auto measure = [](const char* name, int n, const std::function<void()>& op) {
    std::vector<double> ms;
    for (int i = 0; i < n; ++i) {
      auto start = steady_clock::now();
      op();
      ms.push_back(std::chrono::duration<double, std::milli>(steady_clock::now() - start).count());
    }
    std::sort(ms.begin(), ms.end());
    std::printf("%-36s median %7.3f ms  max %7.3f ms  (n=%d)\n", name, ms[ms.size() / 2], ms.back(),
                n);
    EXPECT_LT(ms[ms.size() / 2], 100.0) << name;
  };
  const SecretBytes* values[] = {&new_, &old_};  // an even count ends with old_ installed
  int k = 0;
  measure("install", 30,
          [&] { EXPECT_TRUE(issuer->Install(*values[k++ % 2], nullptr, Soon()).ok()); });
  measure("accepts (accepted)", 30,
          [&] { EXPECT_TRUE(issuer->Accepts(old_, Soon()).value_or(false)); });
  measure("accepts (rejected)", 30,
          [&] { EXPECT_FALSE(issuer->Accepts(new_, Soon()).value_or(true)); });
  measure("disable + enable", 30, [&] {
    EXPECT_TRUE(issuer->Disable(Soon()).ok());
    EXPECT_TRUE(issuer->Enable(Soon()).ok());
  });
  measure("end_sessions (none open)", 30,
          [&] { EXPECT_TRUE(issuer->EndSessions(old_, Soon()).ok()); });
  std::vector<double> kill_ms;
  for (int i = 0; i < 15; ++i) {
    RawClient session(user_, std::string(old_.Expose()));
    ASSERT_TRUE(session.connected());
    auto start = steady_clock::now();
    EXPECT_TRUE(issuer->EndSessions(old_, Soon()).ok());
    kill_ms.push_back(
        std::chrono::duration<double, std::milli>(steady_clock::now() - start).count());
  }
  std::sort(kill_ms.begin(), kill_ms.end());
  std::printf("%-36s median %7.3f ms  max %7.3f ms  (n=15)\n", "end_sessions (one killed)",
              kill_ms[7], kill_ms.back());
  measure("first call on a new pool (login)", 10, [&] {
    SystemResources own;
    auto fresh = MakeResult({}, "", &own);
    ASSERT_TRUE(fresh.ok());
    EXPECT_TRUE((*fresh)->Enable(Soon()).ok());
  });
}

}  // namespace
}  // namespace rekey::mariadb
