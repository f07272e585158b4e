// HttpTestServer: a small HTTP/1.1 server on 127.0.0.1 for tests, in the test's own process.
// It is the base of the fakes that stand in for hosted APIs that cannot run here (Vault,
// GitLab, GitHub, Kubernetes): a handler sees each request whole and returns the response, so a
// fake is a function that implements the API's documented request and response shapes.
//
// Each connection gets a thread; requests on one connection are served in order (keep-alive).
// Bodies need a Content-Length (chunked requests are refused with 411).
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/file_descriptor.h"

namespace rekey::testing_http {

struct Request {
  std::string method;
  std::string target;                          // path and query, as sent
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string path() const { return target.substr(0, target.find('?')); }
  std::string Header(const std::string& name) const;  // "" when absent
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Length is added
  std::string body;
};

class HttpTestServer {
 public:
  using Handler = std::function<Response(const Request&)>;

  // Listens on a free port of 127.0.0.1. HANDLER may be called from several threads at once.
  explicit HttpTestServer(Handler handler);
  ~HttpTestServer();  // stops listening, closes every connection, joins every thread
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Requests served so far.
  int requests() const { return requests_.load(); }
  // Connections accepted so far.
  int connections() const { return connections_.load(); }

 private:
  void Accept();
  void Serve(int fd);

  Handler handler_;
  FileDescriptor listener_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::vector<int> open_fds_;  // connections being served, shut down on destruction
  std::vector<std::thread> threads_;
  std::thread acceptor_;
};

}  // namespace rekey::testing_http
