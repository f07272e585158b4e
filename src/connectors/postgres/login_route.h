// Which way an accepts? login goes: rekey's own SCRAM-SHA-256 client (scram_login.h), which
// costs a seventh of libpq's CPU, where it would do exactly what libpq does; libpq everywhere
// else. See doc/connectors/postgres.md.
#pragma once

#include <optional>
#include <string>

namespace rekey::postgres {

// Where the own login goes, with the startup parameters libpq would send besides the user.
struct ScramTarget {
  std::string server;   // as libpq names it in messages: "host", or "host" (hostaddr)
  std::string address;  // connected to: hostaddr if given, else host
  std::string port;
  std::string dbname;            // "" when libpq would send none (the server takes the role's)
  std::string application_name;  // the dsn's, else "rekey"
  std::string options;           // "" when none
  std::string client_encoding;   // "" when none
  bool ssl_request = false;      // sslmode prefer/allow: ask first, and leave TLS to libpq
};

// The own login's target for DSN (a libpq conninfo string or URI that PQconninfoParse accepts),
// with libpq's defaults (PG* variables, compiled defaults) under it; nullopt when libpq must
// log in: a Unix socket, several hosts, TLS required, a service file, or any setting the own
// login does not implement. Reads the environment: call once per dsn, not per login.
std::optional<ScramTarget> ScramTargetOf(const std::string& dsn);

}  // namespace rekey::postgres
