// Against the real Redis that scripts/test-services starts (testing/services.h). Every test works
// on an ACL user of its own, and checks what it relies on with redis-cli, a client that shares
// no code with the issuer.
#include "connectors/redis/redis_issuer.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/subprocess.h"
#include "connectors/redis/redis_connection.h"
#include "inventory/loader.h"
#include "run/step_action.h"
#include "testing/connector_fixture.h"
#include "testing/services.h"
#include "testing/temp_dir.h"

namespace rekey::redis {
namespace {

namespace services = testing_services;

Deadline Soon() { return std::chrono::steady_clock::now() + std::chrono::seconds(5); }

std::string Hex256(std::string_view v) {
  unsigned char d[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(d, reinterpret_cast<const unsigned char*>(v.data()), v.size());
  std::string hex(2 * sizeof d + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), d, sizeof d);
  hex.pop_back();
  return hex;
}

// redis-cli as USER with PASSWORD (given in its environment, not argv), running ARGS.
std::string Cli(const std::string& user, const std::string& password,
                std::vector<std::string> args) {
  ProcessSpec spec;
  spec.argv = {"redis-cli",
               "-h",
               services::Get("REKEY_REDIS_HOST"),
               "-p",
               services::Get("REKEY_REDIS_PORT"),
               "--user",
               user,
               "--no-auth-warning"};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = {"REDISCLI_AUTH=" + password};
  auto r = RunProcess(spec);
  EXPECT_TRUE(r.ok());
  std::string out = r.ok() ? r->stdout_data + r->stderr_data : "";
  while (!out.empty() && out.back() == '\n') {
    out.pop_back();
  }
  return out;
}

// Whether Redis lets USER in with PASSWORD, as an independent client sees it.
bool CliAccepts(const std::string& user, const std::string& password) {
  std::string out = Cli(user, password, {"PING"});
  EXPECT_TRUE(out == "PONG" || out.find("WRONGPASS") != std::string::npos) << out;
  return out == "PONG";
}

std::string Admin(std::vector<std::string> args) {
  return Cli(services::Get("REKEY_REDIS_ADMIN_USER"),
             services::ReadFileNamedBy("REKEY_REDIS_ADMIN_PASSWORD_FILE"), std::move(args));
}

// USER's line of the ACL file as Redis last saved it ("user NAME on #hash ..."), or "".
std::string SavedAcl(const std::string& user) {
  std::ifstream in(services::Get("REKEY_REDIS_ACLFILE"));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("user " + user + " ", 0) == 0) {
      return line;
    }
  }
  return "";
}

class RedisIssuerTest : public ::testing::Test {
 protected:
  RedisIssuerTest() {
    static std::atomic<int> n{0};
    user_ = "rekey-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++);
    EXPECT_EQ(
        Admin({"ACL", "SETUSER", user_, "on", "#" + Hex256(old_.Expose()), "~*", "&*", "+@all"}),
        "OK");
  }
  ~RedisIssuerTest() override { Admin({"ACL", "DELUSER", user_}); }

  // An issuer for this test's user on a system with OPTIONS added to the admin login.
  std::unique_ptr<Issuer> Make(const std::string& system_options = "",
                               const std::string& admin_secret_file = "",
                               const std::string& admin_user = "") {
    std::string text = "version: 1\nsystems:\n  cache: { type: redis, address: \"" +
                       services::Get("REKEY_REDIS_ADDRESS") + "\", admin_user: " +
                       (admin_user.empty() ? services::Get("REKEY_REDIS_ADMIN_USER") : admin_user) +
                       ", admin_secret: { file: " +
                       (admin_secret_file.empty() ? services::Get("REKEY_REDIS_ADMIN_PASSWORD_FILE")
                                                  : admin_secret_file) +
                       " }, max_parallel: 2" + system_options +
                       " }\nidentities:\n  svc:\n    kind: password\n" +
                       "    issuers: [{ system: cache, user: " + user_ + " }]\n";
    return issuers_.Make<Issuer>(text, "cache", MakeRedisIssuer);
  }

  std::string user_;
  SecretBytes old_{"old-redis-value-Zq81"};
  SecretBytes new_{"new-redis-value-Pw27"};
  ConnectorFixture issuers_;
};

TEST_F(RedisIssuerTest, InstallAddsBesideTheOldValueAndRemoveTakesTheOldAway) {
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  ASSERT_TRUE(issuer->Install(new_, &old_, Soon()).ok());
  EXPECT_TRUE(CliAccepts(user_, std::string(old_.Expose())));  // overlap: both work
  EXPECT_TRUE(CliAccepts(user_, std::string(new_.Expose())));
  EXPECT_EQ(issuer->Accepts(old_, Soon()).value_or(false), true);

  ASSERT_TRUE(issuer->Remove(old_, &new_, Soon()).ok());
  EXPECT_FALSE(CliAccepts(user_, std::string(old_.Expose())));
  EXPECT_TRUE(CliAccepts(user_, std::string(new_.Expose())));
  EXPECT_EQ(issuer->Accepts(old_, Soon()).value_or(true), false);
  EXPECT_EQ(issuer->Accepts(new_, Soon()).value_or(false), true);
}

TEST_F(RedisIssuerTest, TheServerIsGivenHashesNotTheValue) {
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  ASSERT_TRUE(issuer->Install(new_, &old_, Soon()).ok());
  std::string acl = Admin({"ACL", "GETUSER", user_});
  EXPECT_NE(acl.find(Hex256(new_.Expose())), std::string::npos) << acl;
  EXPECT_EQ(acl.find(std::string(new_.Expose())), std::string::npos) << acl;
}

TEST_F(RedisIssuerTest, InstallAndRemoveAreIdempotent) {
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(issuer->Install(new_, &old_, Soon()).ok());
  }
  for (int i = 0; i < 2; ++i) {
    Status s = issuer->Remove(old_, &new_, Soon());
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  EXPECT_TRUE(CliAccepts(user_, std::string(new_.Expose())));
  EXPECT_FALSE(CliAccepts(user_, std::string(old_.Expose())));
}

TEST_F(RedisIssuerTest, EndSessionsClosesConnectionsOpenedWithTheOldValue) {
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  auto session = RedisConnection::Open(services::Get("REKEY_REDIS_HOST"),
                                       std::stoi(services::Get("REKEY_REDIS_PORT")), Soon());
  ASSERT_TRUE(session.ok());
  auto auth = (*session)->Command({"AUTH", user_, old_.Expose()}, Soon());
  ASSERT_TRUE(auth.ok() && !auth->IsError());
  ASSERT_TRUE(issuer->Remove(old_, nullptr, Soon()).ok());
  // Changing the password does not end the session: that is why end_sessions exists.
  auto still = (*session)->Command({"PING"}, Soon());
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->text, "PONG");

  ASSERT_TRUE(issuer->EndSessions(old_, Soon()).ok());
  EXPECT_FALSE((*session)->Command({"PING"}, Soon()).ok());
  // The admin's own pooled connection is another user's: it still works.
  EXPECT_TRUE(issuer->Disable(Soon()).ok());
}

TEST_F(RedisIssuerTest, ADisabledUserIsRejectedWhateverItPresentsUntilEnabled) {
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  ASSERT_TRUE(issuer->Disable(Soon()).ok());
  EXPECT_FALSE(CliAccepts(user_, std::string(old_.Expose())));
  EXPECT_EQ(issuer->Accepts(old_, Soon()).value_or(true), false);
  ASSERT_TRUE(issuer->Enable(Soon()).ok());
  EXPECT_TRUE(CliAccepts(user_, std::string(old_.Expose())));
}

TEST_F(RedisIssuerTest, AServerThatCannotBeReachedIsRetryableNotARejection) {
  // A port nothing listens on: bind one, note it, close it.
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  std::string text =
      "version: 1\nsystems:\n  gone: { type: redis, address: \"127.0.0.1:1\", "
      "admin_secret: { file: " +
      services::Get("REKEY_REDIS_ADMIN_PASSWORD_FILE") +
      " } }\nidentities:\n  svc:\n    kind: password\n"
      "    issuers: [{ system: gone, user: nobody }]\n";
  auto gone = issuers_.Make<Issuer>(text, "gone", MakeRedisIssuer);
  ASSERT_NE(gone, nullptr);
  Result<bool> accepted = gone->Accepts(old_, Soon());
  EXPECT_EQ(accepted.status().code(), StatusCode::kUnavailable) << accepted.status().ToString();
  Status install = gone->Install(new_, nullptr, Soon());
  EXPECT_EQ(install.code(), StatusCode::kUnavailable) << install.ToString();
  EXPECT_NE(install.message().find("redis system \"gone\""), std::string::npos)
      << install.ToString();
}

TEST_F(RedisIssuerTest, AWrongAdminSecretIsPermanentAndNamesTheSystem) {
  TempDir dir("redis");
  std::string wrong = dir.File("wrong");
  std::ofstream(wrong) << "not-the-admin-password";
  ::chmod(wrong.c_str(), 0600);
  auto issuer = Make("", wrong);
  ASSERT_NE(issuer, nullptr);
  Status s = issuer->Install(new_, &old_, Soon());
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << s.ToString();
  EXPECT_EQ(s.message().rfind("redis system \"cache\": admin login as \"", 0), 0u) << s.ToString();
  EXPECT_EQ(s.message().find("not-the-admin-password"), std::string::npos);
}

// With an admin of its own, so that other tests' admin connections do not count.
TEST_F(RedisIssuerTest, AdminConnectionsArePooledAndBounded) {
  TempDir dir("redis");
  std::string admin = user_ + "-admin", secret = "pool-admin-secret-8u2";
  ASSERT_EQ(Admin({"ACL", "SETUSER", admin, "on", ">" + secret, "~*", "&*", "+@all"}), "OK");
  std::ofstream(dir.File("admin")) << secret;
  ::chmod(dir.File("admin").c_str(), 0600);
  auto issuer = Make("", dir.File("admin"), admin);  // max_parallel 2
  ASSERT_NE(issuer, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        EXPECT_TRUE(issuer->Install(new_, &old_, Soon()).ok());
        EXPECT_TRUE(issuer->Disable(Soon()).ok());
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  // (Redis 7.0 has no CLIENT LIST USER filter.)
  std::string clients = Admin({"CLIENT", "LIST"});
  std::string mine = " user=" + admin + " ";
  size_t admin_connections = 0;
  for (size_t at = clients.find(mine); at != std::string::npos; at = clients.find(mine, at + 1)) {
    ++admin_connections;
  }
  EXPECT_GE(admin_connections, 1u) << clients;
  EXPECT_LE(admin_connections, 2u) << clients;
  Admin({"ACL", "DELUSER", admin});
}

TEST_F(RedisIssuerTest, AclSaveWritesTheChangeToTheAclFile) {
  auto issuer = Make(", acl_save: true");
  ASSERT_NE(issuer, nullptr);
  ASSERT_TRUE(issuer->Install(new_, &old_, Soon()).ok());
  EXPECT_NE(SavedAcl(user_).find("#" + Hex256(new_.Expose())), std::string::npos)
      << SavedAcl(user_);
}

// Changes made at once share ACL SAVEs; each must still be in the file when its step returns.
TEST_F(RedisIssuerTest, ConcurrentChangesAreEachInTheAclFileWhenTheyReturn) {
  auto issuer = Make(", acl_save: true");
  ASSERT_NE(issuer, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        SecretBytes value("concurrent-value-" + std::to_string(t) + "-" + std::to_string(i));
        Status installed = issuer->Install(value, &old_, Soon());
        EXPECT_TRUE(installed.ok()) << installed.ToString();
        EXPECT_NE(SavedAcl(user_).find("#" + Hex256(value.Expose())), std::string::npos)
            << "thread " << t << " change " << i << " returned before a save covered it";
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
}

// A change Redis took but did not save (the attempt that made it died before its ACL SAVE) is
// saved by the step that finds it made: Persist, and a Remove with nothing left to remove.
TEST_F(RedisIssuerTest, PersistSavesAChangeTheServerHoldsOnlyInMemory) {
  auto issuer = Make(", acl_save: true");
  ASSERT_NE(issuer, nullptr);
  ASSERT_EQ(Admin({"ACL", "SETUSER", user_, "#" + Hex256(new_.Expose())}), "OK");  // not saved
  ASSERT_EQ(SavedAcl(user_).find(Hex256(new_.Expose())), std::string::npos);
  ASSERT_TRUE(issuer->Persist(Soon()).ok());
  EXPECT_NE(SavedAcl(user_).find("#" + Hex256(new_.Expose())), std::string::npos)
      << SavedAcl(user_);
}

TEST_F(RedisIssuerTest, RemoveOfAValueAlreadyGoneStillSavesTheAclFile) {
  auto issuer = Make(", acl_save: true");
  ASSERT_NE(issuer, nullptr);
  ASSERT_TRUE(issuer->Install(new_, &old_, Soon()).ok());  // saves both values
  ASSERT_NE(SavedAcl(user_).find("#" + Hex256(old_.Expose())), std::string::npos);
  ASSERT_EQ(Admin({"ACL", "SETUSER", user_, "!" + Hex256(old_.Expose())}), "OK");  // not saved
  ASSERT_TRUE(issuer->Remove(old_, &new_, Soon()).ok());
  EXPECT_EQ(SavedAcl(user_).find(Hex256(old_.Expose())), std::string::npos) << SavedAcl(user_);
}

// The executor's side of it: an install checked first (in flight at a crash) that finds the new
// value accepted does not repeat the install, and persists it.
TEST_F(RedisIssuerTest, AnInstallFoundMadeOnResumeIsSavedToTheAclFile) {
  Diagnostics d("inv.yaml");
  auto inventory = ParseInventory(
      "version: 1\nsystems:\n  cache: { type: redis, address: \"" +
          services::Get("REKEY_REDIS_ADDRESS") +
          "\", admin_user: " + services::Get("REKEY_REDIS_ADMIN_USER") +
          ", admin_secret: { file: " + services::Get("REKEY_REDIS_ADMIN_PASSWORD_FILE") +
          " }, acl_save: true }\nidentities:\n  svc:\n    kind: password\n" +
          "    issuers: [{ name: cache, system: cache, user: " + user_ + " }]\n",
      "inv.yaml", &d);
  ASSERT_TRUE(inventory.ok()) << d.Format();
  ConnectorSet connectors(DefaultEnv(), nullptr, *inventory, inventory->identities[0]);
  RunValues values{SecretBytes(old_.Expose()), SecretBytes(new_.Expose())};
  StepEnv env;
  env.connectors = &connectors;
  env.values = &values;
  Step install;
  install.action = StepAction::kInstall;
  install.role = Role::kIssuer;
  install.binding = "cache";
  install.system = "cache";
  ASSERT_EQ(Admin({"ACL", "SETUSER", user_, "#" + Hex256(new_.Expose())}), "OK");  // not saved
  ASSERT_EQ(SavedAcl(user_).find(Hex256(new_.Expose())), std::string::npos);

  Result<std::string> done = PerformStep(install, env, /*check_first=*/true, Soon());

  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(*done, "new value found already installed at cache");
  EXPECT_NE(SavedAcl(user_).find("#" + Hex256(new_.Expose())), std::string::npos)
      << SavedAcl(user_);
}

}  // namespace
}  // namespace rekey::redis
