// Against the real etcd that scripts/test-services starts (auth enabled, admin user root).
// What the holder wrote is checked with etcdctl, a client that shares no code with it; a proxy
// in this process (HttpTestServer forwarding to etcd) counts logins and plays the concurrent
// writer at the exact moment between the holder's read and its write.
#include "connectors/etcd/etcd_holder.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <deque>
#include <functional>
#include <optional>

#include "base/subprocess.h"
#include "connectors/http/http_client.h"
#include "inventory/loader.h"
#include "testing/connector_fixture.h"
#include "testing/http_test_server.h"
#include "testing/services.h"
#include "testing/temp_dir.h"

namespace rekey::etcd {
namespace {

namespace services = testing_services;
using testing_http::HttpTestServer;

Deadline Soon() { return std::chrono::steady_clock::now() + std::chrono::seconds(10); }

// etcdctl as the admin (password in its environment, not argv), running ARGS; stdout and stderr.
std::string Ctl(std::vector<std::string> args, std::string_view stdin_data = "") {
  ProcessSpec spec;
  spec.argv = {"etcdctl", "--endpoints", services::Get("REKEY_ETCD_ENDPOINT")};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = {"ETCDCTL_USER=" + services::Get("REKEY_ETCD_USER"),
              "ETCDCTL_PASSWORD=" + services::ReadFileNamedBy("REKEY_ETCD_ADMIN_PASSWORD_FILE")};
  spec.stdin_data = stdin_data;
  auto r = RunProcess(spec);
  EXPECT_TRUE(r.ok());
  std::string out = r.ok() ? r->stdout_data + r->stderr_data : "";
  while (!out.empty() && out.back() == '\n') {
    out.pop_back();
  }
  return out;
}

// The value of KEY as etcdctl reads it; "" when absent.
std::string CtlGet(const std::string& key) { return Ctl({"get", key, "--print-value-only"}); }
// KEY's mod_revision as etcdctl reports it.
std::string CtlModRevision(const std::string& key) {
  std::string out = Ctl({"get", key, "-w", "fields"});
  size_t at = out.find("\"ModRevision\" : ");
  return at == std::string::npos ? "" : out.substr(at + 16, out.find('\n', at) - at - 16);
}

// An answer a test gives instead of etcd's, or none to let the request through.
using Canned = std::function<std::optional<testing_http::Response>(const testing_http::Request&)>;

// Forwards every request to etcd; BEFORE runs first for each one (for tests to act in between),
// and INSTEAD may answer it in etcd's place.
class Proxy {
 public:
  explicit Proxy(std::function<void(const testing_http::Request&)> before = nullptr,
                 Canned instead = nullptr)
      : before_(std::move(before)),
        instead_(std::move(instead)),
        server_([this](const testing_http::Request& r) { return Forward(r); }) {}
  std::string url() const { return server_.url(); }
  int logins() const { return logins_.load(); }

 private:
  testing_http::Response Forward(const testing_http::Request& r) {
    if (r.path() == "/v3/auth/authenticate") {
      ++logins_;
    }
    if (before_) {
      before_(r);
    }
    if (std::optional<testing_http::Response> canned = instead_ ? instead_(r) : std::nullopt) {
      return *canned;
    }
    auto client = http::Client::Make({});
    http::Request out;
    out.method = r.method;
    out.url = services::Get("REKEY_ETCD_ENDPOINT") + r.target;
    if (!r.Header("authorization").empty()) {
      out.secret_headers.push_back(
          http::SecretHeader("Authorization", "", SecretBytes(r.Header("authorization"))));
    }
    out.body = SecretBytes(r.body);
    auto in = (*client)->Send(out, Soon());
    if (!in.ok()) {
      return {502, {}, in.status().ToString()};
    }
    return {in->status, {}, std::string(in->body.Expose())};
  }

  std::function<void(const testing_http::Request&)> before_;
  Canned instead_;
  std::atomic<int> logins_{0};
  HttpTestServer server_;
};

// What etcd answers a request whose auth revision a user or role change overtook before it was
// applied (gRPC InvalidArgument through the gateway); a race no test can provoke at will.
testing_http::Response OldAuthRevision() {
  return {400,
          {},
          R"({"error":"etcdserver: revision of auth store is old","code":3,)"
          R"("message":"etcdserver: revision of auth store is old"})"};
}

// Writing new_ over old_ when the first REFUSED txns are answered as an auth change overtaking
// them would be: the write's status, and the txns and logins that reached the proxy.
struct OvertakenWrite {
  Status status;
  int txns = 0;
  int logins = 0;
};

class EtcdHolderTest : public ::testing::Test {
 protected:
  EtcdHolderTest() {
    static std::atomic<int> n{0};
    key_ = "rekey-test/" + std::to_string(::getpid()) + "/" + std::to_string(n++) + "/password";
    WritePassword(services::ReadFileNamedBy("REKEY_ETCD_ADMIN_PASSWORD_FILE"));
  }
  ~EtcdHolderTest() override { Ctl({"del", key_}); }

  void WritePassword(const std::string& password) {
    int fd = ::open(password_file().c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::write(fd, password.data(), password.size()), ssize_t(password.size()));
    ::close(fd);
  }
  OvertakenWrite WriteOvertakenByAuthChanges(int refused) {
    std::atomic<int> txns{0};
    Proxy proxy(nullptr,
                [&](const testing_http::Request& r) -> std::optional<testing_http::Response> {
                  if (r.path() == "/v3/kv/txn" && txns++ < refused) {
                    return OldAuthRevision();
                  }
                  return std::nullopt;
                });
    auto holder = Make(proxy.url());
    EXPECT_NE(holder, nullptr);
    EXPECT_EQ(Ctl({"put", key_, std::string(old_.Expose())}), "OK");
    Status status = holder ? holder->Write(new_, Soon()) : Status::Internal("no holder");
    return {status, txns.load(), proxy.logins()};
  }
  std::string password_file() const { return dir_.path() + "/etcd-password"; }

  // A holder of this test's key, through ENDPOINT (default: etcd itself) as USER.
  std::unique_ptr<Holder> Make(std::string endpoint = "", std::string user = "") {
    std::string text =
        "version: 1\nsystems:\n  legacy: { type: exec }\n  kv: { type: etcd, endpoints: \"" +
        (endpoint.empty() ? services::Get("REKEY_ETCD_ENDPOINT") : endpoint) +
        "\", user: " + (user.empty() ? services::Get("REKEY_ETCD_USER") : user) +
        ", admin_secret: { file: " + password_file() +
        " } }\nidentities:\n  svc:\n    kind: password\n    issuers: [{ system: legacy, install: "
        "[\"true\"], accepts: [\"true\"] }]\n    holders: [{ name: cfg, system: kv, "
        "key: \"" +
        key_ + "\" }]\n";
    return holders_.Make(text, "kv", MakeEtcdHolder);
  }

  TempDir dir_{"etcd-test"};
  std::string key_;
  SecretBytes old_{"old-etcd-value-Qm72"};
  SecretBytes new_{"new-etcd-value-Tz19"};
  ConnectorFixture holders_;
};

TEST_F(EtcdHolderTest, WritesTheKeyAndReadsItBack) {
  auto holder = Make();
  ASSERT_NE(holder, nullptr);
  ASSERT_EQ(Ctl({"put", key_, "--", std::string(old_.Expose())}), "OK");
  auto before = holder->Read(Soon());
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(before->Expose(), old_.Expose());

  ASSERT_TRUE(holder->Write(new_, Soon()).ok());
  EXPECT_EQ(CtlGet(key_), new_.Expose());
  auto after = holder->Read(Soon());
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->Expose(), new_.Expose());
}

TEST_F(EtcdHolderTest, WriteCreatesAnAbsentKeyAndReadOfAnAbsentKeyIsNotFound) {
  auto holder = Make();
  ASSERT_NE(holder, nullptr);
  Status missing = holder->Read(Soon()).status();
  EXPECT_EQ(missing.ToString(), "not_found: etcd system \"kv\": key " + key_ + " does not exist");
  ASSERT_TRUE(holder->Write(new_, Soon()).ok());
  EXPECT_EQ(CtlGet(key_), new_.Expose());
}

TEST_F(EtcdHolderTest, RewritingTheSameValueIsANoOp) {
  auto holder = Make();
  ASSERT_NE(holder, nullptr);
  ASSERT_TRUE(holder->Write(new_, Soon()).ok());
  std::string revision = CtlModRevision(key_);
  ASSERT_FALSE(revision.empty());
  ASSERT_TRUE(holder->Write(new_, Soon()).ok());
  EXPECT_EQ(CtlModRevision(key_), revision);  // nothing was written
  auto read = holder->Read(Soon());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->Expose(), new_.Expose());
}

TEST_F(EtcdHolderTest, AWriterBetweenTheReadAndTheWriteIsAConflictAndItsValueStays) {
  const std::string theirs = "their-concurrent-value-8c";
  std::atomic<bool> raced{false};
  Proxy proxy([&](const testing_http::Request& r) {
    if (r.path() == "/v3/kv/txn" && !raced.exchange(true)) {
      EXPECT_EQ(Ctl({"put", key_, theirs}), "OK");
    }
  });
  auto holder = Make(proxy.url());
  ASSERT_NE(holder, nullptr);
  ASSERT_EQ(Ctl({"put", key_, std::string(old_.Expose())}), "OK");
  std::string read_at = CtlModRevision(key_);
  Status s = holder->Write(new_, Soon());
  EXPECT_TRUE(raced.load());
  EXPECT_EQ(s.ToString(), "conflict: etcd system \"kv\": write key " + key_ +
                              ": the key changed after it was read at revision " + read_at +
                              " (a concurrent writer); not overwritten");
  EXPECT_EQ(CtlGet(key_), theirs);
}

TEST_F(EtcdHolderTest, AnAuthChangeDuringAWriteRenewsTheTokenAndWritesOnce) {
  OvertakenWrite w = WriteOvertakenByAuthChanges(1);
  EXPECT_TRUE(w.status.ok()) << w.status.ToString();
  EXPECT_EQ(w.txns, 2);
  EXPECT_EQ(w.logins, 2);
  EXPECT_EQ(CtlGet(key_), new_.Expose());
}

TEST_F(EtcdHolderTest, AuthChangesThatKeepOvertakingTheWriteAreRetryable) {
  OvertakenWrite w = WriteOvertakenByAuthChanges(1000);
  EXPECT_EQ(w.status.ToString(),
            "unavailable: etcd system \"kv\": write key " + key_ +
                ": users or roles keep changing (etcd: revision of auth store is old)");
  EXPECT_TRUE(w.status.retryable());
  EXPECT_EQ(CtlGet(key_), old_.Expose());
}

TEST_F(EtcdHolderTest, ATokenDroppedByAPasswordChangeIsReplacedByOneNewLogin) {
  const std::string user = "rekey-test-" + std::to_string(::getpid());
  const std::string password = "user-password-Kd83";
  ASSERT_EQ(Ctl({"user", "add", user, "--interactive=false"}, password + "\n"),
            "User " + user + " created");
  Ctl({"role", "add", user});
  Ctl({"role", "grant-permission", user, "--prefix=true", "readwrite", "rekey-test/"});
  Ctl({"user", "grant-role", user, user});
  WritePassword(password);
  Proxy proxy;
  auto holder = Make(proxy.url(), user);
  ASSERT_NE(holder, nullptr);
  ASSERT_TRUE(holder->Write(old_, Soon()).ok());
  EXPECT_EQ(proxy.logins(), 1);
  ASSERT_TRUE(holder->Write(new_, Soon()).ok());
  EXPECT_EQ(proxy.logins(), 1);  // the token is kept between requests
  // etcd drops a user's tokens when its password is set, even to the same value.
  ASSERT_EQ(Ctl({"user", "passwd", user, "--interactive=false"}, password + "\n"),
            "Password updated");
  auto read = holder->Read(Soon());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->Expose(), new_.Expose());
  EXPECT_EQ(proxy.logins(), 2);
  Ctl({"user", "delete", user});
  Ctl({"role", "delete", user});
}

TEST_F(EtcdHolderTest, AWrongPasswordAndAMissingPermissionArePermanentAndNamed) {
  WritePassword("not-the-password");
  auto holder = Make();
  ASSERT_NE(holder, nullptr);
  Status s = holder->Write(new_, Soon());
  EXPECT_EQ(s.ToString(),
            "permission_denied: etcd system \"kv\": authenticate as \"root\": "
            "HTTP 400 (login refused)");
  EXPECT_FALSE(s.retryable());

  const std::string user = "rekey-noperm-" + std::to_string(::getpid());
  ASSERT_EQ(Ctl({"user", "add", user, "--interactive=false"}, "pw-Noperm-1\n"),
            "User " + user + " created");
  WritePassword("pw-Noperm-1");
  holders_.NewResources();  // a fresh login
  holder = Make("", user);
  ASSERT_NE(holder, nullptr);
  s = holder->Write(new_, Soon());
  EXPECT_EQ(s.ToString(), "permission_denied: etcd system \"kv\": read key " + key_ + ": HTTP 403");
  Ctl({"user", "delete", user});
}

TEST_F(EtcdHolderTest, AnUnreachableEndpointIsRetryableAndNamesTheSystem) {
  auto holder = Make("http://127.0.0.1:1");
  ASSERT_NE(holder, nullptr);
  Status s = holder->Read(Soon()).status();
  EXPECT_TRUE(s.retryable()) << s.ToString();
  EXPECT_EQ(s.message().rfind("etcd system \"kv\": ", 0), 0u) << s.ToString();
}

}  // namespace
}  // namespace rekey::etcd
