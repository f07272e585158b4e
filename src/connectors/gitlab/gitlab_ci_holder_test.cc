// The gitlab-ci holder against GitlabFake (testing/fakes/), which implements the documented
// project- and group-level CI/CD variables API.
#include "connectors/gitlab/gitlab_ci_holder.h"

#include <gtest/gtest.h>

#include <deque>

#include "inventory/loader.h"
#include "testing/connector_fixture.h"
#include "testing/fakes/gitlab_fake.h"

namespace rekey::gitlab {
namespace {

using nlohmann::json;
using testing_fakes::GitlabFake;
using namespace std::chrono_literals;

Deadline Soon() { return std::chrono::steady_clock::now() + std::chrono::seconds(5); }

class GitlabCiHolderTest : public ::testing::Test {
 protected:
  GitlabCiHolderTest() { ::setenv("REKEY_TEST_GITLAB_TOKEN", "glpat-test-token", 1); }

  // A holder of variable DB_PASSWORD; OWNER is "project: ..." or "group: ...".
  std::unique_ptr<Holder> Make(const std::string& owner = "project: group/app",
                               const std::string& scope = "") {
    std::string text =
        "version: 1\nsystems:\n  legacy: { type: exec }\n  gl: { type: gitlab-ci, url: \"" +
        fake_.url() +
        "\", admin_secret: { env: REKEY_TEST_GITLAB_TOKEN } }\nidentities:\n  svc:\n    kind: "
        "password\n    issuers: [{ system: legacy, install: [\"true\"], accepts: [\"true\"] }]\n"
        "    holders: [{ name: ci, system: gl, " +
        owner + ", variable: DB_PASSWORD" + (scope.empty() ? "" : ", environment_scope: " + scope) +
        " }]\n";
    return holders_.Make(text, "gl", MakeGitlabCiHolder);
  }

  GitlabFake fake_{"glpat-test-token"};
  SecretBytes old_{"oldGitlabValue7Hq31"};
  SecretBytes new_{"newGitlabValue9Lx58"};
  ConnectorFixture holders_;
};

TEST_F(GitlabCiHolderTest, UpdateChangesOnlyTheValueOfTheVariableInItsScope) {
  fake_.Set("projects/group/app", "DB_PASSWORD", "production",
            {{"value", old_.Expose()}, {"masked", true}, {"protected", true}});
  fake_.Set("projects/group/app", "DB_PASSWORD", "*", {{"value", "other-scope-value"}});
  auto holder = Make("project: group/app", "production");
  ASSERT_NE(holder, nullptr);
  ASSERT_TRUE(holder->Write(new_, Soon()).ok());
  json v = fake_.Get("projects/group/app", "DB_PASSWORD", "production");
  EXPECT_EQ(v["value"], new_.Expose());
  EXPECT_EQ(v["masked"], true);  // kept as they were
  EXPECT_EQ(v["protected"], true);
  EXPECT_EQ(fake_.Get("projects/group/app", "DB_PASSWORD", "*")["value"], "other-scope-value");
  auto read = holder->Read(Soon());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->Expose(), new_.Expose());
  EXPECT_EQ(fake_.api().Log()[1],
            "PUT /api/v4/projects/group%2Fapp/variables/DB_PASSWORD"
            "?filter%5Benvironment_scope%5D=production");
}

TEST_F(GitlabCiHolderTest, AnAbsentVariableIsCreatedMaskedAndRewritingIsANoOp) {
  auto holder = Make("group: 7");
  ASSERT_NE(holder, nullptr);
  EXPECT_EQ(holder->Read(Soon()).status().ToString(),
            "not_found: gitlab-ci system \"gl\": variable DB_PASSWORD (scope *) of group 7 does "
            "not exist");
  ASSERT_TRUE(holder->Write(new_, Soon()).ok());
  json v = fake_.Get("groups/7", "DB_PASSWORD", "*");
  EXPECT_EQ(v["value"], new_.Expose());
  EXPECT_EQ(v["masked"], true);
  EXPECT_EQ(v["protected"], false);
  size_t before = fake_.api().Log().size();
  ASSERT_TRUE(holder->Write(new_, Soon()).ok());
  EXPECT_EQ(fake_.api().Log().size(), before + 1);  // one GET, no write
}

TEST_F(GitlabCiHolderTest, AHiddenVariableIsWrittenButCannotBeReadBack) {
  fake_.Set("projects/42", "DB_PASSWORD", "*",
            {{"value", old_.Expose()}, {"masked", true}, {"hidden", true}});
  auto holder = Make("project: 42");
  ASSERT_NE(holder, nullptr);
  ASSERT_TRUE(holder->Write(new_, Soon()).ok());
  EXPECT_EQ(fake_.Get("projects/42", "DB_PASSWORD", "*")["value"], new_.Expose());
  EXPECT_EQ(holder->Read(Soon()).status().ToString(),
            "invalid_argument: gitlab-ci system \"gl\": variable DB_PASSWORD (scope *) of project "
            "42 is hidden: GitLab never returns its value, so rekey cannot read it back");
}

TEST_F(GitlabCiHolderTest, RefusalsArePermanentRateLimitsRetryableAndNoneEchoesTheValue) {
  fake_.Set("projects/42", "DB_PASSWORD", "*", {{"value", old_.Expose()}, {"masked", true}});
  auto holder = Make("project: 42");
  ASSERT_NE(holder, nullptr);
  fake_.api().FailNext(403);
  Status refused = holder->Write(new_, Soon());
  EXPECT_EQ(refused.ToString(),
            "permission_denied: gitlab-ci system \"gl\": read variable DB_PASSWORD (scope *) of "
            "project 42: HTTP 403");
  fake_.api().FailNext(429, {{"Retry-After", "4"}});
  Status limited = holder->Write(new_, Soon());
  EXPECT_TRUE(limited.retryable());
  EXPECT_EQ(limited.retry_after(), 4000ms);
  // A value GitLab cannot mask: 400, whose body (which names the field) is not repeated.
  SecretBytes unmaskable("short");
  Status bad = holder->Write(unmaskable, Soon());
  EXPECT_EQ(bad.ToString(),
            "invalid_argument: gitlab-ci system \"gl\": update variable DB_PASSWORD (scope *) of "
            "project 42: HTTP 400");
  EXPECT_EQ(fake_.Get("projects/42", "DB_PASSWORD", "*")["value"], old_.Expose());
}

TEST_F(GitlabCiHolderTest, AWrongTokenIsPermissionDenied) {
  ::setenv("REKEY_TEST_GITLAB_TOKEN", "glpat-wrong", 1);
  auto holder = Make();
  ASSERT_NE(holder, nullptr);
  EXPECT_EQ(holder->Read(Soon()).status().code(), StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace rekey::gitlab
