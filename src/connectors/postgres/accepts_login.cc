#include "connectors/postgres/accepts_login.h"

#include "connectors/postgres/pg_client.h"
#include "secret/redact.h"

namespace rekey::postgres {

LoginOutcome LibpqLogin(const std::string& dsn, const std::string& role, const SecretBytes& value,
                        Deadline deadline) {
  CString clear(value.Expose());
  const char* keywords[] = {"dbname", "user", "password", "fallback_application_name", nullptr};
  const char* values[] = {dsn.c_str(), role.c_str(), clear.get(), "rekey", nullptr};
  Login login = LogIn(keywords, values, deadline);
  LoginOutcome outcome;
  outcome.logged_in = login.conn != nullptr;
  outcome.asked_password = outcome.logged_in && PQconnectionUsedPassword(login.conn.get()) != 0;
  outcome.timed_out = login.timed_out;
  outcome.sqlstate = std::move(login.sqlstate);
  outcome.message = std::move(login.message);
  return outcome;
}

Result<bool> AcceptsAnswer(const LoginOutcome& outcome, const std::string& where,
                           std::initializer_list<const SecretBytes*> secrets) {
  if (outcome.logged_in) {
    if (!outcome.asked_password) {
      return Status::InvalidArgument(
          where +
          ": the server let the role in without asking for a password (pg_hba.conf trust, peer "
          "or cert), so no login can show whether a value is accepted");
    }
    return true;
  }
  if (RefusedCredentials(outcome.sqlstate)) {
    return false;
  }
  std::string message = where + ": login failed: " + Redact(outcome.message, secrets);
  if (outcome.timed_out || RetryableState(outcome.sqlstate)) {
    return Status::Unavailable(message);
  }
  return Status::InvalidArgument(message);
}

}  // namespace rekey::postgres
