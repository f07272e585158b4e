// The real binary resetting an identity whose copies live in API holders: etcd (the real server
// of the CTest fixture "services"), and Vault KV v2, a GitLab CI/CD variable and a Kubernetes
// Secret (fakes of their documented APIs, in this process, reached by the binary over
// loopback), beside the sandbox's file holders and exec issuer. What the holders hold afterwards
// is read with etcdctl and from the fakes' own state, not through rekey.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>

#include "base/subprocess.h"
#include "canary.h"
#include "harness.h"
#include "testing/fakes/github_fake.h"
#include "testing/fakes/gitlab_fake.h"
#include "testing/fakes/kubernetes_fake.h"
#include "testing/fakes/vault_kv2_fake.h"
#include "testing/services.h"

namespace rekey::it {
namespace {

namespace services = testing_services;
using testing_fakes::GithubFake;
using testing_fakes::GitlabFake;
using testing_fakes::KubernetesFake;
using testing_fakes::VaultKv2Fake;
using Clock = std::chrono::steady_clock;

const std::string kOld = "old-Holder-value-4e1b7a";
const std::string kToken = "hvs.e2e-vault-token-5f2";
const std::string kVaultPath = "app/db";
const std::string kGitlabToken = "glpat-e2e-token-8a1";
const std::string kK8sToken = "k8s-e2e-token-3c7";
const std::string kGithubToken = "ghp-e2e-token-6d4";
const std::string kGithubScope = "/repos/acme/app/actions/secrets";

std::string Ctl(std::vector<std::string> args) {
  ProcessSpec spec;
  spec.argv = {"etcdctl", "--endpoints", services::Get("REKEY_ETCD_ENDPOINT")};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = {"ETCDCTL_USER=" + services::Get("REKEY_ETCD_USER"),
              "ETCDCTL_PASSWORD=" + services::ReadFileNamedBy("REKEY_ETCD_ADMIN_PASSWORD_FILE")};
  auto r = RunProcess(spec);
  EXPECT_TRUE(r.ok());
  std::string out = r.ok() ? r->stdout_data + r->stderr_data : "";
  while (!out.empty() && out.back() == '\n') {
    out.pop_back();
  }
  return out;
}

class HoldersTest : public ::testing::Test {
 protected:
  HoldersTest() : box_(Options()) {
    WriteFile(TokenFile("vault"), kToken);
    WriteFile(TokenFile("gitlab"), kGitlabToken);
    WriteFile(TokenFile("k8s"), kK8sToken);
    WriteFile(TokenFile("github"), kGithubToken);
    EXPECT_EQ(Ctl({"put", key_, kOld}), "OK");
    vault_.Put(kVaultPath, {{"user", "svc"}, {"password", kOld}});
    gitlab_.Set("projects/team/app", "DB_PASSWORD", "production",
                {{"value", kOld}, {"masked", true}, {"protected", true}});
    k8s_.Set("billing", "db-creds", "password", kOld);
    k8s_.Set("billing", "db-creds", "username", "svc");
    github_.Seed(kGithubScope, "DB_PASSWORD", kOld);
    EXPECT_TRUE(box_.InitAndAdopt(kOld));
  }
  ~HoldersTest() override {
    Ctl({"del", key_});
    std::error_code ignored;
    std::filesystem::remove_all(TokenDir(), ignored);
  }

  std::string TokenDir() const { return "/tmp/rekey-e2e-tokens-" + key_suffix_; }
  std::string TokenFile(const std::string& name) const { return TokenDir() + "/" + name; }

  InventoryOptions Options() {
    static std::atomic<int> n{0};
    key_suffix_ = std::to_string(::getpid()) + "-" + std::to_string(n++);
    key_ = "rekey-e2e/" + key_suffix_ + "/password";
    std::filesystem::create_directories(TokenDir());
    InventoryOptions o;
    o.extra_systems = {
        "kv: { type: etcd, endpoints: \"" + services::Get("REKEY_ETCD_ENDPOINT") +
            "\", user: " + services::Get("REKEY_ETCD_USER") +
            ", admin_secret: { file: " + services::Get("REKEY_ETCD_ADMIN_PASSWORD_FILE") + " } }",
        "vault: { type: vault-kv2, address: \"" + vault_.url() +
            "\", mount: secret, admin_secret: { file: " + TokenFile("vault") +
            " }, retry: { attempts: 3, initial: 50ms, max: 100ms } }",
        "gitlab: { type: gitlab-ci, url: \"" + gitlab_.url() +
            "\", admin_secret: { file: " + TokenFile("gitlab") + " } }",
        "k8s: { type: kubernetes-secret, api_server: \"" + k8s_.url() +
            "\", admin_secret: { file: " + TokenFile("k8s") + " } }",
        "github: { type: github-actions, api_url: \"" + github_.url() +
            "\", admin_secret: { file: " + TokenFile("github") + " } }"};
    o.extra_holders = {
        "{ name: etcd-key, system: kv, key: \"" + key_ + "\" }",
        "{ name: vault-record, system: vault, path: " + kVaultPath + ", field: password }",
        "{ name: ci-variable, system: gitlab, project: team/app, variable: DB_PASSWORD, "
        "environment_scope: production }",
        "{ name: k8s-secret, system: k8s, namespace: billing, secret: db-creds, key: password }",
        "{ name: gh-secret, system: github, repo: acme/app, secret: DB_PASSWORD }"};
    return o;
  }

  std::string EtcdValue() { return Ctl({"get", key_, "--print-value-only"}); }
  std::string VaultValue() {
    nlohmann::json d = vault_.Data(kVaultPath);
    return d.is_object() && d["password"].is_string() ? d["password"].get<std::string>() : "";
  }

  // Every place the values could leak to: the run's output and every file of the state dir.
  void ExpectNoLeak(const Outcome& run, const std::string& new_value) {
    std::vector<std::pair<std::string, std::string>> values = {{"old", kOld}, {"new", new_value}};
    std::vector<Leak> leaks;
    FindLeaks(run.out, "stdout", values, &leaks);
    FindLeaks(run.err, "stderr", values, &leaks);
    for (const std::string& f : FilesUnder(box_.state_dir())) {
      FindLeaks(ReadFileOr(f), f, values, &leaks);
    }
    EXPECT_TRUE(leaks.empty()) << Describe(leaks);
  }

  std::string key_suffix_;
  std::string key_;
  VaultKv2Fake vault_{"secret", kToken};
  GitlabFake gitlab_{kGitlabToken};
  KubernetesFake k8s_{kK8sToken};
  GithubFake github_{kGithubToken};
  Sandbox box_;
};

class HoldersStrategyTest : public HoldersTest,
                            public ::testing::WithParamInterface<const char*> {};

TEST_P(HoldersStrategyTest, EveryHolderEndsWithTheNewValueAndOldVersionsDieAfterRejection) {
  // When Vault is asked to destroy, is the old value still accepted by the issuer?
  std::atomic<int> destroys{0};
  std::atomic<bool> old_accepted_at_destroy{false};
  vault_.api().Before("PUT /v1/secret/destroy/" + kVaultPath, [&] {
    ++destroys;
    for (const std::string& line : box_.IssuerAccepted()) {
      old_accepted_at_destroy = old_accepted_at_destroy || line == kOld;
    }
  });
  Outcome run = box_.Run(GetParam());
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_TRUE(ResetCompleted(box_, kOld));
  std::string fresh = *box_.JsonValue();
  EXPECT_EQ(EtcdValue(), fresh);
  EXPECT_EQ(VaultValue(), fresh);
  EXPECT_EQ(vault_.Data(kVaultPath)["user"], "svc");  // the record's other field is kept
  nlohmann::json ci = gitlab_.Get("projects/team/app", "DB_PASSWORD", "production");
  EXPECT_EQ(ci["value"], fresh);
  EXPECT_EQ(ci["masked"], true);  // attributes kept
  EXPECT_EQ(ci["protected"], true);
  EXPECT_EQ(k8s_.Value("billing", "db-creds", "password"), fresh);
  EXPECT_EQ(k8s_.Value("billing", "db-creds", "username"), "svc");
  EXPECT_EQ(github_.Value(kGithubScope, "DB_PASSWORD"), fresh);  // as the fake opened it
  EXPECT_EQ(vault_.Destroyed(kVaultPath), std::vector<int>{1});
  EXPECT_EQ(destroys.load(), 1);
  EXPECT_FALSE(old_accepted_at_destroy.load());
  ExpectNoLeak(run, fresh);
}

INSTANTIATE_TEST_SUITE_P(Strategies, HoldersStrategyTest, ::testing::Values("rotate", "contain"));

TEST_F(HoldersTest, AHolderAnswering429IsRetriedAfterItsRetryAfter) {
  std::mutex mu;
  std::vector<Clock::time_point> reads;
  auto record = [&] {
    std::lock_guard lock(mu);
    reads.push_back(Clock::now());
  };
  vault_.api().Before("GET /v1/secret/data/" + kVaultPath, [&] {
    record();
    vault_.api().FailNext(429, {{"Retry-After", "2"}});
    vault_.api().Before("GET /v1/secret/data/" + kVaultPath, record);
  });
  Outcome run = box_.Run("rotate");
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  EXPECT_TRUE(ResetCompleted(box_, kOld));
  ASSERT_GE(reads.size(), 2u);
  // The system's own backoff is 50-100 ms: the wait is Retry-After's.
  EXPECT_GE(reads[1] - reads[0], std::chrono::milliseconds(1900));
  EXPECT_EQ(VaultValue(), *box_.JsonValue());
}

TEST_F(HoldersTest, A403IsPermanentAndBlocksTheRunNamingTheSystem) {
  vault_.api().Before("GET /v1/secret/data/" + kVaultPath, [&] { vault_.api().FailNext(403); });
  Outcome run = box_.Run("rotate");
  EXPECT_EQ(run.exit_code, 1) << Describe(run);
  nlohmann::json status = box_.Status();
  EXPECT_EQ(status["state"], "blocked") << status.dump(2);
  EXPECT_EQ(status["blocked_reason"],
            "permission_denied: vault-kv2 system \"vault\": read secret/app/db: HTTP 403");
  // Tried once: a refusal is not retried.
  int reads = 0;
  for (const std::string& r : vault_.api().Log()) {
    reads += r == "GET /v1/secret/data/" + kVaultPath;
  }
  EXPECT_EQ(reads, 1);
  EXPECT_EQ(VaultValue(), kOld);
}

TEST_F(HoldersTest, AConcurrentWriteIsDetectedAndNotOverwritten) {
  const std::string theirs = "their-concurrent-value-92d";
  vault_.api().Before("POST /v1/secret/data/" + kVaultPath, [&] {
    vault_.Put(kVaultPath, {{"user", "svc"}, {"password", theirs}});
  });
  Outcome run = box_.Run("rotate");
  EXPECT_EQ(run.exit_code, 1) << Describe(run);
  nlohmann::json status = box_.Status();
  EXPECT_EQ(status["state"], "blocked") << status.dump(2);
  EXPECT_EQ(status["blocked_reason"],
            "conflict: vault-kv2 system \"vault\": write secret/app/db: the secret changed after "
            "it was read at version 1 (a concurrent writer); not overwritten");
  EXPECT_EQ(VaultValue(), theirs);
  EXPECT_TRUE(vault_.Destroyed(kVaultPath).empty());
}

}  // namespace
}  // namespace rekey::it
