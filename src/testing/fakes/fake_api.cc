#include "testing/fakes/fake_api.h"

namespace rekey::testing_fakes {

FakeApi::FakeApi(testing_http::HttpTestServer::Handler serve,
                 std::function<std::string(int)> failure_body)
    : serve_(std::move(serve)),
      failure_body_(std::move(failure_body)),
      server_([this](const testing_http::Request& r) { return Handle(r); }) {}

void FakeApi::FailNext(int status, Headers headers) {
  std::lock_guard lock(mu_);
  failures_.push_back({status, std::move(headers)});
}

void FakeApi::Before(std::string method_path, std::function<void()> hook) {
  std::lock_guard lock(mu_);
  hooks_.emplace_back(std::move(method_path), std::move(hook));
}

std::vector<std::string> FakeApi::Log() const {
  std::lock_guard lock(mu_);
  return log_;
}

testing_http::Response FakeApi::Handle(const testing_http::Request& r) {
  std::function<void()> hook;
  {
    std::lock_guard lock(mu_);
    log_.push_back(r.method + " " + r.target);
    for (auto it = hooks_.begin(); it != hooks_.end(); ++it) {
      if ((r.method + " " + r.path()).starts_with(it->first)) {
        hook = std::move(it->second);
        hooks_.erase(it);
        break;
      }
    }
  }
  if (hook) {
    hook();
  }
  {
    std::lock_guard lock(mu_);
    if (!failures_.empty()) {
      Failure f = std::move(failures_.front());
      failures_.pop_front();
      testing_http::Response out{
          f.status, {{"Content-Type", "application/json"}}, failure_body_(f.status)};
      out.headers.insert(out.headers.end(), f.headers.begin(), f.headers.end());
      return out;
    }
  }
  return serve_(r);
}

}  // namespace rekey::testing_fakes
