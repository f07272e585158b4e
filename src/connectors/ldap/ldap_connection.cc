#include "connectors/ldap/ldap_connection.h"

#include <ldap.h>
#include <signal.h>
#include <strings.h>

#include <algorithm>
#include <chrono>
#include <mutex>

namespace rekey::ldap {
namespace {

struct FreeMessage {
  void operator()(LDAPMessage* m) const { ldap_msgfree(m); }
};
using MessagePtr = std::unique_ptr<LDAPMessage, FreeMessage>;

struct FreeValues {
  void operator()(berval** v) const { ldap_value_free_len(v); }
};
using ValuesPtr = std::unique_ptr<berval*, FreeValues>;

struct FreeMemory {
  void operator()(char* p) const { ldap_memfree(p); }
};
using LdapString = std::unique_ptr<char, FreeMemory>;

struct FreeBerElement {
  void operator()(BerElement* b) const { ber_free(b, 0); }
};

// What is left of DEADLINE, at least 1 ms (libldap treats a zero timeout as "poll").
timeval Remaining(Deadline deadline) {
  auto left = std::chrono::duration_cast<std::chrono::microseconds>(
      deadline - std::chrono::steady_clock::now());
  long long us = std::max<long long>(left.count(), 1000);
  return timeval{static_cast<time_t>(us / 1000000), static_cast<suseconds_t>(us % 1000000)};
}

// A berval that points at BYTES (libldap only reads them).
berval View(std::string_view bytes) {
  return berval{static_cast<ber_len_t>(bytes.size()), const_cast<char*>(bytes.data())};
}

// libldap reads ldap.conf and the LDAP* environment once, on first use, and a write to a socket
// the server closed must not kill the process.
void InitOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    ::signal(SIGPIPE, SIG_IGN);
    int version = 0;
    ldap_get_option(nullptr, LDAP_OPT_PROTOCOL_VERSION, &version);
  });
}

// Per-connection options: v3, no referrals chased (they would take our credentials elsewhere),
// TLS verified against CA_FILE (or the system's CAs) in a context of this connection's own. A
// connection without TLS makes no context: loading the system's CAs costs more than the bind.
Status SetOptions(LDAP* ld, const LdapSettings& settings) {
  int version = LDAP_VERSION3;
  int demand = LDAP_OPT_X_TLS_DEMAND;
  int client = 0;
  bool ok = ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) == LDAP_OPT_SUCCESS &&
            ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) == LDAP_OPT_SUCCESS &&
            ldap_set_option(ld, LDAP_OPT_RESTART, LDAP_OPT_ON) == LDAP_OPT_SUCCESS;
  bool plain = !settings.starttls && strncasecmp(settings.url.c_str(), "ldap://", 7) == 0;
  if (plain) {
    return ok ? Status::Ok() : Status::InvalidArgument("cannot set the connection's options");
  }
  ok = ok && ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) == LDAP_OPT_SUCCESS;
  if (ok && !settings.ca_file.empty()) {
    ok = ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, settings.ca_file.c_str()) ==
         LDAP_OPT_SUCCESS;
  }
  ok = ok && ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &client) == LDAP_OPT_SUCCESS;
  return ok ? Status::Ok()
            : Status::InvalidArgument("cannot set the connection's options (TLS: is ca_file " +
                                      settings.ca_file + " a readable PEM file?)");
}

}  // namespace

void LdapConnection::Free::operator()(LDAP* ld) const { ldap_unbind_ext(ld, nullptr, nullptr); }

Result<std::unique_ptr<LdapConnection>> LdapConnection::Open(const LdapSettings& settings,
                                                             Deadline deadline) {
  InitOnce();
  LDAP* raw = nullptr;
  int rc = ldap_initialize(&raw, settings.url.c_str());
  std::unique_ptr<LDAP, Free> ld(raw);
  if (rc != LDAP_SUCCESS || ld == nullptr) {
    return Status::InvalidArgument("url \"" + settings.url + "\": " + ldap_err2string(rc));
  }
  REKEY_RETURN_IF_ERROR(SetOptions(ld.get(), settings));
  auto conn = std::make_unique<LdapConnection>(std::move(ld), settings.url);
  if (settings.starttls) {
    REKEY_RETURN_IF_ERROR(conn->Bound(deadline));
    Result<LdapAnswer> tls =
        conn->Answer(ldap_start_tls_s(conn->ld_.get(), nullptr, nullptr), "StartTLS");
    if (!tls.ok()) {
      return tls.status();
    }
    if (!tls->ok()) {  // e.g. 2, protocol error: the server offers no StartTLS
      return Status::Unavailable("StartTLS refused by " + settings.url + ": " + tls->text);
    }
  }
  return conn;
}

Status LdapConnection::Bound(Deadline deadline) {
  if (std::chrono::steady_clock::now() >= deadline) {
    return Status::Timeout("the deadline passed before the request to " + url_ + " was sent");
  }
  timeval left = Remaining(deadline);
  if (ldap_set_option(ld_.get(), LDAP_OPT_NETWORK_TIMEOUT, &left) != LDAP_OPT_SUCCESS ||
      ldap_set_option(ld_.get(), LDAP_OPT_TIMEOUT, &left) != LDAP_OPT_SUCCESS) {
    return Status::Internal("cannot set the timeouts of the connection to " + url_);
  }
  return Status::Ok();
}

Result<LdapAnswer> LdapConnection::Answer(int rc, const char* operation) {
  LdapAnswer answer{rc, ldap_err2string(rc)};
  char* diagnostic = nullptr;
  ldap_get_option(ld_.get(), LDAP_OPT_DIAGNOSTIC_MESSAGE, &diagnostic);
  LdapString owned(diagnostic);
  if (rc >= 0) {
    if (diagnostic != nullptr && *diagnostic != '\0') {
      answer.text += std::string(": ") + diagnostic;
    }
    return answer;
  }
  broken_ = true;  // a client-side failure: the connection is out of step or gone
  std::string message = std::string(operation) + " to " + url_ + ": " + answer.text;
  if (diagnostic != nullptr && *diagnostic != '\0') {
    message += std::string(" (") + diagnostic + ")";
  }
  return rc == LDAP_TIMEOUT ? Status::Timeout(message + ": no answer before the deadline")
                            : Status::Unavailable(message);
}

Result<LdapAnswer> LdapConnection::Bind(const std::string& dn, const SecretBytes& password,
                                        Deadline deadline) {
  REKEY_RETURN_IF_ERROR(Bound(deadline));
  berval cred = View(password.Expose());
  return Answer(
      ldap_sasl_bind_s(ld_.get(), dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr),
      "bind");
}

Result<LdapAnswer> LdapConnection::PasswordModify(const std::string& dn, const SecretBytes& value,
                                                  Deadline deadline) {
  REKEY_RETURN_IF_ERROR(Bound(deadline));
  berval user = View(dn);
  berval fresh = View(value.Expose());
  berval generated{0, nullptr};  // stays empty: the new password is given
  int rc = ldap_passwd_s(ld_.get(), &user, nullptr, &fresh, &generated, nullptr, nullptr);
  LdapString owned(generated.bv_val);
  return Answer(rc, "password modify");
}

Result<LdapAnswer> LdapConnection::Modify(const std::string& dn,
                                          const std::vector<LdapChange>& changes,
                                          Deadline deadline) {
  REKEY_RETURN_IF_ERROR(Bound(deadline));
  std::vector<std::vector<berval>> values(changes.size());
  std::vector<std::vector<berval*>> pointers(changes.size());
  std::vector<LDAPMod> mods(changes.size());
  std::vector<LDAPMod*> list;
  for (size_t i = 0; i < changes.size(); ++i) {
    for (std::string_view v : changes[i].values) {
      values[i].push_back(View(v));
    }
    for (berval& b : values[i]) {
      pointers[i].push_back(&b);
    }
    pointers[i].push_back(nullptr);
    int op = changes[i].op == LdapChange::Op::kAdd      ? LDAP_MOD_ADD
             : changes[i].op == LdapChange::Op::kDelete ? LDAP_MOD_DELETE
                                                        : LDAP_MOD_REPLACE;
    mods[i].mod_op = op | LDAP_MOD_BVALUES;
    mods[i].mod_type = const_cast<char*>(changes[i].attribute.c_str());
    mods[i].mod_bvalues = changes[i].values.empty() ? nullptr : pointers[i].data();
    list.push_back(&mods[i]);
  }
  list.push_back(nullptr);
  return Answer(ldap_modify_ext_s(ld_.get(), dn.c_str(), list.data(), nullptr, nullptr), "modify");
}

Result<LdapAnswer> LdapConnection::Read(const std::string& dn,
                                        const std::vector<std::string>& attributes, Values* values,
                                        Deadline deadline) {
  REKEY_RETURN_IF_ERROR(Bound(deadline));
  std::vector<char*> attrs;
  for (const std::string& a : attributes) {
    attrs.push_back(const_cast<char*>(a.c_str()));
  }
  attrs.push_back(nullptr);
  timeval left = Remaining(deadline);
  LDAPMessage* raw = nullptr;
  int rc = ldap_search_ext_s(ld_.get(), dn.c_str(), LDAP_SCOPE_BASE, "(objectClass=*)",
                             attrs.data(), 0, nullptr, nullptr, &left, 1, &raw);
  MessagePtr result(raw);
  Result<LdapAnswer> answer = Answer(rc, "search");
  if (!answer.ok() || !answer->ok()) {
    return answer;
  }
  values->clear();
  LDAPMessage* entry = ldap_first_entry(ld_.get(), result.get());
  if (entry == nullptr) {
    return LdapAnswer{LDAP_NO_SUCH_OBJECT, ldap_err2string(LDAP_NO_SUCH_OBJECT)};
  }
  BerElement* ber_raw = nullptr;
  for (LdapString name(ldap_first_attribute(ld_.get(), entry, &ber_raw)); name != nullptr;
       name.reset(ldap_next_attribute(ld_.get(), entry, ber_raw))) {
    ValuesPtr vals(ldap_get_values_len(ld_.get(), entry, name.get()));
    std::vector<std::string>& out = (*values)[name.get()];
    for (berval** v = vals.get(); v != nullptr && *v != nullptr; ++v) {
      out.emplace_back((*v)->bv_val, (*v)->bv_len);
    }
  }
  std::unique_ptr<BerElement, FreeBerElement> ber(ber_raw);
  return answer;
}

}  // namespace rekey::ldap
