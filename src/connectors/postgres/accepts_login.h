// An accepts? login, made by libpq or by rekey's own SCRAM client (scram_login.h), as one
// outcome, and the one answer both routes give for it.
#pragma once

#include <initializer_list>
#include <string>

#include "base/result.h"
#include "connectors/connector.h"
#include "secret/secret_bytes.h"

namespace rekey::postgres {

struct LoginOutcome {
  bool logged_in = false;       // the server let the role in ...
  bool asked_password = false;  // ... after asking for its password
  bool timed_out = false;       // the deadline passed first
  std::string sqlstate;         // of the server's refusal; "" when it sent none
  std::string message;          // why it failed, on one line; not redacted
};

// A login as ROLE with VALUE by libpq, to DSN (ROLE and VALUE given after it, overriding it),
// closed at once. REQUIRES: VALUE is not empty and holds no NUL byte. Thread-safe.
LoginOutcome LibpqLogin(const std::string& dsn, const std::string& role, const SecretBytes& value,
                        Deadline deadline);

// What OUTCOME answers: true when the role got in after giving a password; false when the
// server refused the credentials or the role (RefusedCredentials); Unavailable when the
// deadline passed or the refusal may not last (RetryableState); InvalidArgument when the role
// got in without a password (no login can then tell) or for any other refusal. An error's
// message starts with WHERE and has SECRETS redacted.
Result<bool> AcceptsAnswer(const LoginOutcome& outcome, const std::string& where,
                           std::initializer_list<const SecretBytes*> secrets);

}  // namespace rekey::postgres
