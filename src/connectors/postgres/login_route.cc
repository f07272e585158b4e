#include "connectors/postgres/login_route.h"

#include <libpq-fe.h>

#include <charconv>
#include <map>
#include <memory>
#include <set>
#include <string_view>

namespace rekey::postgres {
namespace {

struct OptionsDeleter {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
using OptionsPtr = std::unique_ptr<PQconninfoOption, OptionsDeleter>;

// Every keyword with a value: the dsn's, else libpq's default (PQconndefaults: the PG*
// variables, then the compiled defaults), as libpq combines them. nullopt if either fails.
std::optional<std::map<std::string, std::string>> Settings(const std::string& dsn) {
  OptionsPtr given(PQconninfoParse(dsn.c_str(), nullptr));
  OptionsPtr defaults(PQconndefaults());
  if (given == nullptr || defaults == nullptr) {
    return std::nullopt;
  }
  std::map<std::string, std::string> settings;
  for (const PQconninfoOption* o = defaults.get(); o->keyword != nullptr; ++o) {
    if (o->val != nullptr && o->val[0] != '\0') {
      settings[o->keyword] = o->val;
    }
  }
  for (const PQconninfoOption* o = given.get(); o->keyword != nullptr; ++o) {
    if (o->val != nullptr) {
      settings[o->keyword] = o->val;
    }
  }
  return settings;
}

// Settings that change nothing in a plain TCP login with a password given: the login's user
// and password are the role's and the value; every wait is bounded by the step's deadline
// (connect_timeout is not, in libpq's nonblocking mode either); TLS and GSS settings, and
// requirepeer (Unix sockets), apply to connections the own login never makes.
bool Irrelevant(const std::string& keyword) {
  static const std::set<std::string> kIrrelevant = {"user",
                                                    "password",
                                                    "passfile",
                                                    "connect_timeout",
                                                    "fallback_application_name",
                                                    "keepalives",
                                                    "keepalives_idle",
                                                    "keepalives_interval",
                                                    "keepalives_count",
                                                    "tcp_user_timeout",
                                                    "sslcompression",
                                                    "sslcert",
                                                    "sslkey",
                                                    "sslpassword",
                                                    "sslrootcert",
                                                    "sslcrl",
                                                    "sslcrldir",
                                                    "sslsni",
                                                    "ssl_min_protocol_version",
                                                    "ssl_max_protocol_version",
                                                    "requirepeer",
                                                    "krbsrvname",
                                                    "gsslib"};
  return kIrrelevant.count(keyword) != 0;
}

bool ValidPort(std::string_view port) {
  int n = 0;
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), n);
  return error == std::errc() && end == port.data() + port.size() && n >= 1 && n <= 65535;
}

}  // namespace

// The own login is taken only where it is the same login libpq would make, and libpq keeps
// everything it does not do: one TCP host (a Unix socket or a host list: libpq's rules for
// those), no TLS required (a server that offers TLS to prefer/allow is left to libpq at the
// SSLRequest, so TLS is never given up), no GSS encryption required, no channel binding
// required (impossible without TLS: libpq refuses), any server (target_session_attrs), and no
// setting this file does not know (service files, replication, later libpq keywords).
std::optional<ScramTarget> ScramTargetOf(const std::string& dsn) {
  auto settings = Settings(dsn);
  if (!settings) {
    return std::nullopt;
  }
  auto get = [&](const std::string& keyword) {
    auto it = settings->find(keyword);
    return it == settings->end() ? std::string() : it->second;
  };
  ScramTarget target;
  std::string host = get("host");
  std::string hostaddr = get("hostaddr");
  target.address = hostaddr.empty() ? host : hostaddr;
  target.port = get("port");
  target.server = "\"" + (host.empty() ? hostaddr : host) + "\"";
  if (!host.empty() && !hostaddr.empty()) {
    target.server += " (" + hostaddr + ")";
  }
  if (target.address.empty() || host.find(',') != std::string::npos ||
      hostaddr.find(',') != std::string::npos || host.starts_with('/') || host.starts_with('@') ||
      !ValidPort(target.port)) {
    return std::nullopt;
  }
  std::string sslmode = get("sslmode");
  std::string gssencmode = get("gssencmode");
  if ((sslmode != "disable" && sslmode != "allow" && sslmode != "prefer") ||
      gssencmode == "require" || get("channel_binding") == "require" ||
      get("target_session_attrs") != "any" || get("client_encoding") == "auto") {
    return std::nullopt;
  }
  target.ssl_request = sslmode != "disable";
  target.dbname = get("dbname");
  target.options = get("options");
  target.client_encoding = get("client_encoding");
  target.application_name = get("application_name").empty() ? "rekey" : get("application_name");
  static const std::set<std::string> kHandled = {"host",
                                                 "hostaddr",
                                                 "port",
                                                 "dbname",
                                                 "options",
                                                 "client_encoding",
                                                 "application_name",
                                                 "sslmode",
                                                 "gssencmode",
                                                 "channel_binding",
                                                 "target_session_attrs"};
  for (const auto& [keyword, value] : *settings) {
    if (kHandled.count(keyword) == 0 && !Irrelevant(keyword)) {
      return std::nullopt;
    }
  }
  return target;
}

}  // namespace rekey::postgres
