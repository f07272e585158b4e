// The vault-kv2 holder against VaultKv2Fake (testing/fakes/), which implements the documented
// KV v2 API: versions, check-and-set, metadata, destroy, and its error answers.
#include "connectors/vault/vault_kv2_holder.h"

#include <gtest/gtest.h>

#include <deque>

#include "inventory/loader.h"
#include "testing/connector_fixture.h"
#include "testing/fakes/vault_kv2_fake.h"
#include "testing/temp_dir.h"

namespace rekey::vault {
namespace {

using nlohmann::json;
using testing_fakes::VaultKv2Fake;
using namespace std::chrono_literals;

Deadline Soon() { return std::chrono::steady_clock::now() + std::chrono::seconds(5); }

class VaultKv2HolderTest : public ::testing::Test {
 protected:
  VaultKv2HolderTest() { ::setenv("REKEY_TEST_VAULT_TOKEN", "hvs.test-token", 1); }

  std::unique_ptr<Holder> Make(const std::string& system_extra = "", std::string url = "") {
    std::string text =
        "version: 1\nsystems:\n  legacy: { type: exec }\n  kv: { type: vault-kv2, address: \"" +
        (url.empty() ? fake_.url() : url) +
        "/\", mount: kv, admin_secret: { env: REKEY_TEST_VAULT_TOKEN }" + system_extra +
        " }\nidentities:\n  svc:\n    kind: password\n    issuers: [{ system: legacy, install: "
        "[\"true\"], accepts: [\"true\"] }]\n    holders: [{ name: rec, "
        "system: kv, path: billing/db, field: password }]\n";
    return holders_.Make(text, "kv", MakeVaultKv2Holder);
  }

  VaultKv2Fake fake_{"kv", "hvs.test-token"};
  SecretBytes old_{"old-vault-value-Hq31"};
  SecretBytes new_{"new-vault-value-Lx58"};
  ConnectorFixture holders_;
};

TEST_F(VaultKv2HolderTest, WriteAddsAVersionWithTheFieldAndKeepsTheOtherFields) {
  fake_.Put("billing/db", {{"user", "billing"}, {"password", old_.Expose()}});
  auto holder = Make();
  ASSERT_NE(holder, nullptr);
  ASSERT_TRUE(holder->Write(new_, Soon()).ok());
  EXPECT_EQ(fake_.CurrentVersion("billing/db"), 2);
  EXPECT_EQ(fake_.Data("billing/db"), (json{{"user", "billing"}, {"password", new_.Expose()}}));
  EXPECT_EQ(fake_.Data("billing/db", 1)["password"], old_.Expose());  // versions are kept
  auto read = holder->Read(Soon());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->Expose(), new_.Expose());
  // The write named the version it read (cas), and nothing else was written.
  std::vector<std::string> log = fake_.api().Log();
  EXPECT_EQ(log[0], "GET /v1/kv/data/billing/db");
  EXPECT_EQ(log[1], "POST /v1/kv/data/billing/db");
}

TEST_F(VaultKv2HolderTest, WriteCreatesAnAbsentSecretAndRewritingTheValueIsANoOp) {
  auto holder = Make();
  ASSERT_NE(holder, nullptr);
  EXPECT_EQ(holder->Read(Soon()).status().ToString(),
            "not_found: vault-kv2 system \"kv\": secret kv/billing/db does not exist");
  ASSERT_TRUE(holder->Write(new_, Soon()).ok());
  ASSERT_TRUE(holder->Write(new_, Soon()).ok());
  EXPECT_EQ(fake_.CurrentVersion("billing/db"), 1);
  EXPECT_EQ(fake_.Data("billing/db"), (json{{"password", new_.Expose()}}));
}

TEST_F(VaultKv2HolderTest, AWriterBetweenTheReadAndTheWriteIsAConflictNotOverwritten) {
  fake_.Put("billing/db", {{"password", old_.Expose()}});
  fake_.api().Before("POST /v1/kv/data/billing/db", [&] {
    fake_.Put("billing/db", {{"password", "theirs-concurrent-7"}});
  });
  auto holder = Make();
  ASSERT_NE(holder, nullptr);
  Status s = holder->Write(new_, Soon());
  EXPECT_EQ(s.ToString(),
            "conflict: vault-kv2 system \"kv\": write kv/billing/db: the secret changed after it "
            "was read at version 1 (a concurrent writer); not overwritten");
  EXPECT_EQ(fake_.Data("billing/db")["password"], "theirs-concurrent-7");
}

TEST_F(VaultKv2HolderTest, DestroyVersionDestroysEveryVersionHoldingTheValueAndOnlyThose) {
  fake_.Put("billing/db", {{"password", old_.Expose()}});              // 1: old
  fake_.Put("billing/db", {{"password", "older-unrelated-value"}});    // 2
  fake_.Put("billing/db", {{"password", old_.Expose()}, {"x", "1"}});  // 3: old again
  fake_.Put("billing/db", {{"password", old_.Expose()}});              // 4: old, soft-deleted
  fake_.Delete("billing/db", 4);
  auto holder = Make();
  ASSERT_NE(holder, nullptr);
  ASSERT_TRUE(holder->Write(new_, Soon()).ok());  // 5: new
  ASSERT_TRUE(holder->DestroyVersion(old_, Soon()).ok());
  EXPECT_EQ(fake_.Destroyed("billing/db"), (std::vector<int>{1, 3}));
  EXPECT_EQ(fake_.Data("billing/db", 2)["password"], "older-unrelated-value");
  EXPECT_EQ(fake_.Data("billing/db")["password"], new_.Expose());
  // Idempotent: again, nothing left to destroy, nothing sent.
  size_t requests = fake_.api().Log().size();
  ASSERT_TRUE(holder->DestroyVersion(old_, Soon()).ok());
  EXPECT_EQ(fake_.Destroyed("billing/db"), (std::vector<int>{1, 3}));
  for (size_t i = requests; i < fake_.api().Log().size(); ++i) {
    EXPECT_EQ(fake_.api().Log()[i].rfind("PUT", 0), std::string::npos) << fake_.api().Log()[i];
  }
}

TEST_F(VaultKv2HolderTest, ATokenRefusedIsPermanentARateLimitIsRetryableAfterItsDelay) {
  fake_.Put("billing/db", {{"password", old_.Expose()}});
  auto holder = Make();
  ASSERT_NE(holder, nullptr);
  fake_.api().FailNext(403);
  Status refused = holder->Write(new_, Soon());
  EXPECT_EQ(refused.ToString(),
            "permission_denied: vault-kv2 system \"kv\": read kv/billing/db: HTTP 403");
  EXPECT_FALSE(refused.retryable());
  fake_.api().FailNext(429, {{"Retry-After", "3"}});
  Status limited = holder->Write(new_, Soon());
  EXPECT_TRUE(limited.retryable());
  EXPECT_EQ(limited.retry_after(), 3000ms);
  EXPECT_EQ(limited.ToString(),
            "unavailable: vault-kv2 system \"kv\": read kv/billing/db: HTTP 429 (rate limited)");
  EXPECT_EQ(fake_.Data("billing/db")["password"], old_.Expose());
}

TEST_F(VaultKv2HolderTest, TheNamespaceHeaderIsSentWhenConfigured) {
  VaultKv2Fake scoped("kv", "hvs.test-token", "team-a");
  scoped.Put("billing/db", {{"password", old_.Expose()}});
  auto holder = Make(", namespace: team-a", scoped.url());
  ASSERT_NE(holder, nullptr);
  auto read = holder->Read(Soon());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->Expose(), old_.Expose());
  holders_.NewResources();  // a system of another namespace, under the same name
  auto other = Make(", namespace: team-b", scoped.url());
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->Read(Soon()).status().code(), StatusCode::kPermissionDenied);
}

TEST_F(VaultKv2HolderTest, ErrorsNeverCarryTheValue) {
  fake_.Put("billing/db", {{"password", old_.Expose()}});
  auto holder = Make();
  ASSERT_NE(holder, nullptr);
  fake_.api().Before("POST", [&] { fake_.api().FailNext(400); });
  Status s = holder->Write(new_, Soon());
  EXPECT_EQ(s.ToString(),
            "invalid_argument: vault-kv2 system \"kv\": write kv/billing/db: HTTP 400");
  EXPECT_EQ(s.ToString().find(new_.Expose()), std::string::npos);
}

}  // namespace
}  // namespace rekey::vault
