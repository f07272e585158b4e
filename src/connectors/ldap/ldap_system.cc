#include "connectors/ldap/ldap_system.h"

#include "secret/redact.h"
#include "secret/secret_ref.h"

namespace rekey::ldap {

Result<std::unique_ptr<LdapConnection>> SystemAccess::Connect(Deadline deadline) const {
  auto conn = LdapConnection::Open(settings, deadline);
  if (!conn.ok()) {
    return conn.status().WithContext(Who());
  }
  auto bound = (*conn)->Bind(bind_dn, admin_secret, deadline);
  if (!bound.ok()) {  // libldap's own text: redacted all the same
    return Status(bound.status().code(),
                  Who() + ": " + Redact(bound.status().message(), {&admin_secret}));
  }
  if (!bound->ok()) {
    std::string message = Who() + ": admin bind as \"" + bind_dn +
                          "\" failed: " + Redact(bound->text, {&admin_secret});
    if (bound->code == kInvalidCredentials) {
      return Status::PermissionDenied(message);
    }
    // busy, unavailable: try again; anything else (13, confidentiality required...) is settings.
    return bound->code == 51 || bound->code == 52 ? Status::Unavailable(message)
                                                  : Status::InvalidArgument(message);
  }
  return conn;
}

Result<std::shared_ptr<SystemAccess>> NewSystemAccess(const ConnectorContext& context) {
  const System& system = *context.system;
  auto access = std::make_shared<SystemAccess>();
  access->name = system.name;
  access->settings.url = system.options.StringOr("url", "");
  access->settings.starttls = system.options.GetBool("starttls");
  access->settings.ca_file = system.options.StringOr("ca_file", "");
  access->bind_dn = system.options.StringOr("bind_dn", "");
  const std::string& url = access->settings.url;
  bool ldaps = url.rfind("ldaps://", 0) == 0;
  if (!ldaps && url.rfind("ldap://", 0) != 0) {
    return Status::InvalidArgument(access->Who() + ": url \"" + url +
                                   "\" is not ldap://host:port or ldaps://host:port");
  }
  if (ldaps && access->settings.starttls) {
    return Status::InvalidArgument(access->Who() +
                                   ": starttls is for ldap:// URLs; ldaps:// is TLS already");
  }
  std::string lock = system.options.StringOr("lock", "");
  if (lock != "" && lock != "ppolicy" && lock != "ad") {
    return Status::InvalidArgument(access->Who() + ": lock \"" + lock +
                                   "\" is not ppolicy (OpenLDAP) or ad (Active Directory)");
  }
  access->lock = lock == "ppolicy" ? Lock::kPpolicy : lock == "ad" ? Lock::kAd : Lock::kNone;
  std::string change = system.options.StringOr("password_change", "auto");
  if (change != "auto" && change != "exop" && change != "replace") {
    return Status::InvalidArgument(access->Who() + ": password_change \"" + change +
                                   "\" is not auto, exop or replace");
  }
  access->change = change == "exop"      ? Change::kExop
                   : change == "replace" ? Change::kReplace
                                         : Change::kAuto;
  const SecretRef* ref = system.options.GetSecretRef("admin_secret");
  if (ref == nullptr || access->bind_dn.empty()) {
    return Status::InvalidArgument(access->Who() + " needs bind_dn and admin_secret");
  }
  auto secret = ResolveSecretRef(context.env, *ref);
  if (!secret.ok()) {
    return secret.status().WithContext(access->Who() + ": admin_secret");
  }
  access->admin_secret = std::move(*secret);
  SystemAccess* raw = access.get();
  access->pool = std::make_unique<Pool>([raw](Deadline deadline) { return raw->Connect(deadline); },
                                        AdminPoolSize(system));
  return access;
}

}  // namespace rekey::ldap
