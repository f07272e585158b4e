// The real binary against the real servers scripts/test-services starts: for each database and
// cache issuer, a rotate and a contain end to end, checked with the server's own command-line
// client (psql, mariadb, redis-cli), which shares no code with rekey: the old value rejected,
// the new one accepted, and a session opened with the old value before the run gone after it.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <sstream>
#include <thread>

#include "harness.h"
#include "rotate_contain_leaks.h"
#include "testing/services.h"

namespace rekey::it {
namespace {

namespace services = testing_services;
using Clock = std::chrono::steady_clock;

const std::string kOld = "old-Server-value-61d0c3";

std::string VFile(const std::string& key) { return ReadFileOr(services::Setting(key)); }

// One kind of server: how the inventory names it, and how its own client acts as admin, as the
// identity's account, and as a session that stays open.
struct Server {
  std::string name;
  std::string (*system)(const std::string& admin_secret_file);  // the systems: entry
  std::string (*binding)(const std::string& account);           // the issuers: entry
  // argv and environment of the server's client logged in as ACCOUNT with PASSWORD, running
  // WHAT (an SQL statement or a Redis command line split on spaces).
  Outcome (*client)(const std::string& account, const std::string& password,
                    const std::string& what);
  std::string create;  // creates ACCOUNT ($A) with password ($P), as the admin
  std::string drop;    // drops ACCOUNT ($A), as the admin
  std::string hold;    // a statement that keeps a session busy for 20 s
};

std::string Subst(std::string text, const std::string& account, const std::string& password) {
  for (auto [from, to] : {std::pair{std::string("$A"), account}, {std::string("$P"), password}}) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
      text.replace(at, from.size(), to);
      at += to.size();
    }
  }
  return text;
}

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::stringstream in(text);
  for (std::string w; in >> w;) {
    words.push_back(w);
  }
  return words;
}

std::string AdminPassword(const std::string& key) { return VFile(key); }

const Server kRedis{
    "redis",
    [](const std::string& secret) {
      return "  cache: { type: redis, address: \"" + services::Setting("REKEY_REDIS_ADDRESS") +
             "\", admin_user: " + services::Setting("REKEY_REDIS_ADMIN_USER") +
             ", admin_secret: { file: " + secret + " } }\n";
    },
    [](const std::string& account) { return "{ system: cache, user: " + account + " }"; },
    [](const std::string& account, const std::string& password, const std::string& what) {
      std::vector<std::string> argv = {"redis-cli",
                                       "-h",
                                       services::Setting("REKEY_REDIS_HOST"),
                                       "-p",
                                       services::Setting("REKEY_REDIS_PORT"),
                                       "--user",
                                       account,
                                       "--no-auth-warning"};
      for (const std::string& w : Words(what)) {
        argv.push_back(w);
      }
      Outcome o = RunProgram(argv, {"REDISCLI_AUTH=" + password});
      // redis-cli exits 0 on an error reply, and after a failed AUTH it goes on unauthenticated
      // (NOAUTH): make both visible as exit codes.
      bool error_reply = false;
      for (const char* prefix : {"ERR", "WRONGPASS", "NOPERM", "NOAUTH"}) {
        error_reply = error_reply || o.out.rfind(prefix, 0) == 0;
      }
      if (o.exit_code == 0 &&
          (error_reply || o.out.empty() || o.err.find("AUTH failed") != std::string::npos)) {
        o.exit_code = 1;
      }
      return o;
    },
    "ACL SETUSER $A on >$P ~* &* +@all",
    "ACL DELUSER $A",
    "BLPOP rekey-never-pushed 20",
};

const Server kPostgres{
    "postgres",
    [](const std::string& secret) {
      return "  db: { type: postgres, dsn: \"" + services::Setting("REKEY_PG_DSN") +
             "\", admin_secret: { file: " + secret + " } }\n";
    },
    [](const std::string& account) { return "{ system: db, role: " + account + " }"; },
    [](const std::string& account, const std::string& password, const std::string& what) {
      return RunProgram({"psql",
                         "host=127.0.0.1 port=" + services::Setting("REKEY_PG_PORT") +
                             " dbname=postgres user=" + account + " connect_timeout=5",
                         "-v", "ON_ERROR_STOP=1", "-tAc", what},
                        {"PGPASSWORD=" + password});
    },
    "CREATE ROLE $A LOGIN PASSWORD '$P'",
    "DROP ROLE IF EXISTS $A",
    "SELECT pg_sleep(20)",
};

const Server kMariadb{
    "mariadb",
    [](const std::string& secret) {
      return "  db: { type: mariadb, host: 127.0.0.1, port: " +
             services::Setting("REKEY_MARIADB_PORT") +
             ", admin_user: " + services::Setting("REKEY_MARIADB_ADMIN_USER") +
             ", admin_secret: { file: " + secret + " } }\n";
    },
    [](const std::string& account) { return "{ system: db, user: " + account + " }"; },
    [](const std::string& account, const std::string& password, const std::string& what) {
      return RunProgram({"mariadb", "--no-defaults", "-h", "127.0.0.1", "-P",
                         services::Setting("REKEY_MARIADB_PORT"), "-u", account,
                         "--connect-timeout=5", "-e", what},
                        {"MYSQL_PWD=" + password});
    },
    "CREATE USER '$A'@'%' IDENTIFIED BY '$P'",
    "DROP USER IF EXISTS '$A'@'%'",
    "SELECT SLEEP(20)",
};

// The admin of SERVER: its account and password file.
std::pair<std::string, std::string> AdminOf(const Server& s) {
  if (s.name == "redis") {
    return {services::Setting("REKEY_REDIS_ADMIN_USER"), "REKEY_REDIS_ADMIN_PASSWORD_FILE"};
  }
  if (s.name == "postgres") {
    return {services::Setting("REKEY_PG_ADMIN_USER"), "REKEY_PG_ADMIN_PASSWORD_FILE"};
  }
  return {services::Setting("REKEY_MARIADB_ADMIN_USER"), "REKEY_MARIADB_ADMIN_PASSWORD_FILE"};
}

class ServerIssuerTest : public ::testing::TestWithParam<const Server*> {
 protected:
  ServerIssuerTest() : s_(*GetParam()) {
    static std::atomic<int> n{0};
    account_ = "rk_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
    EXPECT_EQ(AsAdmin(s_.create, kOld).exit_code, 0);
    WriteFile(AdminSecretFile(), AdminPassword(AdminOf(s_).second));
  }
  ~ServerIssuerTest() override { AsAdmin(s_.drop, ""); }

  Outcome AsAdmin(const std::string& what, const std::string& password) const {
    auto [user, file] = AdminOf(s_);
    return s_.client(user, AdminPassword(file), Subst(what, account_, password));
  }
  bool Accepts(const std::string& password) const {
    Outcome o = s_.client(account_, password, s_.name == "redis" ? "PING" : "SELECT 1");
    return o.exit_code == 0;
  }
  std::string AdminSecretFile() const { return box_.dir() + "/admin-secret"; }

  // The inventory: the issuer, a dotenv holder, and CONSUMER (a YAML consumers: entry) if any;
  // SYSTEM_EXTRA (", key: value...") is added to the issuer's system.
  void WriteInventory(const std::string& consumer = "",
                      const std::string& system_extra = "") const {
    std::string system = s_.system(AdminSecretFile());
    system.insert(system.rfind(" }"), system_extra);
    std::string text = "version: 1\nsystems:\n" + system +
                       "  files: { type: file }\n"
                       "identities:\n  svc:\n    kind: password\n"
                       "    generate: { length: 32, alphabet: alnum }\n"
                       "    issuers: [" +
                       s_.binding(account_) +
                       "]\n"
                       "    holders: [{ name: app-env, system: files, path: " +
                       box_.env_file() + ", format: dotenv, key: PASSWORD }]\n" +
                       (consumer.empty() ? "" : "    consumers: [" + consumer + "]\n");
    WriteFile(box_.inventory(), text);
  }

  const Server& s_;
  std::string account_;
  Sandbox box_;
};

// A session logged in with the old value and busy for 20 s, running in the background.
class OldSession {
 public:
  OldSession(const Server& s, const std::string& account)
      : thread_([this, &s, account] {
          auto start = Clock::now();
          outcome_ = s.client(account, kOld, s.hold);
          seconds_ = std::chrono::duration<double>(Clock::now() - start).count();
        }) {
    std::this_thread::sleep_for(std::chrono::milliseconds(800));  // logged in by then
  }
  // Waits for the session to end; true when it ended early (ended by the server), not after
  // its 20 s.
  bool EndedEarly() {
    thread_.join();
    return seconds_ < 15;
  }
  const Outcome& outcome() const { return outcome_; }

 private:
  Outcome outcome_;
  double seconds_ = 0;
  std::thread thread_;
};

TEST_P(ServerIssuerTest, RotateEndsWithOnlyTheNewValueAcceptedAndOldSessionsEnded) {
  WriteInventory();
  ASSERT_TRUE(box_.InitAndAdopt(kOld));
  ASSERT_TRUE(Accepts(kOld));
  OldSession session(s_, account_);

  Outcome run = box_.Run("rotate");
  ASSERT_EQ(run.exit_code, 0) << Describe(run);

  std::optional<std::string> fresh = box_.DotenvValue();
  ASSERT_TRUE(fresh.has_value());
  EXPECT_NE(*fresh, kOld);
  EXPECT_TRUE(Accepts(*fresh));
  EXPECT_FALSE(Accepts(kOld));
  EXPECT_TRUE(session.EndedEarly()) << Describe(session.outcome());
  EXPECT_TRUE(AuditVerifies(box_));
}

TEST_P(ServerIssuerTest, ContainEndsWithOnlyTheNewValueAcceptedAndOldSessionsEnded) {
  WriteInventory();
  ASSERT_TRUE(box_.InitAndAdopt(kOld));
  OldSession session(s_, account_);

  Outcome run = box_.Run("contain");
  ASSERT_EQ(run.exit_code, 0) << Describe(run);

  std::optional<std::string> fresh = box_.DotenvValue();
  ASSERT_TRUE(fresh.has_value());
  EXPECT_TRUE(Accepts(*fresh));
  EXPECT_FALSE(Accepts(kOld));
  EXPECT_TRUE(session.EndedEarly()) << Describe(session.outcome());
  nlohmann::json status = box_.Status();
  EXPECT_EQ(status.value("state", ""), "succeeded") << status.dump();
  EXPECT_TRUE(status.contains("contained_ms")) << status.dump();
}

TEST_P(ServerIssuerTest, AWrongAdminSecretBlocksAtOnceNamingTheSystem) {
  WriteInventory();
  ASSERT_TRUE(box_.InitAndAdopt(kOld));
  WriteFile(AdminSecretFile(), "not-the-admin-secret");

  Outcome run = box_.Run("rotate");
  EXPECT_EQ(run.exit_code, 1) << Describe(run);
  nlohmann::json status = box_.Status();
  EXPECT_EQ(status.value("state", ""), "blocked") << status.dump();
  std::string reason = status.value("blocked_reason", "");
  EXPECT_EQ(reason.rfind("permission_denied: ", 0), 0u) << reason;
  EXPECT_NE(reason.find(s_.name + " system \""), std::string::npos) << reason;
  EXPECT_EQ(reason.find("not-the-admin-secret"), std::string::npos) << reason;
  EXPECT_TRUE(Accepts(kOld));  // nothing was changed
}

// Secrets are radioactive, on real servers too: after a rotate and a contain, no form of any of
// the three values is in rekey's state directory or output, and the values rekey generated are
// not in the server's statement log either (the test's own setup logs the first value there).
TEST_P(ServerIssuerTest, NoValueLeaksIntoTheStateTheOutputOrTheServersLog) {
  WriteInventory();
  ASSERT_TRUE(box_.InitAndAdopt(kOld));
  RotateContainLeaks r = RotateContainAndSearch(box_, kOld);
  ASSERT_TRUE(r.ran);
  std::string log = s_.name == "postgres"  ? services::Setting("REKEY_PG_LOG")
                    : s_.name == "mariadb" ? services::Setting("REKEY_MARIADB_LOG")
                                           : "";
  if (!log.empty()) {
    std::string text = ReadFileOr(log);
    ASSERT_NE(text.find(account_), std::string::npos) << "the log does not show the account";
    FindLeaks(text, log, {r.values[1], r.values[2]}, &r.leaks);
  }
  EXPECT_EQ(Describe(r.leaks), "");
}

INSTANTIATE_TEST_SUITE_P(Servers, ServerIssuerTest,
                         ::testing::Values(&kRedis, &kPostgres, &kMariadb),
                         [](const auto& info) { return info.param->name; });

// Redis keeps two values at once: during a rotate both work until the consumers have confirmed
// the new one; only then is the old one removed.
class RedisOverlapTest : public ServerIssuerTest {};

TEST_P(RedisOverlapTest, BothValuesAreAcceptedUntilTheConsumerConfirms) {
  WriteFile(box_.dir() + "/old", kOld);
  std::string cli = "redis-cli -h " + services::Setting("REKEY_REDIS_HOST") + " -p " +
                    services::Setting("REKEY_REDIS_PORT") + " --user " + account_ +
                    " --no-auth-warning PING";
  // The consumer's confirm: the new value on stdin; records what each value gets at that time.
  std::string script = "new=$(cat); REDISCLI_AUTH=$(cat " + box_.dir() + "/old) " + cli + " > " +
                       box_.dir() + "/old-at-confirm; REDISCLI_AUTH=$new " + cli + " > " +
                       box_.dir() + "/new-at-confirm";
  nlohmann::json argv = {"sh", "-c", script};
  WriteInventory("{ name: worker, confirm: { exec: " + argv.dump() + " } }");
  ASSERT_TRUE(box_.InitAndAdopt(kOld));

  Outcome run = box_.Run("rotate");
  ASSERT_EQ(run.exit_code, 0) << Describe(run);

  EXPECT_EQ(ReadFileOr(box_.dir() + "/old-at-confirm"), "PONG\n");
  EXPECT_EQ(ReadFileOr(box_.dir() + "/new-at-confirm"), "PONG\n");
  EXPECT_FALSE(Accepts(kOld));  // removed after the confirmation
  EXPECT_TRUE(Accepts(*box_.DotenvValue()));
}

INSTANTIATE_TEST_SUITE_P(Redis, RedisOverlapTest, ::testing::Values(&kRedis),
                         [](const auto& info) { return info.param->name; });

// `run --all --parallel N`: many identities of one system contained at once, sharing its
// admin connections; every one ends with only its new value accepted.
class ParallelRunsTest : public ::testing::Test {
 protected:
  static constexpr int kUsers = 12;

  // kUsers Redis users, each held in a dotenv file of its own, adopted.
  void SetUp() override {
    std::string admin_file = box_.dir() + "/admin-secret";
    WriteFile(admin_file, AdminPassword("REKEY_REDIS_ADMIN_PASSWORD_FILE"));
    std::string text = "version: 1\nsystems:\n" + kRedis.system(admin_file) +
                       "  files: { type: file }\nidentities:\n";
    auto [admin, key] = AdminOf(kRedis);
    for (int n = 0; n < kUsers; ++n) {
      std::string user = "rk_" + std::to_string(::getpid()) + "_many_" + std::to_string(n);
      users_.push_back(user);
      WriteFile(EnvFile(n), "PASSWORD=" + Old(n) + "\n");
      ASSERT_EQ(
          kRedis.client(admin, AdminPassword(key), Subst(kRedis.create, user, Old(n))).exit_code,
          0);
      text += "  " + user + ":\n    kind: password\n    issuers: [" + kRedis.binding(user) +
              "]\n    holders: [{ name: env, system: files, path: " + EnvFile(n) +
              ", format: dotenv, key: PASSWORD }]\n";
    }
    WriteFile(box_.inventory(), text);
    ASSERT_EQ(box_.Rekey({"init"}).exit_code, 0);
    for (const std::string& user : users_) {
      Outcome adopt = box_.Rekey({"adopt", "-i", box_.inventory(), user, "--from-holder", "env"});
      ASSERT_EQ(adopt.exit_code, 0) << Describe(adopt);
    }
  }
  void TearDown() override {
    auto [admin, key] = AdminOf(kRedis);
    for (const std::string& user : users_) {
      kRedis.client(admin, AdminPassword(key), Subst(kRedis.drop, user, ""));
    }
  }

  std::string EnvFile(int n) const { return box_.dir() + "/app/" + std::to_string(n) + ".env"; }
  static std::string Old(int n) { return kOld + std::to_string(n); }
  std::vector<std::string> RunArgs() const {
    return {"run",        "-i", box_.inventory(), "--all",       "--strategy", "contain",
            "--parallel", "4",  "--reason",       "many at once"};
  }

  // Every user ends with only the value its file holds, a new one; every run succeeded.
  void ExpectEveryOneReset() {
    for (int n = 0; n < kUsers; ++n) {
      std::string env = ReadFileOr(EnvFile(n));
      std::string fresh = env.substr(env.find('=') + 1, env.find('\n') - env.find('=') - 1);
      EXPECT_NE(fresh, Old(n));
      EXPECT_EQ(kRedis.client(users_[n], fresh, "PING").exit_code, 0) << users_[n];
      EXPECT_NE(kRedis.client(users_[n], Old(n), "PING").exit_code, 0) << users_[n];
    }
    nlohmann::json runs = box_.Runs();
    ASSERT_TRUE(runs.is_array()) << runs.dump();
    EXPECT_EQ(runs.size(), static_cast<size_t>(kUsers));
    for (const nlohmann::json& r : runs) {
      EXPECT_EQ(r.value("state", ""), "succeeded") << r.dump();
    }
    EXPECT_TRUE(AuditVerifies(box_));
  }

  Sandbox box_;
  std::vector<std::string> users_;
};

TEST_F(ParallelRunsTest, ContainOfManyRedisUsersAtOnceResetsEveryOne) {
  Outcome run = box_.Rekey(RunArgs());
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_EQ(Lines(run.out).back(),
            std::to_string(kUsers) + " runs: " + std::to_string(kUsers) + " succeeded")
      << run.out;
  ExpectEveryOneReset();
}

// `rekey run --all | head -1`: the reader goes away after the first report, while other runs
// are still in flight. They finish all the same (SIGPIPE would have killed the process).
TEST_F(ParallelRunsTest, RunsWhoseOutputIsClosedStillFinish) {
  std::vector<std::string> argv = {
      "sh",       "-c",      "\"$0\" \"$@\" | head -c 1 >/dev/null; exit 0",
      RekeyBin(), "--state", box_.state_dir()};
  for (const std::string& a : RunArgs()) {
    argv.push_back(a);
  }
  Outcome piped = RunProgram(argv);
  ASSERT_EQ(piped.exit_code, 0) << Describe(piped);
  ExpectEveryOneReset();
}

// A server stopped mid-run (SIGSTOP: it accepts connections and answers nothing) by the
// consumer's confirm: the steps after it time out and are retried until the run blocks; once the
// server runs again (SIGCONT), `rekey resume` finishes the run. On a private instance of each
// server, so the shared ones are never stopped.
class StoppedServerTest : public ServerIssuerTest {
 protected:
  static std::string Dir() { return "/tmp/rekey-it-stopped-" + std::to_string(::getpid()); }
  static void SetUpTestSuite() {
    Outcome start = RunProgram({FixturePath("../../../scripts/test-services"), "--dir", Dir(),
                                "start", "postgres", "mariadb", "redis"});
    ASSERT_EQ(start.exit_code, 0) << Describe(start);
    services::UsePrivate(Dir());
  }
  static void TearDownTestSuite() {
    services::UseShared();
    RunProgram({FixturePath("../../../scripts/test-services"), "--dir", Dir(), "stop"});
  }
  // The server's PID and, as a shell word list, the processes it forked (PostgreSQL backends).
  std::string Processes() const {
    std::string pid = services::Setting(s_.name == "postgres"  ? "REKEY_PG_PID"
                                        : s_.name == "mariadb" ? "REKEY_MARIADB_PID"
                                                               : "REKEY_REDIS_PID");
    return pid + " $(pgrep -P " + pid + ")";
  }
};

TEST_P(StoppedServerTest, RetriesThenBlocksAndResumeFinishesOnceTheServerAnswersAgain) {
  std::string stop = "kill -STOP " + Processes();
  // Once: the confirm after resume must not stop the server again.
  std::string marker = box_.dir() + "/stopped-once";
  nlohmann::json confirm = {"sh", "-c",
                            "[ -e " + marker + " ] || { touch " + marker + "; " + stop + "; }"};
  WriteInventory("{ name: worker, confirm: { exec: " + confirm.dump() + " } }",
                 ", retry: { attempts: 3, initial: 50ms, max: 200ms }, timeout: 1s");
  ASSERT_TRUE(box_.InitAndAdopt(kOld));

  Outcome run = box_.Run("rotate");
  RunProgram({"sh", "-c", "kill -CONT " + Processes()});  // whatever happened, it runs again
  EXPECT_EQ(run.exit_code, 1) << Describe(run);
  const nlohmann::json failed = box_.BlockedStep();
  ASSERT_TRUE(failed.is_object()) << box_.Status().dump();
  EXPECT_EQ(failed.value("attempts", 0), 3) << failed.dump();
  EXPECT_NE(failed.value("error", "").find(s_.name + " system"), std::string::npos)
      << failed.dump();

  Outcome resume = box_.Rekey({"resume", "--all"});
  ASSERT_EQ(resume.exit_code, 0) << Describe(resume);
  std::optional<std::string> fresh = box_.DotenvValue();
  ASSERT_TRUE(fresh.has_value());
  EXPECT_TRUE(Accepts(*fresh));
  EXPECT_FALSE(Accepts(kOld));
  EXPECT_EQ(box_.Status().value("state", ""), "succeeded");
}

INSTANTIATE_TEST_SUITE_P(Servers, StoppedServerTest,
                         ::testing::Values(&kRedis, &kPostgres, &kMariadb),
                         [](const auto& info) { return info.param->name; });

}  // namespace
}  // namespace rekey::it
