// The real binary against the real slapd (and PostgreSQL) that scripts/test-services starts: an
// LDAP service account rotated and contained end to end, checked with ldapwhoami and ldapsearch
// (passwords by file, never argv), which share no code with rekey. Use case 1 of the design is
// observed step by step: the account locked from the cut until every holder has the new value,
// unlocked before the consumers reload.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <map>

#include "harness.h"
#include "rotate_contain_leaks.h"
#include "testing/services.h"

namespace rekey::it {
namespace {

namespace services = testing_services;

const std::string kOld = "old-Ldap-value-5e1b77";

class LdapE2eTest : public ::testing::Test {
 protected:
  LdapE2eTest() {
    static std::atomic<int> n{0};
    uid_ = "rk-" + std::to_string(::getpid()) + "-" + std::to_string(n++);
    dn_ = "uid=" + uid_ + "," + services::Setting("REKEY_LDAP_SERVICES_DN");
    Outcome add = Admin("ldapadd", {},
                        "dn: " + dn_ + "\nobjectClass: account\nobjectClass: simpleSecurityObject" +
                            "\nuid: " + uid_ + "\nuserPassword: " + kOld + "\n");
    EXPECT_EQ(add.exit_code, 0) << Describe(add);
    WriteFile(AdminSecretFile(), ReadFileOr(services::Setting("REKEY_LDAP_ADMIN_PASSWORD_FILE")));
  }
  ~LdapE2eTest() override { Admin("ldapdelete", {dn_}); }

  std::string AdminSecretFile() const { return box_.dir() + "/ldap-admin"; }

  // An ldap-utils PROGRAM as the directory's admin, ARGS after the login, LDIF on stdin.
  Outcome Admin(const std::string& program, const std::vector<std::string>& args,
                const std::string& input = "") const {
    std::vector<std::string> argv = {program, "-x",
                                     "-H",    services::Setting("REKEY_LDAP_URL"),
                                     "-D",    services::Setting("REKEY_LDAP_BIND_DN"),
                                     "-y",    services::Setting("REKEY_LDAP_ADMIN_PASSWORD_FILE")};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProgram(argv, {}, input);
  }

  // Whether ldapwhoami can bind as the account with PASSWORD (given by file); 0 or 49 only.
  bool Accepts(const std::string& password) const {
    std::string file = box_.dir() + "/whoami-password";
    WriteFile(file, password);
    Outcome o = RunProgram(
        {"ldapwhoami", "-x", "-H", services::Setting("REKEY_LDAP_URL"), "-D", dn_, "-y", file});
    EXPECT_TRUE(o.exit_code == 0 || o.exit_code == 49) << Describe(o);
    return o.exit_code == 0;
  }

  // The account's pwdAccountLockedTime, "" when it is not locked.
  std::string LockedTime() const {
    Outcome o = Admin("ldapsearch", {"-LLL", "-b", dn_, "-s", "base", "pwdAccountLockedTime"});
    EXPECT_EQ(o.exit_code, 0) << Describe(o);
    size_t at = o.out.find("pwdAccountLockedTime: ");
    return at == std::string::npos ? "" : o.out.substr(at + 22, o.out.find('\n', at) - at - 22);
  }

  std::string LdapSystem() const {
    return "  dir: { type: ldap, url: \"" + services::Setting("REKEY_LDAP_URL") +
           "\", bind_dn: \"" + services::Setting("REKEY_LDAP_BIND_DN") +
           "\", admin_secret: { file: " + AdminSecretFile() + " }, lock: ppolicy";
  }

  // The inventory: the LDAP issuer (SYSTEM_EXTRA added to its system), EXTRA_SYSTEMS and
  // EXTRA_ISSUERS beside it, a dotenv holder, and CONSUMER (a consumers: entry) if any.
  void WriteInventory(const std::string& consumer = "", const std::string& system_extra = "",
                      const std::string& extra_systems = "",
                      const std::string& extra_issuers = "") const {
    std::string text = "version: 1\nsystems:\n" + LdapSystem() + system_extra + " }\n" +
                       extra_systems +
                       "  files: { type: file }\n"
                       "identities:\n  svc:\n    kind: password\n"
                       "    generate: { length: 32, alphabet: alnum }\n"
                       "    issuers: [{ system: dir, dn: \"" +
                       dn_ + "\" }" + extra_issuers +
                       "]\n"
                       "    holders: [{ name: app-env, system: files, path: " +
                       box_.env_file() + ", format: dotenv, key: PASSWORD }]\n" +
                       (consumer.empty() ? "" : "    consumers: [" + consumer + "]\n");
    WriteFile(box_.inventory(), text);
  }

  // The id of the first step of the contain plan that does ACTION.
  int StepId(const std::string& strategy, const std::string& action) const {
    Outcome plan = box_.Rekey(
        {"plan", "-i", box_.inventory(), "svc", "--strategy", strategy, "--output", "json"});
    nlohmann::json j = nlohmann::json::parse(plan.out, nullptr, false);
    for (const nlohmann::json& s : j["plans"][0]["steps"]) {
      if (s.value("action", "") == action) {
        return s.value("id", 0);
      }
    }
    ADD_FAILURE() << "no " << action << " step in " << plan.out;
    return 0;
  }

  std::string uid_, dn_;
  Sandbox box_;
};

TEST_F(LdapE2eTest, RotateEndsWithOnlyTheNewValueAcceptedAndSaysSessionsWereNotEnded) {
  WriteInventory();
  ASSERT_TRUE(box_.InitAndAdopt(kOld));
  ASSERT_TRUE(Accepts(kOld));

  Outcome run = box_.Run("rotate");
  ASSERT_EQ(run.exit_code, 0) << Describe(run);

  std::optional<std::string> fresh = box_.DotenvValue();
  ASSERT_TRUE(fresh.has_value());
  EXPECT_NE(*fresh, kOld);
  EXPECT_TRUE(Accepts(*fresh));
  EXPECT_FALSE(Accepts(kOld));
  EXPECT_EQ(LockedTime(), "");
  EXPECT_TRUE(AuditVerifies(box_));
  // slapd cannot end one DN's sessions: the report says so, and never claims they were ended.
  EXPECT_NE(run.out.find("note: sessions: dir (ldap) cannot end sessions opened with the old "
                         "value; they stay usable until they close or the server's idle timeout "
                         "ends them"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(run.out.find("ended"), std::string::npos) << run.out;
  nlohmann::json status = box_.Status();
  ASSERT_TRUE(status["notes"].is_array()) << status.dump();
  for (const nlohmann::json& step : status["steps"]) {
    EXPECT_NE(step.value("action", ""), "end_sessions") << status.dump();
  }
}

// Use case 1, observed at each moment that matters. The run is stopped (fail-step) just before
// the install and again just before the unlock, and looked at with ldapsearch and ldapwhoami;
// the consumer's reload records what the directory says when it runs.
TEST_F(LdapE2eTest, ContainKeepsTheAccountLockedUntilEveryHolderHasTheNewValue) {
  std::string at_reload = box_.dir() + "/at-reload";
  std::string script =
      "umask 077; cat > " + box_.dir() + "/reload-password; { ldapsearch -x -LLL -H " +
      services::Setting("REKEY_LDAP_URL") + " -D " + services::Setting("REKEY_LDAP_BIND_DN") +
      " -y " + AdminSecretFile() + " -b '" + dn_ +
      "' -s base pwdAccountLockedTime | grep -c pwdAccountLockedTime; ldapwhoami " + "-x -H " +
      services::Setting("REKEY_LDAP_URL") + " -D '" + dn_ + "' -y " + box_.dir() +
      "/reload-password >/dev/null 2>&1; echo \"whoami $?\"; } > " + at_reload;
  nlohmann::json reload = {"sh", "-c", script};
  WriteInventory("{ name: api, reload: { exec: " + reload.dump() +
                 " }, confirm: { exec: [sh, -c, 'grep -qF \"$(cat)\" " + box_.env_file() +
                 "'] } }");
  ASSERT_TRUE(box_.InitAndAdopt(kOld));
  int install = StepId("contain", "install");
  int enable = StepId("contain", "enable");
  ASSERT_GT(enable, install);

  // 1. Cut: locked, the old value rejected, the directory does not have the new value yet.
  Outcome run = box_.Run("contain", {"REKEY_FAILPOINT=fail-step:" + std::to_string(install)});
  ASSERT_EQ(run.exit_code, 1) << Describe(run);
  EXPECT_EQ(box_.Status().value("blocked_step", 0), install);
  EXPECT_EQ(LockedTime(), "000001010000Z");
  EXPECT_FALSE(Accepts(kOld));
  // (The holders are written beside the install, from the containment point on: the account is
  // locked, so the value they get opens nothing yet.)

  // 2. Installed and held: every holder has the new value, and the account is still locked.
  Outcome held =
      box_.Rekey({"resume", "--all"}, {"REKEY_FAILPOINT=fail-step:" + std::to_string(enable)});
  ASSERT_EQ(held.exit_code, 1) << Describe(held);
  EXPECT_EQ(box_.Status().value("blocked_step", 0), enable);
  std::string fresh = box_.DotenvValue().value_or("");
  ASSERT_NE(fresh, kOld);
  EXPECT_EQ(LockedTime(), "000001010000Z");
  EXPECT_FALSE(Accepts(fresh));  // the right password, locked: 49
  EXPECT_FALSE(Accepts(kOld));

  // 3. Unlocked, then the consumer reloads: at that moment the account is unlocked and the new
  // value works.
  Outcome done = box_.Rekey({"resume", "--all"});
  ASSERT_EQ(done.exit_code, 0) << Describe(done);
  EXPECT_EQ(ReadFileOr(at_reload), "0\nwhoami 0\n");
  EXPECT_EQ(LockedTime(), "");
  EXPECT_TRUE(Accepts(fresh));
  EXPECT_FALSE(Accepts(kOld));
  nlohmann::json status = box_.Status();
  EXPECT_EQ(status.value("state", ""), "succeeded") << status.dump();
  EXPECT_TRUE(status.contains("contained_ms")) << status.dump();
  EXPECT_TRUE(AuditVerifies(box_));
}

TEST_F(LdapE2eTest, ContainWithoutLockReplacesThePasswordAtTheCut) {
  std::string text;
  WriteInventory();
  text = ReadFileOr(box_.inventory());
  text.replace(text.find(", lock: ppolicy"), 15, "");
  WriteFile(box_.inventory(), text);
  ASSERT_TRUE(box_.InitAndAdopt(kOld));
  Outcome run = box_.Run("contain");
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_TRUE(Accepts(box_.DotenvValue().value_or("")));
  EXPECT_FALSE(Accepts(kOld));
  nlohmann::json status = box_.Status();
  for (const nlohmann::json& step : status["steps"]) {
    EXPECT_NE(step.value("action", ""), "disable") << status.dump();
  }
}

// One password accepted by LDAP and PostgreSQL at once, held in a file: the run changes and
// verifies both, and succeeds only when both do.
TEST_F(LdapE2eTest, OneValueAcceptedByLdapAndPostgresIsResetInBothAndNeedsBoth) {
  std::string role = "rk_ldap_" + std::to_string(::getpid());
  std::string pg_secret = box_.dir() + "/pg-admin";
  WriteFile(pg_secret, ReadFileOr(services::Setting("REKEY_PG_ADMIN_PASSWORD_FILE")));
  auto psql = [&](const std::string& user, const std::string& password, const std::string& sql) {
    return RunProgram({"psql",
                       "host=127.0.0.1 port=" + services::Setting("REKEY_PG_PORT") +
                           " dbname=postgres user=" + user + " connect_timeout=5",
                       "-v", "ON_ERROR_STOP=1", "-tAc", sql},
                      {"PGPASSWORD=" + password});
  };
  std::string admin = services::Setting("REKEY_PG_ADMIN_USER");
  std::string admin_pw = ReadFileOr(services::Setting("REKEY_PG_ADMIN_PASSWORD_FILE"));
  ASSERT_EQ(
      psql(admin, admin_pw, "CREATE ROLE " + role + " LOGIN PASSWORD '" + kOld + "'").exit_code, 0);
  std::string db_system = "  db: { type: postgres, dsn: \"" + services::Setting("REKEY_PG_DSN") +
                          "\", admin_secret: { file: " + pg_secret + " } }\n";
  WriteInventory("", "", db_system, ", { system: db, role: " + role + " }");
  ASSERT_TRUE(box_.InitAndAdopt(kOld));

  // PostgreSQL refuses rekey's admin: the run blocks, whatever LDAP did.
  WriteFile(pg_secret, "not-the-admin-password");
  Outcome blocked = box_.Run("contain");
  EXPECT_EQ(blocked.exit_code, 1) << Describe(blocked);
  nlohmann::json status = box_.Status();
  EXPECT_EQ(status.value("state", ""), "blocked") << status.dump();
  EXPECT_NE(status.value("blocked_reason", "").find("postgres system \"db\""), std::string::npos)
      << status.dump();

  WriteFile(pg_secret, admin_pw);
  Outcome resumed = box_.Rekey({"resume", "--all"});
  ASSERT_EQ(resumed.exit_code, 0) << Describe(resumed);
  std::string fresh = box_.DotenvValue().value_or("");
  ASSERT_NE(fresh, kOld);
  EXPECT_TRUE(Accepts(fresh));
  EXPECT_FALSE(Accepts(kOld));
  EXPECT_EQ(psql(role, fresh, "SELECT 1").exit_code, 0);
  EXPECT_NE(psql(role, kOld, "SELECT 1").exit_code, 0);
  EXPECT_EQ(LockedTime(), "");

  // Both issuers verified the new value accepted and the old rejected.
  status = box_.Status();
  std::map<std::string, int> verified;
  for (const nlohmann::json& step : status["steps"]) {
    if (step.value("action", "").rfind("verify_", 0) == 0) {
      ++verified[step.value("binding", "") + " " + step.value("action", "")];
    }
  }
  EXPECT_EQ(verified, (std::map<std::string, int>{{"db verify_new_accepted", 1},
                                                  {"db verify_old_rejected", 2},
                                                  {"dir verify_new_accepted", 1},
                                                  {"dir verify_old_rejected", 2}}))
      << status.dump();
  psql(admin, admin_pw, "DROP ROLE IF EXISTS " + role);
}

// Secrets are radioactive: after a rotate and a contain, no form of any of the three values is in
// rekey's state directory or output, and the values rekey generated are not in slapd's log.
TEST_F(LdapE2eTest, NoValueLeaksIntoTheStateTheOutputOrTheServersLog) {
  WriteInventory();
  ASSERT_TRUE(box_.InitAndAdopt(kOld));
  RotateContainLeaks r = RotateContainAndSearch(box_, kOld);
  ASSERT_TRUE(r.ran);
  std::string log = ReadFileOr(services::Setting("REKEY_LDAP_LOG"));
  ASSERT_NE(log.find("PASSMOD id=\"" + dn_ + "\""), std::string::npos) << "not logged?";
  FindLeaks(log, services::Setting("REKEY_LDAP_LOG"), r.values, &r.leaks);
  EXPECT_EQ(Describe(r.leaks), "");
}

// A directory that stops answering (SIGSTOP: it accepts connections and answers nothing) while a
// run is under way: the run has generated and journaled its new value when its first request to
// slapd times out, is retried until the run blocks; once slapd runs again (SIGCONT), `rekey
// resume` finishes the run. (Every LDAP step of a rotate now comes before the holders, so the
// stop is made before the run's first request rather than from a consumer.) On a private slapd.
class StoppedLdapTest : public LdapE2eTest {
 protected:
  static std::string Dir() { return "/tmp/rekey-it-ldap-stopped-" + std::to_string(::getpid()); }
  static void SetUpTestSuite() {
    Outcome start = RunProgram(
        {FixturePath("../../../scripts/test-services"), "--dir", Dir(), "start", "ldap"});
    ASSERT_EQ(start.exit_code, 0) << Describe(start);
    services::UsePrivate(Dir());
  }
  static void TearDownTestSuite() {
    services::UseShared();
    RunProgram({FixturePath("../../../scripts/test-services"), "--dir", Dir(), "stop"});
  }
};

TEST_F(StoppedLdapTest, RetriesThenBlocksAndResumeFinishesOnceTheDirectoryAnswersAgain) {
  WriteInventory("", ", retry: { attempts: 3, initial: 50ms, max: 200ms }, timeout: 1s");
  ASSERT_TRUE(box_.InitAndAdopt(kOld));

  RunProgram({"kill", "-STOP", services::Setting("REKEY_LDAP_PID")});
  Outcome run = box_.Run("rotate");
  RunProgram(
      {"kill", "-CONT", services::Setting("REKEY_LDAP_PID")});  // whatever happened, it runs again
  EXPECT_EQ(run.exit_code, 1) << Describe(run);
  const nlohmann::json failed = box_.BlockedStep();
  ASSERT_TRUE(failed.is_object()) << box_.Status().dump();
  EXPECT_EQ(failed.value("attempts", 0), 3) << failed.dump();
  EXPECT_EQ(failed.value("action", ""), "install") << failed.dump();
  EXPECT_EQ(failed.value("error", "").rfind("timeout: ", 0), 0u) << failed.dump();
  nlohmann::json status = box_.Status();
  EXPECT_EQ(status["steps"][0].value("state", ""), "done") << status.dump();  // generate
  EXPECT_NE(failed.value("error", "").find("ldap system \"dir\""), std::string::npos)
      << failed.dump();

  Outcome resume = box_.Rekey({"resume", "--all"});
  ASSERT_EQ(resume.exit_code, 0) << Describe(resume);
  std::optional<std::string> fresh = box_.DotenvValue();
  ASSERT_TRUE(fresh.has_value());
  EXPECT_TRUE(Accepts(*fresh));
  EXPECT_FALSE(Accepts(kOld));
  EXPECT_EQ(box_.Status().value("state", ""), "succeeded");
}

}  // namespace
}  // namespace rekey::it
