// The HTTP client against servers in this process (testing/http_test_server.h) and, for TLS,
// against `openssl s_server` with a certificate made for the test.
#include "connectors/http/http_client.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <thread>

#include "base/subprocess.h"
#include "testing/http_test_server.h"
#include "testing/temp_dir.h"

namespace rekey::http {
namespace {

using testing_http::HttpTestServer;
using namespace std::chrono_literals;

Deadline In(std::chrono::milliseconds d) { return std::chrono::steady_clock::now() + d; }

std::unique_ptr<Client> NewClient(ClientOptions options = {}) {
  auto c = Client::Make(std::move(options));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(*c);
}

TEST(HttpClientTest, SendsMethodHeadersAndBodyAndReadsTheWholeResponse) {
  testing_http::Request seen;
  HttpTestServer server([&](const testing_http::Request& r) {
    seen = r;
    return testing_http::Response{201, {{"X-Revision", "7"}, {"Retry-After", "3"}}, "made"};
  });
  Request req;
  req.method = "PUT";
  req.url = server.url() + "/v1/kv/data/app?x=1";
  req.headers = {"Content-Type: application/json"};
  req.secret_headers.push_back(SecretHeader("X-Vault-Token", "", SecretBytes("tok-123")));
  req.body = SecretBytes(R"({"data":{"password":"s3cret"}})");
  auto resp = NewClient()->Send(req, In(5s));
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->status, 201);
  EXPECT_EQ(resp->body.Expose(), "made");
  EXPECT_EQ(resp->Header("x-revision"), "7");
  EXPECT_EQ(seen.method, "PUT");
  EXPECT_EQ(seen.target, "/v1/kv/data/app?x=1");
  EXPECT_EQ(seen.path(), "/v1/kv/data/app");
  EXPECT_EQ(seen.Header("x-vault-token"), "tok-123");
  EXPECT_EQ(seen.Header("content-type"), "application/json");
  EXPECT_EQ(seen.body, R"({"data":{"password":"s3cret"}})");
  EXPECT_EQ(seen.Header("expect"), "");  // no 100-continue round trip
}

TEST(HttpClientTest, GetAndDeleteSendNoBodyAndTheConnectionIsReused) {
  std::vector<std::string> methods;
  std::mutex mu;
  HttpTestServer server([&](const testing_http::Request& r) {
    std::lock_guard lock(mu);
    methods.push_back(r.method + ":" + r.body);
    return testing_http::Response{204, {}, ""};
  });
  auto client = NewClient();
  for (const char* m : {"GET", "DELETE", "POST"}) {
    Request req;
    req.method = m;
    req.url = server.url() + "/x";
    auto resp = client->Send(req, In(5s));
    ASSERT_TRUE(resp.ok()) << resp.status().ToString();
    EXPECT_EQ(resp->status, 204);
  }
  EXPECT_EQ(methods, (std::vector<std::string>{"GET:", "DELETE:", "POST:"}));
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClientTest, BasicAuthorizationIsTheBase64OfUserColonPassword) {
  HttpTestServer server([](const testing_http::Request& r) {
    // base64("svc:pa:ss") computed by hand
    bool ok = r.Header("authorization") == "Basic c3ZjOnBhOnNz";
    return testing_http::Response{ok ? 200 : 401, {}, ""};
  });
  Request req;
  req.url = server.url() + "/";
  req.secret_headers.push_back(BasicAuthorization("svc", SecretBytes("pa:ss")));
  auto resp = NewClient()->Send(req, In(5s));
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(resp->status, 200);
}

TEST(HttpClientTest, NobodyListeningIsUnavailable) {
  int port;
  {
    HttpTestServer gone([](const testing_http::Request&) { return testing_http::Response{}; });
    port = gone.port();
  }
  Request req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  auto resp = NewClient()->Send(req, In(5s));
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kUnavailable) << resp.status().ToString();
  EXPECT_NE(resp.status().message().find("GET http://127.0.0.1:"), std::string::npos);
}

TEST(HttpClientTest, AnAnswerLaterThanTheDeadlineIsATimeout) {
  HttpTestServer server([](const testing_http::Request&) {
    std::this_thread::sleep_for(600ms);
    return testing_http::Response{};
  });
  Request req;
  req.url = server.url() + "/slow";
  auto started = std::chrono::steady_clock::now();
  auto resp = NewClient()->Send(req, In(150ms));
  ASSERT_FALSE(resp.ok());
  EXPECT_EQ(resp.status().code(), StatusCode::kTimeout);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 550ms);
}

TEST(HttpClientTest, StatusOfMapsHttpStatusesToRetryableOrPermanentErrors) {
  auto of = [](int status, std::vector<std::pair<std::string, std::string>> headers = {}) {
    Response r;
    r.status = status;
    r.headers = std::move(headers);
    return StatusOf(r, "vault system \"kv\": write secret/app");
  };
  EXPECT_TRUE(of(200).ok());
  EXPECT_TRUE(of(204).ok());
  EXPECT_EQ(of(403).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(of(403).ToString(),
            "permission_denied: vault system \"kv\": write secret/app: HTTP 403");
  EXPECT_EQ(of(401).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(of(404).code(), StatusCode::kNotFound);
  EXPECT_EQ(of(409).code(), StatusCode::kConflict);
  EXPECT_EQ(of(412).code(), StatusCode::kConflict);
  EXPECT_EQ(of(422).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(of(500).code(), StatusCode::kUnavailable);
  Status limited = of(429, {{"retry-after", "2"}});
  EXPECT_TRUE(limited.retryable());
  EXPECT_EQ(limited.retry_after(), 2000ms);
  EXPECT_EQ(of(503).retry_after(), 0ms);
  // An HTTP date a minute ahead.
  char date[64];
  time_t later = std::time(nullptr) + 60;
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", std::gmtime(&later));
  Status dated = of(503, {{"retry-after", date}});
  EXPECT_GE(dated.retry_after(), 58s);
  EXPECT_LE(dated.retry_after(), 61s);
  // A 403 that is a rate limit (GitHub's primary and secondary limits) is retryable; a plain
  // 403, or one with requests left, stays a refusal.
  Status primary = of(403, {{"x-ratelimit-remaining", "0"},
                            {"x-ratelimit-reset", std::to_string(std::time(nullptr) + 30)}});
  EXPECT_EQ(primary.code(), StatusCode::kUnavailable);
  EXPECT_EQ(primary.message(), "vault system \"kv\": write secret/app: HTTP 403 (rate limited)");
  EXPECT_GE(primary.retry_after(), 28s);
  EXPECT_LE(primary.retry_after(), 31s);
  Status secondary = of(403, {{"retry-after", "7"}});
  EXPECT_TRUE(secondary.retryable());
  EXPECT_EQ(secondary.retry_after(), 7000ms);
  EXPECT_EQ(of(403, {{"x-ratelimit-remaining", "12"}}).code(), StatusCode::kPermissionDenied);
}

// `openssl s_server -www` answers any GET with 200: enough to see whom the client trusts.
class TlsServer {
 public:
  explicit TlsServer(const std::string& dir) {
    cert_ = dir + "/cert.pem";
    std::string key = dir + "/key.pem";
    ProcessSpec make;
    make.argv = {"openssl",
                 "req",
                 "-x509",
                 "-newkey",
                 "ec",
                 "-pkeyopt",
                 "ec_paramgen_curve:prime256v1",
                 "-nodes",
                 "-days",
                 "1",
                 "-subj",
                 "/CN=127.0.0.1",
                 "-addext",
                 "subjectAltName=IP:127.0.0.1",
                 "-keyout",
                 key,
                 "-out",
                 cert_};
    auto made = RunProcess(make);
    EXPECT_TRUE(made.ok() && made->exit_code == 0);
    for (port_ = 38443; port_ < 38543; ++port_) {
      pid_ = fork();
      if (pid_ == 0) {
        std::string accept = "127.0.0.1:" + std::to_string(port_);
        execlp("openssl", "openssl", "s_server", "-quiet", "-www", "-accept", accept.c_str(),
               "-cert", cert_.c_str(), "-key", key.c_str(), static_cast<char*>(nullptr));
        _exit(127);
      }
      // Up when a client can connect; gone when the port was taken.
      for (int i = 0; i < 50; ++i) {
        std::this_thread::sleep_for(20ms);
        if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
          pid_ = -1;
          break;
        }
        ProcessSpec probe;
        probe.argv = {"bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + std::to_string(port_)};
        auto p = RunProcess(probe);
        if (p.ok() && p->exit_code == 0) {
          return;
        }
      }
      if (pid_ > 0) {
        Stop();
      }
    }
    ADD_FAILURE() << "openssl s_server did not start";
  }
  ~TlsServer() { Stop(); }
  std::string url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/"; }
  const std::string& cert() const { return cert_; }

 private:
  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  std::string cert_;
  int port_ = 0;
  pid_t pid_ = -1;
};

TEST(HttpClientTest, TlsPeersAreVerifiedAgainstTheCaFileWhenGiven) {
  TempDir dir("http-tls");
  TlsServer server(dir.path());
  Request req;
  req.url = server.url();
  auto untrusted = NewClient()->Send(req, In(5s));
  ASSERT_FALSE(untrusted.ok());
  EXPECT_EQ(untrusted.status().code(), StatusCode::kPermissionDenied)
      << untrusted.status().ToString();
  auto trusted = NewClient({.ca_file = server.cert()})->Send(req, In(5s));
  ASSERT_TRUE(trusted.ok()) << trusted.status().ToString();
  EXPECT_EQ(trusted->status, 200);
}

}  // namespace
}  // namespace rekey::http
