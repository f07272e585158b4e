// LdapConnection: one libldap connection (LDAP*), owned (RAII), with the few operations the
// `ldap` issuer needs, each bounded by a deadline. libldap's calls block, so before each one the
// connection's network and result timeouts are set to what is left of the deadline. A failure of
// the connection itself (unreachable, no answer in time, TLS) is a Status and breaks the
// connection; an answer of the server, success or not, is an LdapAnswer.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "connectors/connector.h"
#include "secret/secret_bytes.h"

struct ldap;

namespace rekey::ldap {

// Where a directory is and how to reach it.
struct LdapSettings {
  std::string url;        // ldap://host:port or ldaps://host:port (one URL)
  bool starttls = false;  // ldap:// only: StartTLS before anything else is sent
  std::string ca_file;    // CAs that may sign the server's certificate; empty: the system's
};

// The server's answer to one operation: an LDAP result code (0 success, 49 invalid
// credentials, 32 no such object...) and its diagnostic text, which may echo what was sent:
// redact it before keeping it.
struct LdapAnswer {
  int code = 0;
  std::string text;  // "Invalid credentials" or "Invalid credentials: <diagnostic>"
  bool ok() const { return code == 0; }
};

// An attribute change of one Modify; VALUES empty for a delete of the whole attribute.
struct LdapChange {
  enum class Op { kAdd, kDelete, kReplace };
  Op op = Op::kReplace;
  std::string attribute;
  std::vector<std::string_view> values;  // not owned: they must outlive the call
};

class LdapConnection {
 public:
  // A connection to SETTINGS.url, TLS verified (the certificate must chain to a trusted CA and
  // name the host, whatever ldap.conf or LDAPTLS_* say), StartTLS done when asked. Not bound.
  // unavailable / timeout when the server cannot be reached in time; invalid_argument for a
  // URL libldap cannot parse.
  static Result<std::unique_ptr<LdapConnection>> Open(const LdapSettings& settings,
                                                      Deadline deadline);

  // Simple bind as DN with PASSWORD. The answer is the server's (49: invalid credentials).
  Result<LdapAnswer> Bind(const std::string& dn, const SecretBytes& password, Deadline deadline);
  // The Password Modify extended operation (RFC 3062) setting DN's password to VALUE.
  Result<LdapAnswer> PasswordModify(const std::string& dn, const SecretBytes& value,
                                    Deadline deadline);
  // One Modify of DN (atomic on the server): CHANGES in order.
  Result<LdapAnswer> Modify(const std::string& dn, const std::vector<LdapChange>& changes,
                            Deadline deadline);
  // The values of ATTRIBUTES of the entry DN ("" is the root DSE), by attribute name as the
  // server spells it; an attribute the entry lacks is absent. The answer is 32 for no entry.
  using Values = std::map<std::string, std::vector<std::string>>;
  Result<LdapAnswer> Read(const std::string& dn, const std::vector<std::string>& attributes,
                          Values* values, Deadline deadline);

  // True once the connection failed (timeout, connection lost): do not reuse it.
  bool broken() const { return broken_; }

  struct Free {
    void operator()(::ldap* ld) const;
  };
  // Use Open.
  LdapConnection(std::unique_ptr<::ldap, Free> ld, std::string url)
      : ld_(std::move(ld)), url_(std::move(url)) {}

 private:
  // Sets the timeouts to what is left of DEADLINE; timeout if nothing is left.
  Status Bound(Deadline deadline);
  // The answer for libldap's RC: a server's result code, or (negative codes, the client's own
  // failures) a Status that breaks the connection.
  Result<LdapAnswer> Answer(int rc, const char* operation);

  std::unique_ptr<::ldap, Free> ld_;
  std::string url_;
  bool broken_ = false;
};

}  // namespace rekey::ldap
