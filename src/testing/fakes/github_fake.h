// GithubFake: the GitHub Actions secrets REST API (docs.github.com/rest/actions/secrets), as
// documented, in memory: the public key of a repository's, an environment's or an
// organisation's secrets, PUT of a value sealed to it (the fake opens it with its secret key:
// a value not sealed to the current key is refused, 422), 201 created / 204 updated, the
// secret's metadata with updated_at (never its value), Bearer-token checks, and GitHub's rate
// limit answers (403 or 429 with x-ratelimit-remaining / retry-after, queued by tests).
#pragma once

#include <sodium.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "testing/fakes/fake_api.h"

namespace rekey::testing_fakes {

class GithubFake {
 public:
  // Serves requests carrying "Authorization: Bearer TOKEN"; others get 401.
  explicit GithubFake(std::string token);

  std::string url() const { return api_.url(); }
  // Failure answers ({"message": ...}), hooks and the request log.
  FakeApi& api() { return api_; }

  // The clear value of the secret NAME of SCOPE ("/repos/o/r/actions/secrets",
  // "/orgs/o/actions/secrets", ...) as the fake opened it; "" when absent.
  std::string Value(const std::string& scope, const std::string& name) const;
  // The stored metadata (created_at, updated_at, visibility); null when absent.
  nlohmann::json Metadata(const std::string& scope, const std::string& name) const;
  // Stores NAME as if written earlier (updated_at in 2020), with VALUE.
  void Seed(const std::string& scope, const std::string& name, const std::string& value,
            const std::string& visibility = "");
  // A new key pair: values sealed to the old key are refused from now on.
  void RotateKey();

 private:
  testing_http::Response Handle(const testing_http::Request& r);

  const std::string token_;
  mutable std::mutex mu_;
  unsigned char public_key_[crypto_box_PUBLICKEYBYTES];
  unsigned char secret_key_[crypto_box_SECRETKEYBYTES];
  int key_id_ = 1;
  std::map<std::string, nlohmann::json> secrets_;  // "SCOPE/NAME" -> metadata + "value"
  FakeApi api_;  // last: stops serving before the state it serves goes
};

}  // namespace rekey::testing_fakes
