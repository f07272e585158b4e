// FakeApi: what every fake of a hosted API shares (testing/fakes/): an HttpTestServer in this
// process, a log of the requests, queued failure answers (a 429 with Retry-After, a 403) and
// hooks that run just before a request is served (to play a concurrent writer). A fake owns
// one, declared last, and hands it the function that serves a request by the API's contract.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "testing/http_test_server.h"

namespace rekey::testing_fakes {

class FakeApi {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;
  // SERVE answers a request that no queued failure took; it may be called from several threads.
  // FAILURE_BODY is the JSON body of a queued failure answer, given its status.
  FakeApi(testing_http::HttpTestServer::Handler serve,
          std::function<std::string(int status)> failure_body);

  std::string url() const { return server_.url(); }

  // The next request (any path) is answered with STATUS and HEADERS instead of being served;
  // each call queues one such answer.
  void FailNext(int status, Headers headers = {});
  // Runs HOOK (with no lock held) when a request whose "METHOD PATH" starts with METHOD_PATH
  // ("POST /v1/secret/data/app") arrives, before it is served; once.
  void Before(std::string method_path, std::function<void()> hook);
  // "METHOD TARGET" of every request, in order.
  std::vector<std::string> Log() const;

 private:
  testing_http::Response Handle(const testing_http::Request& r);

  struct Failure {
    int status;
    Headers headers;
  };
  const testing_http::HttpTestServer::Handler serve_;
  const std::function<std::string(int)> failure_body_;
  mutable std::mutex mu_;
  std::deque<Failure> failures_;
  std::vector<std::pair<std::string, std::function<void()>>> hooks_;
  std::vector<std::string> log_;
  testing_http::HttpTestServer server_;  // last: stops before the state it serves goes
};

}  // namespace rekey::testing_fakes
