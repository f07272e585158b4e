#include "connectors/http/api_system.h"

#include <cctype>

#include "secret/secret_ref.h"

namespace rekey::http {

ApiSystem::ApiSystem(std::string who, std::string url, SecretBytes token,
                     std::vector<std::string> headers, std::vector<SecretBytes> secret_headers,
                     ClientOptions client, size_t max_open)
    : who_(std::move(who)),
      url_(std::move(url)),
      token_(std::move(token)),
      headers_(std::move(headers)),
      secret_headers_(std::move(secret_headers)),
      client_(std::move(client)),
      pool_([this](Deadline) { return Client::Make(client_); }, max_open) {}

Result<Response> ApiSystem::Send(std::string_view method, std::string_view path, SecretBytes body,
                                 Deadline deadline, std::vector<SecretBytes> secret_headers) {
  Request request;
  request.method = std::string(method);
  request.url = url_ + std::string(path);
  request.headers = headers_;
  request.secret_headers = std::move(secret_headers);
  for (const SecretBytes& h : secret_headers_) {
    request.secret_headers.push_back(h.Clone());
  }
  request.body = std::move(body);
  auto lease = pool_.Acquire(deadline);
  if (!lease.ok()) {
    return lease.status().WithContext(who_);
  }
  Result<Response> response = (*lease)->Send(request, deadline);
  if (!response.ok()) {
    lease->Discard();  // the connection may be half-way through an answer
    return response.status().WithContext(who_);
  }
  return response;
}

Status ApiSystem::Check(const Response& response, std::string_view what) const {
  return StatusOf(response, who_ + ": " + std::string(what));
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Result<ApiSystem*> ApiSystemFor(const ConnectorContext& context, const ApiSpec& spec,
                                std::vector<std::string> extra_headers) {
  const System& system = *context.system;
  std::string who = std::string(spec.type) + " system \"" + system.name + "\"";
  std::string url = system.options.StringOr(spec.url_option, spec.default_url);
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return Status::InvalidArgument(who + ": " + std::string(spec.url_option) + " \"" + url +
                                   "\" is not an http:// or https:// URL");
  }
  SecretBytes token;
  if (const SecretRef* ref = system.options.GetSecretRef("admin_secret")) {
    auto secret = ResolveSecretRef(context.env, *ref);
    if (!secret.ok()) {
      return secret.status().WithContext(who);
    }
    token = std::move(*secret);
  }
  std::vector<SecretBytes> secret_headers;
  if (!spec.token_header.empty()) {
    if (token.empty()) {
      return Status::InvalidArgument(who + " has no admin_secret (its API token)");
    }
    secret_headers.push_back(SecretHeader(spec.token_header, spec.token_prefix, token));
  }
  std::vector<std::string> headers = spec.headers;
  headers.insert(headers.end(), extra_headers.begin(), extra_headers.end());
  ClientOptions client{system.options.StringOr("ca_file", "")};
  // Keyed by the URL too: a system of the same name elsewhere is another system.
  const std::string key = std::string(spec.type) + "/" + system.name + "/" + url;
  return &context.resources->Get<ApiSystem>(key, [&] {
    return std::make_shared<ApiSystem>(std::move(who), std::move(url), std::move(token),
                                       std::move(headers), std::move(secret_headers),
                                       std::move(client), AdminPoolSize(system));
  });
}

}  // namespace rekey::http
