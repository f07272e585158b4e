// rekey's own accepts? login: SCRAM-SHA-256 over the PostgreSQL v3 protocol on plain TCP
// (StartupMessage, SASL, AuthenticationOk, ReadyForQuery, Terminate), the same login libpq
// makes for such a target at a seventh of its CPU (pbkdf2.h). login_route.h decides when.
#pragma once

#include <optional>
#include <string>

#include "connectors/connector.h"
#include "connectors/postgres/accepts_login.h"
#include "connectors/postgres/login_route.h"
#include "secret/secret_bytes.h"

namespace rekey::postgres {

// What ScramLogin did: the login, or nothing when it is libpq's to make: the server would do TLS
// (it answered the SSLRequest 'S'), asks for another method than SCRAM-SHA-256 (md5, password,
// GSS), or refused before authentication began (pg_hba.conf's answer to a plain connection:
// libpq might negotiate GSS encryption and meet another line).
struct ScramAttempt {
  std::optional<LoginOutcome> outcome;  // nullopt: libpq's to make
  // It answered 'S': a setting of the server, so its later logins may go to libpq at once.
  bool server_does_tls = false;
};

// A login as ROLE with VALUE to TARGET, closed at once. The server must prove it holds the
// role's verifier (its SCRAM signature) before its AuthenticationOk counts. Messages name the
// server as libpq's do.
// REQUIRES: VALUE is ASCII (SASLprep leaves it unchanged), not empty, without NUL. Thread-safe.
ScramAttempt ScramLogin(const ScramTarget& target, const std::string& role,
                        const SecretBytes& value, Deadline deadline);

}  // namespace rekey::postgres
