// The real binary against the real nginx that scripts/test-services starts: an HTTP basic auth
// user in an htpasswd file rotated and contained end to end, checked with curl (what nginx
// answers) and Apache's htpasswd -v (passwords on stdin, never argv), which share no code with
// rekey: the old value refused with 401, the new one (as the holder received it) served, every
// other line of the file untouched; and an answer that is not a 401 never taken for "rejected".
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>

#include "harness.h"
#include "rotate_contain_leaks.h"
#include "testing/basic_auth.h"
#include "testing/services.h"

namespace rekey::it {
namespace {

namespace services = testing_services;

const std::string kOld = "old-Web-value-8c2f41";

class HtpasswdE2eTest : public ::testing::Test {
 protected:
  HtpasswdE2eTest() {
    static std::atomic<int> n{0};
    name_ = "e2e" + std::to_string(::getpid()) + "-" + std::to_string(n++);
    file_ = services::Get("REKEY_NGINX_HTPASSWD_DIR") + "/" + name_;
    head_ = "# the team's users\nalice:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n";
    tail_ = "bob:$apr1$x1x1x1x1$R6xq1UkJDMrUtEuE2XjC7.:the ops bot\n";
    WriteFile(file_, head_ + services::ApacheLine("svc", kOld) + "\n" + tail_, 0640);
  }
  ~HtpasswdE2eTest() override {
    std::filesystem::remove(file_);
    std::filesystem::remove(file_ + "-elsewhere");
  }

  // The inventory: the htpasswd issuer, checked at /files/CHECK_FILE/, and a dotenv holder.
  void WriteInventory(const std::string& check_file = "", const std::string& system_extra = "") {
    std::string text = "version: 1\nsystems:\n  web: { type: htpasswd, url: \"" +
                       services::Get("REKEY_NGINX_URL") + "\", cost: 4" + system_extra +
                       " }\n  files: { type: file }\n"
                       "identities:\n  svc:\n    kind: password\n"
                       "    generate: { length: 32, alphabet: alnum }\n"
                       "    issuers: [{ system: web, path: " +
                       file_ + ", user: svc, check_path: /files/" +
                       (check_file.empty() ? name_ : check_file) +
                       "/ }]\n"
                       "    holders: [{ name: app-env, system: files, path: " +
                       box_.env_file() + ", format: dotenv, key: PASSWORD }]\n";
    WriteFile(box_.inventory(), text);
  }

  int Answer(const std::string& password) const {
    return services::BasicAuthAnswer("/files/" + name_ + "/", "svc", password);
  }
  bool ApacheVerifies(const std::string& password) const {
    return services::ApacheVerifies(file_, "svc", password);
  }

  // The end state of every successful run: only the holder's value is served, and the file is
  // as it was but for svc's line.
  void ExpectOnlyTheNewValue() const {
    std::optional<std::string> fresh = box_.DotenvValue();
    ASSERT_TRUE(fresh.has_value());
    EXPECT_EQ(Answer(kOld), 401);
    EXPECT_EQ(Answer(*fresh), 200);
    EXPECT_TRUE(ApacheVerifies(*fresh));
    EXPECT_FALSE(ApacheVerifies(kOld));
    std::string text = ReadFileOr(file_);
    EXPECT_TRUE(text.starts_with(head_ + "svc:$2y$04$")) << text;
    EXPECT_TRUE(text.ends_with("\n" + tail_)) << text;
    EXPECT_EQ(Lines(text).size(), 4u) << text;
    EXPECT_TRUE(AuditVerifies(box_));
  }

  std::string name_, file_, head_, tail_;
  Sandbox box_;
};

TEST_F(HtpasswdE2eTest, RotateEndsWithOnlyTheNewValueAccepted) {
  WriteInventory();
  ASSERT_TRUE(box_.InitAndAdopt(kOld));
  ASSERT_EQ(Answer(kOld), 200);

  Outcome run = box_.Run("rotate");
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  ExpectOnlyTheNewValue();
  EXPECT_EQ(box_.Status().value("state", ""), "succeeded");
}

TEST_F(HtpasswdE2eTest, ContainEndsWithOnlyTheNewValueAcceptedAndRunsTheReload) {
  // nginx reads the file on each request; the reload is what a server that caches it needs.
  WriteInventory("", ", reload: [nginx, -p, \"" + services::Get("REKEY_NGINX_PREFIX") +
                         "/\", -c, \"" + services::Get("REKEY_NGINX_CONF") + "\", -s, reload]");
  ASSERT_TRUE(box_.InitAndAdopt(kOld));

  Outcome run = box_.Run("contain");
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  ExpectOnlyTheNewValue();
  nlohmann::json status = box_.Status();
  EXPECT_EQ(status.value("state", ""), "succeeded") << status.dump();
  EXPECT_TRUE(status.contains("contained_ms")) << status.dump();
}

TEST_F(HtpasswdE2eTest, AnAnswerThatIsNotA401IsNeverTakenForRejectedAndResumeFinishes) {
  // The check points at a file nginx cannot find: it answers 403 whatever the value.
  WriteInventory(name_ + "-elsewhere", ", retry: { attempts: 2, initial: 20ms, max: 50ms }");
  ASSERT_TRUE(box_.InitAndAdopt(kOld));

  Outcome run = box_.Run("contain");
  EXPECT_EQ(run.exit_code, 1) << Describe(run);
  const nlohmann::json failed = box_.BlockedStep();
  ASSERT_TRUE(failed.is_object()) << box_.Status().dump();
  EXPECT_EQ(failed.value("action", "").rfind("verify", 0), 0u) << failed.dump();
  EXPECT_NE(failed.value("error", "").find("HTTP 403"), std::string::npos) << failed.dump();
  const nlohmann::json status = box_.Status();
  for (const nlohmann::json& s : status["steps"]) {
    EXPECT_FALSE(s.value("action", "") == "verify_old_rejected" && s.value("state", "") == "done")
        << s.dump();
  }

  // The operator points the location at the file; the run resumes to its end.
  std::filesystem::create_symlink(file_, file_ + "-elsewhere");
  Outcome resume = box_.Rekey({"resume", "--all"});
  ASSERT_EQ(resume.exit_code, 0) << Describe(resume);
  ExpectOnlyTheNewValue();
  EXPECT_EQ(box_.Status().value("state", ""), "succeeded");
}

TEST_F(HtpasswdE2eTest, NoValueLeaksIntoTheStateTheOutputOrTheServersLogs) {
  WriteInventory();
  ASSERT_TRUE(box_.InitAndAdopt(kOld));
  RotateContainLeaks r = RotateContainAndSearch(box_, kOld);
  ASSERT_TRUE(r.ran);
  FindLeaks(ReadFileOr(file_), file_, r.values, &r.leaks);
  std::string access = services::Get("REKEY_NGINX_PREFIX") + "/access.log";
  ASSERT_NE(ReadFileOr(access).find("/files/" + name_ + "/"), std::string::npos) << "not logged?";
  for (const std::string& log : {access, services::Get("REKEY_NGINX_LOG")}) {
    FindLeaks(ReadFileOr(log), log, r.values, &r.leaks);
  }
  EXPECT_EQ(Describe(r.leaks), "");
}

}  // namespace
}  // namespace rekey::it
