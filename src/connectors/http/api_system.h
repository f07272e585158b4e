// ApiSystem: what every binding of one system behind an HTTP API (etcd, Vault, GitLab, GitHub,
// Kubernetes) shares in a process: its base URL, its admin token, the headers each request
// carries, and a pool of HTTP clients bounded by the system's max_parallel. The holders of
// those types lease clients, authenticate and name their errors only through it.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "connectors/connection_pool.h"
#include "connectors/connector.h"
#include "connectors/http/http_client.h"

namespace rekey::http {

// How a type's systems are reached; the same for every system of the type.
struct ApiSpec {
  std::string_view type;             // the connector type, for messages ("vault-kv2")
  std::string_view url_option;       // the system option with the base URL ("address")
  std::string_view default_url;      // used when the option is absent; "" makes it required
  std::string_view token_header;     // "X-Vault-Token"; "" when the holder authenticates itself
  std::string_view token_prefix;     // "Bearer " or ""
  std::vector<std::string> headers;  // sent with every request ("Accept: ...")
};

class ApiSystem {
 public:
  // Use ApiSystemFor.
  ApiSystem(std::string who, std::string url, SecretBytes token, std::vector<std::string> headers,
            std::vector<SecretBytes> secret_headers, ClientOptions client, size_t max_open);

  // `TYPE system "NAME"`: the prefix of every message about the system.
  const std::string& who() const { return who_; }
  // The base URL, without a trailing '/'.
  const std::string& url() const { return url_; }
  // The admin secret (etcd: the password; the others: the token); empty when none is set.
  const SecretBytes& admin_secret() const { return token_; }

  // Sends METHOD url() + PATH (PATH starts with '/') with BODY, the system's headers and token,
  // and SECRET_HEADERS, on a leased client (a client whose transfer failed is discarded). Any
  // HTTP status is a response; transport errors are Client::Send's, in the system's name.
  // Thread-safe.
  Result<Response> Send(std::string_view method, std::string_view path, SecretBytes body,
                        Deadline deadline, std::vector<SecretBytes> secret_headers = {});
  // A non-2xx RESPONSE as StatusOf names it: `who(): WHAT: HTTP 403`. OK for 2xx.
  Status Check(const Response& response, std::string_view what) const;

 private:
  const std::string who_;
  const std::string url_;
  const SecretBytes token_;
  const std::vector<std::string> headers_;
  const std::vector<SecretBytes> secret_headers_;
  const ClientOptions client_;
  ConnectionPool<Client> pool_;
};

// TEXT percent-encoded for a URL path segment or query value: every byte but A-Z a-z 0-9 - . _ ~
// ("group/project" -> "group%2Fproject").
std::string UrlEncode(std::string_view text);

// The ApiSystem of CONTEXT's system, made on first use and kept in context.resources under
// "TYPE/NAME/URL" (shared by every binding of the system). System options read: SPEC.url_option,
// `admin_secret` (a reference, resolved once), `ca_file`, and the EXTRA_HEADERS a caller derives
// from them (Vault's namespace) are fixed at the first call. invalid_argument (naming the
// system) for a missing URL or a URL that is not http(s); the reference's own error when the
// admin secret cannot be read. Errors are not kept: a later binding tries again.
Result<ApiSystem*> ApiSystemFor(const ConnectorContext& context, const ApiSpec& spec,
                                std::vector<std::string> extra_headers = {});

}  // namespace rekey::http
