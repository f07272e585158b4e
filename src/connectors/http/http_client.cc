#include "connectors/http/http_client.h"

#include <curl/curl.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <ctime>
#include <mutex>

namespace rekey::http {
namespace {

using std::chrono::milliseconds;

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

// A header list whose lines are wiped before libcurl frees them: they may carry a token.
class HeaderList {
 public:
  HeaderList() = default;
  HeaderList(const HeaderList&) = delete;
  HeaderList& operator=(const HeaderList&) = delete;
  ~HeaderList() {
    for (curl_slist* l = list_; l != nullptr; l = l->next) {
      sodium_memzero(l->data, std::strlen(l->data));
    }
    curl_slist_free_all(list_);
  }
  // Appends LINE, which must not contain a NUL. False when out of memory.
  bool Add(std::string_view line) {
    std::string copy(line);  // libcurl wants a C string; wiped below
    curl_slist* grown = curl_slist_append(list_, copy.c_str());
    WipeString(copy);
    if (grown == nullptr) {
      return false;
    }
    list_ = grown;
    return true;
  }
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

// What the callbacks fill while a response arrives. The body may hold a secret, so it grows by
// copying into a larger buffer and wiping the old one, never by a realloc that leaves it behind.
struct Received {
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  ~Received() { WipeString(body); }

  void AppendBody(const char* data, size_t n) {
    if (body.size() + n > body.capacity()) {
      std::string bigger;
      bigger.reserve(std::max(2 * body.capacity(), body.size() + n));
      bigger.append(body);
      WipeString(body);
      body.swap(bigger);
    }
    body.append(data, n);
  }
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  static_cast<Received*>(user)->AppendBody(data, size * n);
  return size * n;
}

// Header lines of the final response only: a new status line (after a 100 Continue or a
// redirect) starts the list again.
size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* r = static_cast<Received*>(user);
  std::string_view line(data, size * n);
  if (line.starts_with("HTTP/")) {
    r->headers.clear();
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) {
    return size * n;
  }
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  r->headers.emplace_back(std::move(name), std::string(value));
  return size * n;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Status FromCurl(CURLcode code, const Request& request, const char* detail) {
  std::string what = request.method + " " + request.url + ": " +
                     (detail[0] != '\0' ? detail : curl_easy_strerror(code));
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return Status::Unavailable(what);
    case CURLE_OPERATION_TIMEDOUT:
      return Status::Timeout(what);
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return request.method == "GET" ? Status::Unavailable(what) : Status::UnknownOutcome(what);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CONNECT_ERROR:
      return Status::PermissionDenied("TLS: " + what);
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Status::InvalidArgument(what);
    default:
      return Status::Internal(what);
  }
}

// Retry-After as a delay from now: delta-seconds or an HTTP date. Zero when absent or unreadable.
milliseconds RetryAfter(const Response& response) {
  std::optional<std::string> v = response.Header("retry-after");
  if (!v || v->empty()) {
    return milliseconds(0);
  }
  if (std::all_of(v->begin(), v->end(), [](unsigned char c) { return std::isdigit(c); })) {
    return milliseconds(std::stoll(v->substr(0, 9)) * 1000);
  }
  time_t when = curl_getdate(v->c_str(), nullptr);
  time_t now = std::time(nullptr);
  return when > now ? milliseconds((when - now) * 1000) : milliseconds(0);
}

// A 403 or 429 that is a rate limit, not a refusal (GitHub: x-ratelimit-remaining: 0, or a
// secondary limit with retry-after). The delay is Retry-After's, else until x-ratelimit-reset
// (epoch seconds).
std::optional<milliseconds> RateLimitDelay(const Response& response) {
  milliseconds delay = RetryAfter(response);
  std::optional<std::string> remaining = response.Header("x-ratelimit-remaining");
  bool exhausted = remaining && *remaining == "0";
  if (!exhausted && !response.Header("retry-after")) {
    return std::nullopt;
  }
  std::optional<std::string> reset = response.Header("x-ratelimit-reset");
  if (delay == milliseconds(0) && reset && !reset->empty() && reset->size() < 12 &&
      std::all_of(reset->begin(), reset->end(), [](unsigned char c) { return std::isdigit(c); })) {
    time_t when = static_cast<time_t>(std::stoll(*reset));
    time_t now = std::time(nullptr);
    delay = when > now ? milliseconds((when - now) * 1000) : milliseconds(0);
  }
  return delay;
}

}  // namespace

std::optional<std::string> Response::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) {
      return v;
    }
  }
  return std::nullopt;
}

struct Client::Impl {
  std::unique_ptr<CURL, CurlDeleter> curl;
  ClientOptions options;
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() = default;

Result<std::unique_ptr<Client>> Client::Make(ClientOptions options) {
  GlobalInit();
  auto impl = std::make_unique<Impl>();
  impl->curl.reset(curl_easy_init());
  if (impl->curl == nullptr) {
    return Status::Internal("libcurl could not make a handle");
  }
  impl->options = std::move(options);
  return std::make_unique<Client>(std::move(impl));
}

Result<Response> Client::Send(const Request& request, Deadline deadline) {
  CURL* c = impl_->curl.get();
  curl_easy_reset(c);  // keeps the open connections, forgets the last request's options
  auto left = std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left <= milliseconds(0)) {
    return Status::Timeout(request.method + " " + request.url + ": the deadline passed");
  }
  HeaderList headers;
  for (const std::string& h : request.headers) {
    if (!headers.Add(h)) {
      return Status::Internal("out of memory");
    }
  }
  for (const SecretBytes& h : request.secret_headers) {
    if (!headers.Add(h.Expose())) {
      return Status::Internal("out of memory");
    }
  }
  if (!request.body.empty() && !headers.Add("Expect:")) {  // no 100-continue round trip
    return Status::Internal("out of memory");
  }
  Received received;
  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(c, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(left.count()));
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!impl_->options.ca_file.empty()) {
    curl_easy_setopt(c, CURLOPT_CAINFO, impl_->options.ca_file.c_str());
  }
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &received);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &received);
  if (request.method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (!request.body.empty() || request.method != "DELETE") {
      // POSTFIELDS is used in place (no copy): the body stays in its SecretBytes.
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      curl_easy_setopt(c, CURLOPT_POSTFIELDS,
                       request.body.empty() ? "" : request.body.Expose().data());
    }
  }
  CURLcode code = curl_easy_perform(c);
  // Nothing libcurl keeps between requests may point at this request's memory.
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, nullptr);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, nullptr);
  if (code != CURLE_OK) {
    return FromCurl(code, request, error);
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  Response response;
  response.status = static_cast<int>(status);
  response.headers = std::move(received.headers);
  response.body = SecretBytes::Take(received.body);
  return response;
}

Status StatusOf(const Response& response, std::string_view what) {
  int s = response.status;
  if (s >= 200 && s < 300) {
    return Status::Ok();
  }
  std::string message = std::string(what) + ": HTTP " + std::to_string(s);
  if (s == 403 || s == 429) {
    if (std::optional<milliseconds> delay = RateLimitDelay(response)) {
      return Status::Unavailable(message + " (rate limited)").WithRetryAfter(*delay);
    }
  }
  if (s == 401 || s == 403) {
    return Status::PermissionDenied(message);
  }
  if (s == 404) {
    return Status::NotFound(message);
  }
  if (s == 409 || s == 412) {
    return Status::Conflict(message);
  }
  if (s == 429 || s >= 500) {
    return Status::Unavailable(message).WithRetryAfter(RetryAfter(response));
  }
  return Status::InvalidArgument(message);
}

SecretBytes SecretHeader(std::string_view name, std::string_view prefix, const SecretBytes& value) {
  std::string line;
  line.reserve(name.size() + 2 + prefix.size() + value.size());
  line.append(name).append(": ").append(prefix).append(value.Expose());
  return SecretBytes::Take(line);
}

SecretBytes BasicAuthorization(std::string_view user, const SecretBytes& password) {
  std::string pair;
  pair.reserve(user.size() + 1 + password.size());
  pair.append(user).append(":").append(password.Expose());
  std::string encoded(sodium_base64_ENCODED_LEN(pair.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(),
                    reinterpret_cast<const unsigned char*>(pair.data()), pair.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  WipeString(pair);
  encoded.resize(std::strlen(encoded.c_str()));
  SecretBytes value = SecretBytes::Take(encoded);
  return SecretHeader("Authorization", "Basic ", value);
}

}  // namespace rekey::http
