// Against the real slapd that scripts/test-services starts (testing/services.h). Every test works
// on an entry of its own, and checks what it relies on with ldapwhoami and ldapsearch, clients
// that share no code with the issuer (passwords given by file, never in argv).
#include "connectors/ldap/ldap_issuer.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>

#include "base/subprocess.h"
#include "connectors/ldap/ldap_connection.h"
#include "inventory/loader.h"
#include "testing/connector_fixture.h"
#include "testing/services.h"
#include "testing/temp_dir.h"

namespace rekey::ldap {
namespace {

namespace services = testing_services;
using Clock = std::chrono::steady_clock;

Deadline Soon() { return Clock::now() + std::chrono::seconds(5); }

class LdapIssuerTest : public ::testing::Test {
 protected:
  LdapIssuerTest() : dir_("ldap") {
    static std::atomic<int> n{0};
    uid_ = "rekey-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++);
    dn_ = "uid=" + uid_ + "," + services::Get("REKEY_LDAP_SERVICES_DN");
    Outcome add =
        Admin({"ldapadd"}, "dn: " + dn_ +
                               "\nobjectClass: account\nobjectClass: simpleSecurityObject"
                               "\nuid: " +
                               uid_ + "\nuserPassword: " + std::string(old_.Expose()) + "\n");
    EXPECT_EQ(add.code, 0) << add.text;
  }
  ~LdapIssuerTest() override { Admin({"ldapdelete", dn_}); }

  struct Outcome {
    int code = -1;
    std::string text;
  };

  // An ldap-utils program as the admin (password by file), LDIF on stdin.
  Outcome Admin(std::vector<std::string> argv, const std::string& input = "") {
    std::string program = argv[0];
    argv.erase(argv.begin());
    std::vector<std::string> full = {program, "-x",
                                     "-H",    services::Get("REKEY_LDAP_URL"),
                                     "-D",    services::Get("REKEY_LDAP_BIND_DN"),
                                     "-y",    services::Get("REKEY_LDAP_ADMIN_PASSWORD_FILE")};
    full.insert(full.end(), argv.begin(), argv.end());
    return Run(full, input);
  }
  static Outcome Run(const std::vector<std::string>& argv, const std::string& input = "") {
    ProcessSpec spec;
    spec.argv = argv;
    spec.stdin_data = input;
    auto r = RunProcess(spec);
    EXPECT_TRUE(r.ok());
    return r.ok() ? Outcome{r->exit_code, r->stdout_data + r->stderr_data} : Outcome{};
  }

  // Whether slapd lets the entry bind with PASSWORD, as ldapwhoami sees it: true on success,
  // false on 49 (invalid credentials); anything else fails the test.
  bool WhoamiAccepts(const SecretBytes& password) {
    std::string file = dir_.File("password");
    {
      std::ofstream out(file, std::ios::trunc | std::ios::binary);
      out << password.Expose();
    }
    ::chmod(file.c_str(), 0600);
    Outcome o =
        Run({"ldapwhoami", "-x", "-H", services::Get("REKEY_LDAP_URL"), "-D", dn_, "-y", file});
    ::unlink(file.c_str());
    EXPECT_TRUE(o.code == 0 || o.code == 49) << o.text;
    return o.code == 0;
  }

  // The entry's attribute ATTR as ldapsearch prints it ("" when absent).
  std::string Attribute(const std::string& attr) {
    Outcome o = Admin({"ldapsearch", "-LLL", "-o", "ldif-wrap=no", "-b", dn_, "-s", "base", attr});
    EXPECT_EQ(o.code, 0) << o.text;
    std::stringstream in(o.text);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(attr + ":", 0) == 0) {
        return line.substr(attr.size() + 1);
      }
    }
    return "";
  }

  static std::string ServerLog() {
    std::ifstream in(services::Get("REKEY_LDAP_LOG"));
    std::stringstream log;
    log << in.rdbuf();
    return log.str();
  }

  // An issuer for this test's entry on a system with EXTRA (", key: value") added.
  std::unique_ptr<Issuer> Make(const std::string& extra = ", lock: ppolicy",
                               const std::string& admin_secret_file = "") {
    std::string url = url_.empty() ? services::Get("REKEY_LDAP_URL") : url_;
    std::string text =
        "version: 1\nsystems:\n  dir: { type: ldap, url: \"" + url + "\", bind_dn: \"" +
        services::Get("REKEY_LDAP_BIND_DN") + "\", admin_secret: { file: " +
        (admin_secret_file.empty() ? services::Get("REKEY_LDAP_ADMIN_PASSWORD_FILE")
                                   : admin_secret_file) +
        " }, max_parallel: 2" + extra + " }\nidentities:\n  svc:\n    kind: password\n" +
        "    issuers: [{ system: dir, dn: \"" + dn_ + "\" }]\n";
    return issuers_.Make<Issuer>(text, "dir", MakeLdapIssuer);
  }

  TempDir dir_;
  std::string url_;  // the issuer's URL when not the shared slapd's ldap:// one
  std::string uid_, dn_;
  SecretBytes old_{"old-ldap-value-Zq81"};
  SecretBytes new_{"new-ldap-value-Pw27"};
  ConnectorFixture issuers_;
};

TEST_F(LdapIssuerTest, InstallReplacesThePasswordThroughPasswordModify) {
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  ASSERT_TRUE(WhoamiAccepts(old_));
  Status s = issuer->Install(new_, &old_, Soon());
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(WhoamiAccepts(old_));
  EXPECT_TRUE(WhoamiAccepts(new_));
  EXPECT_EQ(issuer->Accepts(old_, Soon()).value_or(true), false);
  EXPECT_EQ(issuer->Accepts(new_, Soon()).value_or(false), true);
  // The server hashed it (olcPasswordHash): ldapsearch prints the value base64-encoded.
  std::string stored = Attribute("userPassword");
  EXPECT_EQ(stored.rfind(": e1NTSEF9", 0), 0u) << stored;  // base64 of "{SSHA}"
}

TEST_F(LdapIssuerTest, ReplaceModeSetsUserPasswordWithAModify) {
  auto issuer = Make(", lock: ppolicy, password_change: replace");
  ASSERT_NE(issuer, nullptr);
  ASSERT_TRUE(issuer->Install(new_, &old_, Soon()).ok());
  EXPECT_FALSE(WhoamiAccepts(old_));
  EXPECT_TRUE(WhoamiAccepts(new_));
  std::string log = ServerLog();
  EXPECT_NE(log.find("MOD dn=\"" + dn_ + "\""), std::string::npos);
  EXPECT_EQ(log.find("PASSMOD id=\"" + dn_ + "\""), std::string::npos);
}

TEST_F(LdapIssuerTest, InstallAndRemoveAreIdempotent) {
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  for (int i = 0; i < 2; ++i) {
    Status s = issuer->Install(new_, &old_, Soon());
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  for (int i = 0; i < 2; ++i) {
    Status s = issuer->Remove(old_, &new_, Soon());
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  EXPECT_TRUE(WhoamiAccepts(new_));
  EXPECT_FALSE(WhoamiAccepts(old_));
  EXPECT_EQ(issuer->Remove(new_, &new_, Soon()).code(), StatusCode::kInvalidArgument);
}

// Without the value that stays, the password is deleted only while it is the value to remove.
// An inetOrgPerson may lack userPassword; a simpleSecurityObject may not.
TEST_F(LdapIssuerTest, RemoveWithoutTheValueThatStaysDeletesOnlyTheCurrentPassword) {
  std::string account = dn_;
  dn_ = "uid=" + uid_ + "-p," + services::Get("REKEY_LDAP_SERVICES_DN");
  Outcome person = Admin({"ldapadd"}, "dn: " + dn_ + "\nobjectClass: inetOrgPerson\ncn: " + uid_ +
                                          "\nsn: test\nuid: " + uid_ +
                                          "-p\nuserPassword: " + std::string(old_.Expose()) + "\n");
  ASSERT_EQ(person.code, 0) << person.text;
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  ASSERT_TRUE(issuer->Remove(new_, nullptr, Soon()).ok());  // not the password: nothing to do
  EXPECT_TRUE(WhoamiAccepts(old_));
  Status s = issuer->Remove(old_, nullptr, Soon());
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(WhoamiAccepts(old_));
  EXPECT_EQ(Attribute("userPassword"), "");
  EXPECT_TRUE(issuer->Remove(old_, nullptr, Soon()).ok());
  Admin({"ldapdelete", dn_});
  dn_ = account;

  auto on_account = Make();
  ASSERT_NE(on_account, nullptr);
  s = on_account->Remove(old_, nullptr, Soon());
  EXPECT_EQ(s.ToString(), "invalid_argument: ldap system \"dir\", dn \"" + dn_ +
                              "\": remove: Object class violation: object class "
                              "'simpleSecurityObject' requires attribute 'userPassword' (65)");
  EXPECT_TRUE(WhoamiAccepts(old_));
}

TEST_F(LdapIssuerTest, DisableLocksWithPwdAccountLockedTimeAndEnableDeletesIt) {
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(issuer->Disable(Soon()).ok());
    EXPECT_EQ(Attribute("pwdAccountLockedTime"), " 000001010000Z");
  }
  EXPECT_FALSE(WhoamiAccepts(old_));  // the right password, but locked: 49
  EXPECT_EQ(issuer->Accepts(old_, Soon()).value_or(true), false);
  for (int i = 0; i < 2; ++i) {
    Status s = issuer->Enable(Soon());
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(Attribute("pwdAccountLockedTime"), "");
  }
  EXPECT_TRUE(WhoamiAccepts(old_));
}

// OpenLDAP's ppolicy deletes pwdAccountLockedTime whenever a password changes (measured: with
// Password Modify, and with a Modify that replaces both): the issuer must keep its lock on.
TEST_F(LdapIssuerTest, InstallWhileLockedKeepsTheAccountLockedUntilEnabled) {
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  ASSERT_TRUE(issuer->Disable(Soon()).ok());
  Status s = issuer->Install(new_, &old_, Soon());
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(Attribute("pwdAccountLockedTime"), " 000001010000Z");
  EXPECT_FALSE(WhoamiAccepts(new_));
  EXPECT_FALSE(WhoamiAccepts(old_));
  // Remove(old, &new) is an install of the value that stays: still locked.
  ASSERT_TRUE(issuer->Remove(old_, &new_, Soon()).ok());
  EXPECT_EQ(Attribute("pwdAccountLockedTime"), " 000001010000Z");
  EXPECT_EQ(issuer->Remove(old_, nullptr, Soon()).code(), StatusCode::kInvalidArgument);

  ASSERT_TRUE(issuer->Enable(Soon()).ok());
  EXPECT_TRUE(WhoamiAccepts(new_));
  EXPECT_FALSE(WhoamiAccepts(old_));
}

// A lock that is not rekey's (a lockout after failed binds, with its time) is the server's
// business: a password change clears it, as an administrator's reset does.
TEST_F(LdapIssuerTest, ALockThatIsNotRekeysIsClearedByAPasswordChangeAsUsual) {
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  Outcome lock = Admin({"ldapmodify"}, "dn: " + dn_ +
                                           "\nchangetype: modify\nreplace: pwdAccountLockedTime\n"
                                           "pwdAccountLockedTime: 20260101000000Z\n");
  ASSERT_EQ(lock.code, 0) << lock.text;
  ASSERT_TRUE(issuer->Install(new_, &old_, Soon()).ok());
  EXPECT_EQ(Attribute("pwdAccountLockedTime"), "");
  EXPECT_TRUE(WhoamiAccepts(new_));
}

// slapd has no way to end the connections of one DN: a session bound with the old value keeps
// working after the change. This is why the capabilities say "unendable".
TEST_F(LdapIssuerTest, ASessionBoundWithTheOldValueSurvivesTheChange) {
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  LdapSettings settings;
  settings.url = services::Get("REKEY_LDAP_URL");
  auto session = LdapConnection::Open(settings, Soon());
  ASSERT_TRUE(session.ok());
  ASSERT_EQ((*session)->Bind(dn_, old_, Soon()).value_or(LdapAnswer{-1, ""}).code, 0);
  ASSERT_TRUE(issuer->Install(new_, &old_, Soon()).ok());
  ASSERT_TRUE(issuer->Disable(Soon()).ok());
  LdapConnection::Values values;
  auto read = (*session)->Read(dn_, {"uid"}, &values, Soon());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->code, 0) << read->text;
  EXPECT_EQ(values["uid"], std::vector<std::string>{uid_});
  EXPECT_EQ(issuer->EndSessions(old_, Soon()).code(), StatusCode::kInternal);
}

TEST_F(LdapIssuerTest, AMissingEntryIsNotFoundAndNamesTheDn) {
  dn_ = "uid=nobody-" + uid_ + "," + services::Get("REKEY_LDAP_SERVICES_DN");
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  Status s = issuer->Install(new_, &old_, Soon());
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_NE(s.message().find("ldap system \"dir\", dn \"" + dn_ + "\": install: "),
            std::string::npos)
      << s.ToString();
  EXPECT_EQ(issuer->Accepts(old_, Soon()).value_or(true), false);  // 49 for an unknown DN too
  dn_ = "uid=" + uid_ + "," + services::Get("REKEY_LDAP_SERVICES_DN");
}

TEST_F(LdapIssuerTest, AWrongAdminSecretIsPermanentAndNamesTheSystem) {
  std::string wrong = dir_.File("wrong");
  std::ofstream(wrong) << "not-the-admin-password";
  ::chmod(wrong.c_str(), 0600);
  auto issuer = Make(", lock: ppolicy", wrong);
  ASSERT_NE(issuer, nullptr);
  Status s = issuer->Install(new_, &old_, Soon());
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << s.ToString();
  EXPECT_EQ(s.message(), "ldap system \"dir\": admin bind as \"" +
                             services::Get("REKEY_LDAP_BIND_DN") + "\" failed: Invalid credentials")
      << s.ToString();
  EXPECT_TRUE(WhoamiAccepts(old_));
}

TEST_F(LdapIssuerTest, AServerThatCannotBeReachedIsRetryableNotARejection) {
  url_ = "ldap://127.0.0.1:1";
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  Result<bool> accepted = issuer->Accepts(old_, Soon());
  EXPECT_EQ(accepted.status().code(), StatusCode::kUnavailable) << accepted.status().ToString();
  Status install = issuer->Install(new_, nullptr, Soon());
  EXPECT_EQ(install.code(), StatusCode::kUnavailable) << install.ToString();
  EXPECT_NE(install.message().find("ldap system \"dir\""), std::string::npos) << install.ToString();
  url_.clear();
}

// The test slapd has a certificate for IP 127.0.0.1 from a CA of its own (REKEY_LDAP_CA_FILE).
TEST_F(LdapIssuerTest, StartTlsAndLdapsWorkWithTheCaFile) {
  std::string ca = ", lock: ppolicy, ca_file: " + services::Get("REKEY_LDAP_CA_FILE");
  auto starttls = Make(ca + ", starttls: true");
  ASSERT_NE(starttls, nullptr);
  Status s = starttls->Install(new_, &old_, Soon());
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(starttls->Accepts(new_, Soon()).value_or(false), true);
  EXPECT_EQ(starttls->Accepts(old_, Soon()).value_or(true), false);
  ASSERT_TRUE(starttls->Disable(Soon()).ok());

  url_ = services::Get("REKEY_LDAPS_URL");
  auto ldaps = Make(ca);
  ASSERT_NE(ldaps, nullptr);
  s = ldaps->Enable(Soon());
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(ldaps->Accepts(new_, Soon()).value_or(false), true);
  url_.clear();
  EXPECT_TRUE(WhoamiAccepts(new_));
  EXPECT_NE(ServerLog().find("STARTTLS"), std::string::npos);
}

// A certificate that does not chain to a trusted CA, or names another host, is an error (never
// a rejection), whatever the environment says: LDAPTLS_REQCERT=never is set before libldap's
// first use in this process (CTest runs each test in a process of its own).
TEST_F(LdapIssuerTest, AnUnverifiedCertificateIsAnErrorNotARejection) {
  ::setenv("LDAPTLS_REQCERT", "never", 1);
  auto untrusted = Make(", lock: ppolicy, starttls: true");  // the system's CAs
  ASSERT_NE(untrusted, nullptr);
  Result<bool> accepted = untrusted->Accepts(old_, Soon());
  EXPECT_EQ(accepted.status().code(), StatusCode::kUnavailable) << accepted.status().ToString();
  EXPECT_NE(accepted.status().message().find("StartTLS"), std::string::npos)
      << accepted.status().ToString();
  EXPECT_FALSE(untrusted->Install(new_, &old_, Soon()).ok());

  url_ = services::Get("REKEY_LDAPS_URL");
  auto ldaps = Make(", lock: ppolicy");
  ASSERT_NE(ldaps, nullptr);
  accepted = ldaps->Accepts(old_, Soon());
  EXPECT_EQ(accepted.status().code(), StatusCode::kUnavailable) << accepted.status().ToString();

  // The right CA, but "localhost" is not the name the certificate is for (IP 127.0.0.1 only).
  url_.replace(url_.find("127.0.0.1"), 9, "localhost");
  auto misnamed = Make(", lock: ppolicy, ca_file: " + services::Get("REKEY_LDAP_CA_FILE"));
  ASSERT_NE(misnamed, nullptr);
  accepted = misnamed->Accepts(old_, Soon());
  EXPECT_EQ(accepted.status().code(), StatusCode::kUnavailable) << accepted.status().ToString();
  url_.clear();
  ::unsetenv("LDAPTLS_REQCERT");
  EXPECT_TRUE(WhoamiAccepts(old_));  // nothing was changed
}

TEST_F(LdapIssuerTest, SettingsThatCannotWorkAreRefusedWhenTheIssuerIsMade) {
  std::string text =
      "version: 1\nsystems:\n  dir: { type: ldap, url: \"ldaps://127.0.0.1:1\", "
      "bind_dn: x, admin_secret: { file: " +
      services::Get("REKEY_LDAP_ADMIN_PASSWORD_FILE") +
      " }, starttls: true }\nidentities:\n  svc:\n    kind: password\n"
      "    issuers: [{ system: dir, dn: \"" +
      dn_ + "\" }]\n";
  Diagnostics d("inv.yaml");
  auto inv = ParseInventory(text, "inv.yaml", &d);
  ASSERT_TRUE(inv.ok()) << d.Format();
  const Identity& id = inv->identities[0];
  SystemResources resources;
  ConnectorContext context{DefaultEnv(), inv->FindSystem("dir"), &id, &id.issuers[0], &resources};
  auto made = MakeLdapIssuer(context);
  EXPECT_EQ(made.status().ToString(),
            "invalid_argument: ldap system \"dir\": starttls is for ldap:// URLs; ldaps:// is TLS "
            "already");
}

// lock: ad is a read-modify-write of userAccountControl. slapd has no such attribute, so what
// can be shown here is the refusal; the AD path itself is untested (no Active Directory here).
TEST_F(LdapIssuerTest, AdLockOnAnEntryWithoutUserAccountControlIsRefused) {
  auto issuer = Make(", lock: ad");
  ASSERT_NE(issuer, nullptr);
  Status s = issuer->Disable(Soon());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("no numeric userAccountControl"), std::string::npos);
  EXPECT_TRUE(WhoamiAccepts(old_));
}

// Secrets are radioactive: slapd's log (level stats) names the operations, never a value.
TEST_F(LdapIssuerTest, NoValueReachesTheServersLog) {
  SecretBytes canary("canary-ldap-Vq3m9Xw2");
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  ASSERT_TRUE(issuer->Install(canary, &old_, Soon()).ok());
  ASSERT_TRUE(issuer->Disable(Soon()).ok());
  ASSERT_TRUE(issuer->Install(new_, &canary, Soon()).ok());  // the locked path: a Modify
  EXPECT_FALSE(issuer->Accepts(canary, Soon()).value_or(true));
  ASSERT_TRUE(issuer->Enable(Soon()).ok());
  EXPECT_TRUE(issuer->Accepts(new_, Soon()).value_or(false));
  std::string log = ServerLog();
  ASSERT_NE(log.find("PASSMOD id=\"" + dn_ + "\""), std::string::npos) << "not logged?";
  EXPECT_EQ(log.find("canary-ldap-Vq3m9Xw2"), std::string::npos);
  EXPECT_EQ(log.find(std::string(new_.Expose())), std::string::npos);
}

// A directory that accepts connections and answers nothing (SIGSTOP): every call comes back by
// its deadline as a timeout, never as a rejection. On a private slapd, so the shared one runs on.
TEST_F(LdapIssuerTest, AStoppedServerTimesOutByTheDeadline) {
  std::string dir = "/tmp/rekey-ldap-stopped-" + std::to_string(::getpid());
  std::string script = std::string(REKEY_SOURCE_DIR) + "/scripts/test-services";
  ASSERT_EQ(Run({script, "--dir", dir, "start", "ldap"}).code, 0);
  std::map<std::string, std::string> vars;
  std::ifstream env(dir + "/env");
  for (std::string line; std::getline(env, line);) {
    vars[line.substr(0, line.find('='))] = line.substr(line.find('=') + 1);
  }
  url_ = vars["REKEY_LDAP_URL"];
  pid_t pid = std::stoi(vars["REKEY_LDAP_PID"]);
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  auto start = Clock::now();
  Result<bool> accepted = issuer->Accepts(old_, start + std::chrono::milliseconds(300));
  double accepts_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  start = Clock::now();
  Status disable = issuer->Disable(start + std::chrono::milliseconds(300));
  double disable_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  ::kill(pid, SIGCONT);
  Run({script, "--dir", dir, "stop"});
  url_.clear();
  EXPECT_EQ(accepted.status().code(), StatusCode::kTimeout) << accepted.status().ToString();
  EXPECT_EQ(disable.code(), StatusCode::kTimeout) << disable.ToString();
  EXPECT_LT(accepts_ms, 600);
  EXPECT_LT(disable_ms, 600);
  std::printf("stopped slapd: accepts %.0f ms, disable %.0f ms (deadline 300 ms)\n", accepts_ms,
              disable_ms);
}

// Figures, not assertions: what one acceptance check (a new connection and a bind) and one
// install (a pooled admin connection, Password Modify) cost against this slapd. Run with
// --gtest_also_run_disabled_tests.
TEST_F(LdapIssuerTest, DISABLED_Figures) {
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  ASSERT_TRUE(issuer->Install(new_, &old_, Soon()).ok());  // the pool's connection is open now
  constexpr int kRounds = 50;
  auto start = Clock::now();
  for (int i = 0; i < kRounds; ++i) {
    ASSERT_TRUE(issuer->Accepts(new_, Soon()).value_or(false));
  }
  double accepts_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  start = Clock::now();
  for (int i = 0; i < kRounds; ++i) {
    ASSERT_TRUE(issuer->Install(i % 2 ? new_ : old_, nullptr, Soon()).ok());
  }
  double install_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  ASSERT_TRUE(issuer->Disable(Soon()).ok());
  start = Clock::now();
  for (int i = 0; i < kRounds; ++i) {
    ASSERT_TRUE(issuer->Install(i % 2 ? new_ : old_, nullptr, Soon()).ok());
  }
  double locked_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  std::printf("ldap: accepts %.2f ms, install %.2f ms, install while locked %.2f ms (mean of %d)\n",
              accepts_ms / kRounds, install_ms / kRounds, locked_ms / kRounds, kRounds);
}

}  // namespace
}  // namespace rekey::ldap
