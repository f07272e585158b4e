// Against the real nginx that scripts/test-services starts (testing/services.h). Every test owns
// an htpasswd file, served under /files/NAME/, and checks what it relies on with clients that
// share no code with the issuer: curl (what nginx answers) and Apache's htpasswd -v (the line is
// one Apache reads too).
#include "connectors/htpasswd/htpasswd_issuer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "inventory/loader.h"
#include "testing/basic_auth.h"
#include "testing/connector_fixture.h"
#include "testing/services.h"

namespace rekey::htpasswd {
namespace {

namespace services = testing_services;

Deadline Soon() { return std::chrono::steady_clock::now() + std::chrono::seconds(5); }

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void Write(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream(path) << text;
  ASSERT_EQ(::chmod(path.c_str(), mode), 0);
}

class HtpasswdIssuerTest : public ::testing::Test {
 protected:
  HtpasswdIssuerTest() {
    static std::atomic<int> n{0};
    name_ = "t" + std::to_string(::getpid()) + "-" + std::to_string(n++);
    file_ = services::Get("REKEY_NGINX_HTPASSWD_DIR") + "/" + name_;
    check_ = "/files/" + name_ + "/";
    // The line made by Apache's htpasswd, not by rekey: the file starts as an operator had it.
    Write(file_,
          "# kept\nalice:" + alice_ + "\n" + services::ApacheLine("svc", old_.Expose()) +
              "\nbob:" + bob_ + "\n",
          0640);
  }
  ~HtpasswdIssuerTest() override { std::filesystem::remove(file_); }

  // An issuer for "svc" in this test's file, on a system with SYSTEM_OPTIONS added.
  std::unique_ptr<Issuer> Make(const std::string& system_options = "",
                               const std::string& check_path = "", const std::string& user = "svc",
                               const std::string& url = "") {
    std::string text = "version: 1\nsystems:\n  web: { type: htpasswd, url: \"" +
                       (url.empty() ? services::Get("REKEY_NGINX_URL") : url) + "\"" +
                       system_options + " }\nidentities:\n  svc:\n    kind: password\n" +
                       "    issuers: [{ system: web, path: " + file_ + ", user: " + user +
                       ", check_path: " + (check_path.empty() ? check_ : check_path) + " }]\n";
    return issuers_.Make<Issuer>(text, "web", MakeHtpasswdIssuer);
  }

  int NginxAnswer(const SecretBytes& value) {
    return services::BasicAuthAnswer(check_, "svc", value.Expose());
  }

  std::string name_, file_, check_;
  const std::string alice_ = "$2y$05$abcdefghijklmnopqrstuu5CkAUMrTTDbKzqvWlD5iWqdUHJm0KDS";
  const std::string bob_ = "{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=";
  SecretBytes old_{"old-web-value-Hk28"};
  SecretBytes new_{"new-web-value-Lq93"};
  ConnectorFixture issuers_;
};

TEST_F(HtpasswdIssuerTest, InstallReplacesTheUsersLineAndNothingElse) {
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  ASSERT_EQ(NginxAnswer(old_), 200);
  ASSERT_TRUE(issuer->Install(new_, &old_, Soon()).ok());
  EXPECT_EQ(NginxAnswer(old_), 401);
  EXPECT_EQ(NginxAnswer(new_), 200);
  EXPECT_TRUE(services::ApacheVerifies(file_, "svc", new_.Expose()));
  std::string text = Read(file_);
  EXPECT_TRUE(text.starts_with("# kept\nalice:" + alice_ + "\nsvc:$2y$05$")) << text;
  EXPECT_TRUE(text.ends_with("\nbob:" + bob_ + "\n")) << text;
  EXPECT_EQ(text.find(new_.Expose()), std::string::npos);
  struct stat st {};
  ASSERT_EQ(::stat(file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(issuer->Accepts(old_, Soon()).value_or(true), false);
  EXPECT_EQ(issuer->Accepts(new_, Soon()).value_or(false), true);
}

TEST_F(HtpasswdIssuerTest, InstallAndRemoveAreIdempotent) {
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  ASSERT_TRUE(issuer->Install(new_, &old_, Soon()).ok());
  std::string once = Read(file_);
  ASSERT_TRUE(issuer->Install(new_, &old_, Soon()).ok());
  EXPECT_EQ(Read(file_), once);  // the line already holds the value: not even re-salted
  // The old value is no longer the user's: removing it changes nothing.
  ASSERT_TRUE(issuer->Remove(old_, &new_, Soon()).ok());
  EXPECT_EQ(Read(file_), once);
  EXPECT_EQ(NginxAnswer(new_), 200);
}

TEST_F(HtpasswdIssuerTest, RemoveLocksTheLineOrReplacesItWithTheNextValue) {
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  ASSERT_TRUE(issuer->Remove(old_, &new_, Soon()).ok());
  EXPECT_EQ(NginxAnswer(old_), 401);
  EXPECT_EQ(NginxAnswer(new_), 200);
  ASSERT_TRUE(issuer->Remove(new_, nullptr, Soon()).ok());
  EXPECT_EQ(NginxAnswer(new_), 401);
  EXPECT_EQ(Read(file_), "# kept\nalice:" + alice_ + "\nsvc:!\nbob:" + bob_ + "\n");
  ASSERT_TRUE(issuer->Install(old_, nullptr, Soon()).ok());  // in its place again
  EXPECT_EQ(NginxAnswer(old_), 200);
  EXPECT_TRUE(Read(file_).starts_with("# kept\nalice:" + alice_ + "\nsvc:$2y$05$"));
}

TEST_F(HtpasswdIssuerTest, OnlyA401IsARejection) {
  // No such file behind the path: nginx answers 403, which says nothing about the value.
  auto missing = Make("", "/files/no-such-file/");
  ASSERT_NE(missing, nullptr);
  Result<bool> forbidden = missing->Accepts(old_, Soon());
  EXPECT_EQ(forbidden.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(forbidden.status().message().find("HTTP 403"), std::string::npos)
      << forbidden.status().ToString();
  auto unprotected = Make("", "/nothing-here");
  ASSERT_NE(unprotected, nullptr);
  EXPECT_EQ(unprotected->Accepts(old_, Soon()).status().code(), StatusCode::kNotFound);
  auto gone = Make("", "", "svc", "http://127.0.0.1:1");
  ASSERT_NE(gone, nullptr);
  Result<bool> down = gone->Accepts(old_, Soon());
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable) << down.status().ToString();
  for (const Result<bool>* r : {&forbidden, &down}) {
    EXPECT_EQ(r->status().ToString().find(old_.Expose()), std::string::npos);
  }
}

TEST_F(HtpasswdIssuerTest, ReloadRunsAfterEachChangeAndItsFailureIsReported) {
  std::string prefix = services::Get("REKEY_NGINX_PREFIX");
  auto issuer = Make(", reload: [nginx, -p, \"" + prefix + "/\", -c, \"" +
                     services::Get("REKEY_NGINX_CONF") + "\", -s, reload]");
  ASSERT_NE(issuer, nullptr);
  Status s = issuer->Install(new_, &old_, Soon());
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(NginxAnswer(new_), 200);
  auto failing = Make(", reload: [\"false\"]");
  ASSERT_NE(failing, nullptr);
  Status failed = failing->Install(old_, &new_, Soon());
  EXPECT_FALSE(failed.ok());
  EXPECT_NE(failed.ToString().find("reload"), std::string::npos) << failed.ToString();
  EXPECT_EQ(NginxAnswer(old_), 200);  // the file changed; the reload failing is what is reported
}

TEST_F(HtpasswdIssuerTest, AMissingFileIsNotCreated) {
  std::filesystem::remove(file_);
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  EXPECT_EQ(issuer->Install(new_, &old_, Soon()).code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(file_));
}

TEST_F(HtpasswdIssuerTest, ConcurrentEditsOfOneFileLoseNothing) {
  constexpr int kUsers = 6;
  std::vector<std::unique_ptr<Issuer>> issuers;
  for (int i = 0; i < kUsers; ++i) {
    issuers.push_back(Make("", "", "user" + std::to_string(i)));
    ASSERT_NE(issuers.back(), nullptr);
  }
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < kUsers; ++i) {
    threads.emplace_back([&, i] {
      if (!issuers[i]->Install(new_, nullptr, Soon()).ok()) {
        ++failures;
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  EXPECT_EQ(failures, 0);
  for (int i = 0; i < kUsers; ++i) {
    EXPECT_EQ(services::BasicAuthAnswer(check_, "user" + std::to_string(i), new_.Expose()), 200)
        << i;
  }
  EXPECT_EQ(NginxAnswer(old_), 200);  // svc's own line is untouched
}

TEST_F(HtpasswdIssuerTest, SettingsThatCannotWorkAreRefusedNamingTheBinding) {
  std::string text =
      "version: 1\nsystems:\n  web: { type: htpasswd, url: \"http://h\" }\n"
      "identities:\n  svc:\n    kind: password\n"
      "    issuers: [{ system: web, path: relative, user: svc, check_path: x }]\n";
  Diagnostics d("inv.yaml");
  auto inv = ParseInventory(text, "inv.yaml", &d);
  ASSERT_TRUE(inv.ok()) << d.Format();
  const Identity& id = inv->identities[0];
  SystemResources resources;
  ConnectorContext context{DefaultEnv(), inv->FindSystem("web"), &id, &id.issuers[0], &resources};
  auto issuer = MakeHtpasswdIssuer(context);
  EXPECT_EQ(issuer.status().ToString(),
            "invalid_argument: htpasswd issuer \"web\": path \"relative\" is not an absolute path");
}

}  // namespace
}  // namespace rekey::htpasswd
