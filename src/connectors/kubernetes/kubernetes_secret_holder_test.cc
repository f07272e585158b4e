// The kubernetes-secret holder against KubernetesFake (testing/fakes/), which implements the
// documented Secret GET and PATCH of the API server.
#include "connectors/kubernetes/kubernetes_secret_holder.h"

#include <gtest/gtest.h>

#include <deque>

#include "inventory/loader.h"
#include "testing/connector_fixture.h"
#include "testing/fakes/kubernetes_fake.h"

namespace rekey::kubernetes {
namespace {

using testing_fakes::KubernetesFake;
using namespace std::chrono_literals;

Deadline Soon() { return std::chrono::steady_clock::now() + std::chrono::seconds(5); }

class KubernetesSecretHolderTest : public ::testing::Test {
 protected:
  KubernetesSecretHolderTest() { ::setenv("REKEY_TEST_K8S_TOKEN", "k8s-test-token", 1); }

  std::unique_ptr<Holder> Make() {
    std::string text =
        "version: 1\nsystems:\n  legacy: { type: exec }\n  k8s: { type: kubernetes-secret, "
        "api_server: \"" +
        fake_.url() +
        "\", admin_secret: { env: REKEY_TEST_K8S_TOKEN } }\nidentities:\n  svc:\n    kind: "
        "password\n    issuers: [{ system: legacy, install: [\"true\"], accepts: [\"true\"] }]\n"
        "    holders: [{ name: sec, system: k8s, namespace: billing, secret: db-creds, key: "
        "password }]\n";
    return holders_.Make(text, "k8s", MakeKubernetesSecretHolder);
  }

  KubernetesFake fake_{"k8s-test-token"};
  SecretBytes old_{"old-k8s-value-Hq31"};
  SecretBytes new_{"new-k8s-value-Lx58"};
  ConnectorFixture holders_;
};

TEST_F(KubernetesSecretHolderTest, WritePatchesOneKeyAndKeepsTheOthers) {
  fake_.Set("billing", "db-creds", "password", std::string(old_.Expose()));
  fake_.Set("billing", "db-creds", "username", "billing");
  auto holder = Make();
  ASSERT_NE(holder, nullptr);
  ASSERT_TRUE(holder->Write(new_, Soon()).ok());
  EXPECT_EQ(fake_.Value("billing", "db-creds", "password"), new_.Expose());
  EXPECT_EQ(fake_.Value("billing", "db-creds", "username"), "billing");
  auto read = holder->Read(Soon());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->Expose(), new_.Expose());
  // Rewriting the same value changes nothing.
  int version = fake_.Version("billing", "db-creds");
  ASSERT_TRUE(holder->Write(new_, Soon()).ok());
  EXPECT_EQ(fake_.Version("billing", "db-creds"), version);
}

TEST_F(KubernetesSecretHolderTest, AChangeBetweenTheReadAndThePatchIsAConflict) {
  fake_.Set("billing", "db-creds", "password", std::string(old_.Expose()));
  fake_.api().Before("PATCH", [&] { fake_.Set("billing", "db-creds", "password", "theirs-77"); });
  auto holder = Make();
  ASSERT_NE(holder, nullptr);
  Status s = holder->Write(new_, Soon());
  EXPECT_EQ(s.ToString(),
            "conflict: kubernetes-secret system \"k8s\": write key password of secret "
            "billing/db-creds: the Secret changed after it was read at resourceVersion 101 (a "
            "concurrent writer); not overwritten");
  EXPECT_EQ(fake_.Value("billing", "db-creds", "password"), "theirs-77");
}

TEST_F(KubernetesSecretHolderTest, MissingSecretOrKeyIsNotFoundAndRefusalsArePermanent) {
  auto holder = Make();
  ASSERT_NE(holder, nullptr);
  EXPECT_EQ(holder->Write(new_, Soon()).ToString(),
            "not_found: kubernetes-secret system \"k8s\": read secret billing/db-creds: HTTP 404");
  fake_.Set("billing", "db-creds", "username", "billing");
  EXPECT_EQ(holder->Read(Soon()).status().ToString(),
            "not_found: kubernetes-secret system \"k8s\": secret billing/db-creds has no key "
            "password");
  fake_.api().FailNext(403);
  Status refused = holder->Write(new_, Soon());
  EXPECT_EQ(refused.code(), StatusCode::kPermissionDenied);
  EXPECT_FALSE(refused.retryable());
  fake_.api().FailNext(429, {{"Retry-After", "1"}});
  Status limited = holder->Write(new_, Soon());
  EXPECT_TRUE(limited.retryable());
  EXPECT_EQ(limited.retry_after(), 1000ms);
  // Write adds a missing key to an existing Secret.
  ASSERT_TRUE(holder->Write(new_, Soon()).ok());
  EXPECT_EQ(fake_.Value("billing", "db-creds", "password"), new_.Expose());
}

}  // namespace
}  // namespace rekey::kubernetes
