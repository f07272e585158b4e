// HttpClient: the HTTP(S) requests of the holders that live behind an API (etcd, Vault, GitLab,
// GitHub, Kubernetes) and of checks that log in over HTTP (htpasswd). One libcurl easy handle,
// so connections are kept alive between requests; not thread-safe: keep one per thread or lease
// them from a ConnectionPool. TLS peers are always verified (against CA_FILE when given, else the
// system's store).
//
// Secrets: a request's body and its secret headers (Authorization) are SecretBytes, a response's
// body too. libcurl is handed the body without a copy; header lines are wiped before they are
// freed. What libcurl copies internally (the header list it sends) is beyond our reach.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "connectors/connector.h"
#include "secret/secret_bytes.h"

namespace rekey::http {

struct Request {
  std::string method = "GET";  // GET, PUT, POST, PATCH, DELETE
  std::string url;
  std::vector<std::string> headers;         // "Name: value"; never a secret
  std::vector<SecretBytes> secret_headers;  // "Authorization: Bearer ..."
  SecretBytes body;
};

struct Response {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order
  SecretBytes body;

  // The first header named NAME (lower case), if any.
  std::optional<std::string> Header(std::string_view name) const;
};

struct ClientOptions {
  std::string ca_file;  // PEM bundle the peer's certificate must chain to; empty: system store
};

class Client {
 public:
  static Result<std::unique_ptr<Client>> Make(ClientOptions options);

  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);  // use Make
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends REQUEST and waits for the whole response until DEADLINE. Any HTTP status is a
  // response, not an error. Errors: could not connect = unavailable; the deadline passed =
  // timeout; the request may have reached the server but no answer came back = unknown_outcome
  // (unavailable for GET); the peer's certificate failed verification = permission_denied; a
  // malformed URL = invalid_argument. Messages name the method and URL, never a header or body.
  Result<Response> Send(const Request& request, Deadline deadline);

 private:
  std::unique_ptr<Impl> impl_;
};

// A non-2xx RESPONSE as a Status for WHAT ("vault system \"kv\": write secret/app"): 401/403
// permission_denied; 404 not_found; 409/412 conflict; 429, 502, 503, 504 and other 5xx
// unavailable (retryable), with the Retry-After header (seconds or an HTTP date) as the retry
// hint; other 4xx invalid_argument. A 403 that is a rate limit (x-ratelimit-remaining: 0, or a
// Retry-After) is unavailable too, "(rate limited)", retried after Retry-After or at
// x-ratelimit-reset. The message is "WHAT: HTTP 403" plus the status text: never
// the body, which may echo the request. OK for 2xx.
Status StatusOf(const Response& response, std::string_view what);

// "Authorization: Basic base64(USER:PASSWORD)", for HTTP basic auth.
SecretBytes BasicAuthorization(std::string_view user, const SecretBytes& password);
// The header line "NAME: PREFIXVALUE": SecretHeader("Authorization", "Bearer ", token),
// SecretHeader("X-Vault-Token", "", token).
SecretBytes SecretHeader(std::string_view name, std::string_view prefix, const SecretBytes& value);

}  // namespace rekey::http
