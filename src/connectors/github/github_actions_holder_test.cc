// The github-actions holder against GithubFake (testing/fakes/), which implements the documented
// Actions secrets API and opens every sealed value with its own secret key.
#include "connectors/github/github_actions_holder.h"

#include <gtest/gtest.h>

#include <deque>

#include "inventory/loader.h"
#include "testing/connector_fixture.h"
#include "testing/fakes/github_fake.h"

namespace rekey::github {
namespace {

using testing_fakes::GithubFake;
using namespace std::chrono_literals;

Deadline Soon() { return std::chrono::steady_clock::now() + std::chrono::seconds(5); }

const std::string kRepoScope = "/repos/acme/app/actions/secrets";

class GithubActionsHolderTest : public ::testing::Test {
 protected:
  GithubActionsHolderTest() { ::setenv("REKEY_TEST_GITHUB_TOKEN", "ghp-test-token", 1); }

  // A holder of secret DB_PASSWORD of OWNER ("repo: acme/app", "org: acme", ...).
  std::unique_ptr<Holder> Make(const std::string& owner = "repo: acme/app") {
    std::string text =
        "version: 1\nsystems:\n  legacy: { type: exec }\n  gh: { type: github-actions, api_url: "
        "\"" +
        fake_.url() +
        "\", admin_secret: { env: REKEY_TEST_GITHUB_TOKEN } }\nidentities:\n  svc:\n    kind: "
        "password\n    issuers: [{ system: legacy, install: [\"true\"], accepts: [\"true\"] }]\n"
        "    holders: [{ name: ci, system: gh, " +
        owner + ", secret: DB_PASSWORD }]\n";
    return holders_.Make(text, "gh", MakeGithubActionsHolder);
  }

  GithubFake fake_{"ghp-test-token"};
  SecretBytes new_{"new-github-value-Lx58"};
  ConnectorFixture holders_;
};

TEST_F(GithubActionsHolderTest, WriteSealsTheValueToTheRepositoryKeyAndVerifiesUpdatedAt) {
  fake_.Seed(kRepoScope, "DB_PASSWORD", "old-github-value");
  auto holder = Make();
  ASSERT_NE(holder, nullptr);
  ASSERT_TRUE(holder->Write(new_, Soon()).ok());
  EXPECT_EQ(fake_.Value(kRepoScope, "DB_PASSWORD"), new_.Expose());  // the fake opened it
  EXPECT_NE(fake_.Metadata(kRepoScope, "DB_PASSWORD")["updated_at"], "2020-01-01T00:00:00Z");
  std::vector<std::string> log = fake_.api().Log();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0], "GET " + kRepoScope + "/public-key");
  EXPECT_EQ(log[1], "PUT " + kRepoScope + "/DB_PASSWORD");
  EXPECT_EQ(log[2], "GET " + kRepoScope + "/DB_PASSWORD");
  // Rewriting the same value is harmless and verifies again.
  ASSERT_TRUE(holder->Write(new_, Soon()).ok());
  EXPECT_EQ(fake_.Value(kRepoScope, "DB_PASSWORD"), new_.Expose());
  EXPECT_EQ(holder->Read(Soon()).status().ToString(),
            "invalid_argument: github-actions system \"gh\": secret DB_PASSWORD (" + kRepoScope +
                ") is write-only: GitHub never returns a secret's value");
}

TEST_F(GithubActionsHolderTest, EnvironmentAndOrganisationSecretsUseTheirOwnPaths) {
  auto env = Make("repo: acme/app, environment: production");
  ASSERT_NE(env, nullptr);
  ASSERT_TRUE(env->Write(new_, Soon()).ok());
  EXPECT_EQ(fake_.Value("/repos/acme/app/environments/production/secrets", "DB_PASSWORD"),
            new_.Expose());
  holders_.NewResources();
  fake_.Seed("/orgs/acme/actions/secrets", "DB_PASSWORD", "old", "selected");
  auto org = Make("org: acme");
  ASSERT_NE(org, nullptr);
  ASSERT_TRUE(org->Write(new_, Soon()).ok());
  EXPECT_EQ(fake_.Value("/orgs/acme/actions/secrets", "DB_PASSWORD"), new_.Expose());
  EXPECT_EQ(fake_.Metadata("/orgs/acme/actions/secrets", "DB_PASSWORD")["visibility"],
            "selected");  // kept
}

TEST_F(GithubActionsHolderTest, ARateLimited403IsRetryableAPlain403IsPermanent) {
  auto holder = Make();
  ASSERT_NE(holder, nullptr);
  fake_.api().FailNext(403, {{"x-ratelimit-remaining", "0"},
                             {"x-ratelimit-reset", std::to_string(std::time(nullptr) + 20)}});
  Status limited = holder->Write(new_, Soon());
  EXPECT_TRUE(limited.retryable()) << limited.ToString();
  EXPECT_GE(limited.retry_after(), 18s);
  EXPECT_EQ(limited.ToString(),
            "unavailable: github-actions system \"gh\": read the public key of " + kRepoScope +
                ": HTTP 403 (rate limited)");
  fake_.api().FailNext(429, {{"retry-after", "5"}});
  EXPECT_EQ(holder->Write(new_, Soon()).retry_after(), 5000ms);
  fake_.api().FailNext(403);
  Status refused = holder->Write(new_, Soon());
  EXPECT_EQ(refused.code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(refused.retryable());
  EXPECT_EQ(fake_.Value(kRepoScope, "DB_PASSWORD"), "");
}

TEST_F(GithubActionsHolderTest, AKeyRotatedBetweenFetchAndPutIsRefusedNotStored) {
  auto holder = Make();
  ASSERT_NE(holder, nullptr);
  fake_.api().Before("PUT", [&] { fake_.RotateKey(); });
  Status s = holder->Write(new_, Soon());
  EXPECT_EQ(s.ToString(),
            "invalid_argument: github-actions system \"gh\": write secret "
            "DB_PASSWORD (" +
                kRepoScope + "): HTTP 422");
  EXPECT_EQ(fake_.Value(kRepoScope, "DB_PASSWORD"), "");
  EXPECT_TRUE(holder->Write(new_, Soon()).ok());  // the next attempt fetches the new key
}

}  // namespace
}  // namespace rekey::github
