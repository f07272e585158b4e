// The password is set with the Password Modify extended operation (the server hashes it by its
// own policy) where the root DSE lists it, else by replacing userPassword. ppolicy's lock is
// pwdAccountLockedTime, which OpenLDAP deletes whenever a password changes: while rekey's own
// lock is on, the password is changed by one Modify that deletes the lock, replaces
// userPassword and adds the lock again, so that the account is never unlocked in between.
// Admin connections come from a pool per system; each acceptance check is a bind on a new
// connection, because a bind on a pooled one would change whose it is.
#include "connectors/ldap/ldap_issuer.h"

#include <algorithm>
#include <mutex>

#include "connectors/ldap/ldap_connection.h"
#include "connectors/ldap/ldap_system.h"
#include "secret/redact.h"

namespace rekey::ldap {
namespace {

using Lease = Pool::Lease;
using Op = LdapChange::Op;

// ppolicy: "locked by an administrator, until unlocked".
constexpr std::string_view kLockedForever = "000001010000Z";
constexpr long long kAccountDisable = 0x2;  // AD userAccountControl ACCOUNTDISABLE
constexpr std::string_view kPasswordModifyOid = "1.3.6.1.4.1.4203.1.11.1";
constexpr int kNoSuchObject = 32, kNoSuchAttribute = 16;

class LdapIssuer final : public Issuer {
 public:
  LdapIssuer(SystemAccess& system, std::string dn) : s_(system), dn_(std::move(dn)) {}

  Status Install(const SecretBytes& value, const SecretBytes*, Deadline deadline) override {
    return SetPassword(value, "install", deadline);
  }

  // One password per entry: removing a value is installing the one that stays.
  Status Remove(const SecretBytes& value, const SecretBytes* next, Deadline deadline) override {
    if (next == nullptr) {
      return RemoveIfCurrent(value, deadline);
    }
    if (next->Equals(value)) {
      return Status::InvalidArgument(Where("remove") + ": the value to remove is the one to keep");
    }
    return SetPassword(*next, "remove", deadline);
  }

  // A simple bind on a new connection: 49 (invalid credentials, which a locked or disabled
  // account also gets) is "rejected"; any other refusal is an error, never a rejection.
  Result<bool> Accepts(const SecretBytes& value, Deadline deadline) override {
    if (value.empty()) {
      return false;  // a simple bind without a password is anonymous: no account accepts ""
    }
    auto conn = LdapConnection::Open(s_.settings, deadline);
    if (!conn.ok()) {
      return conn.status().WithContext(Where("accepts"));
    }
    auto bound = (*conn)->Bind(dn_, value, deadline);
    if (!bound.ok()) {
      return bound.status().WithContext(Where("accepts"));
    }
    if (bound->ok()) {
      return true;
    }
    if (bound->code == kInvalidCredentials) {
      return false;
    }
    return Failed("accepts", *bound, &value);
  }

  Status EndSessions(const SecretBytes&, Deadline) override {
    return Status::Internal(Where("end sessions") +
                            ": an LDAP server cannot end the sessions of one DN (capabilities say "
                            "unendable; the planner never asks)");
  }

  Status Disable(Deadline deadline) override { return SetLock(true, deadline); }
  Status Enable(Deadline deadline) override { return SetLock(false, deadline); }

 private:
  std::string Where(std::string_view operation) const {
    return s_.Who() + ", dn \"" + dn_ + "\": " + std::string(operation);
  }

  Result<Lease> Acquire(Deadline deadline) {
    Result<Lease> lease = s_.pool->Acquire(deadline);
    if (!lease.ok() && lease.status().code() == StatusCode::kTimeout) {
      return lease.status().WithContext(s_.Who());
    }
    return lease;
  }

  // R, an answer on LEASE's connection: a connection that failed is discarded, and a failure
  // gets OPERATION's context.
  Result<LdapAnswer> Checked(Lease& lease, Result<LdapAnswer> r, std::string_view operation) {
    if (lease->broken()) {
      lease.Discard();
    }
    return r.ok() ? r : r.status().WithContext(Where(operation));
  }

  Status SetPassword(const SecretBytes& value, std::string_view operation, Deadline deadline);
  Status RemoveIfCurrent(const SecretBytes& value, Deadline deadline);
  Status SetLock(bool locked, Deadline deadline);
  Status SetAdDisabled(Lease& lease, bool disabled, Deadline deadline);
  Result<bool> LockedByRekey(Lease& lease, std::string_view operation, Deadline deadline);
  Result<bool> UseExop(Lease& lease, Deadline deadline);
  Status Failed(std::string_view operation, const LdapAnswer& answer,
                const SecretBytes* value = nullptr) const;

  SystemAccess& s_;
  const std::string dn_;
};

Status LdapIssuer::SetPassword(const SecretBytes& value, std::string_view operation,
                               Deadline deadline) {
  if (value.empty()) {
    return Status::InvalidArgument(Where(operation) + ": an LDAP password cannot be empty");
  }
  Result<Lease> lease = Acquire(deadline);
  if (!lease.ok()) {
    return lease.status();
  }
  Result<LdapAnswer> answer = LdapAnswer{};
  auto locked = LockedByRekey(*lease, operation, deadline);
  if (!locked.ok()) {
    return locked.status();
  }
  if (*locked) {
    std::vector<LdapChange> changes = {{Op::kDelete, "pwdAccountLockedTime", {kLockedForever}},
                                       {Op::kReplace, "userPassword", {value.Expose()}},
                                       {Op::kAdd, "pwdAccountLockedTime", {kLockedForever}}};
    answer = Checked(*lease, (*lease)->Modify(dn_, changes, deadline), operation);
    if (answer.ok() && answer->code == kNoSuchAttribute) {  // unlocked since it was read
      return Status::Unavailable(Where(operation) + ": the account's lock changed meanwhile");
    }
  } else {
    auto exop = UseExop(*lease, deadline);
    if (!exop.ok()) {
      return exop.status();
    }
    answer = *exop ? Checked(*lease, (*lease)->PasswordModify(dn_, value, deadline), operation)
                   : Checked(*lease,
                             (*lease)->Modify(
                                 dn_, {{Op::kReplace, "userPassword", {value.Expose()}}}, deadline),
                             operation);
  }
  if (!answer.ok()) {
    return answer.status();
  }
  return answer->ok() ? Status::Ok() : Failed(operation, *answer, &value);
}

// Without the value that stays, userPassword is deleted only if a bind shows it is still VALUE:
// a value installed meanwhile must stay accepted.
Status LdapIssuer::RemoveIfCurrent(const SecretBytes& value, Deadline deadline) {
  {
    Result<Lease> lease = Acquire(deadline);
    if (!lease.ok()) {
      return lease.status();
    }
    auto locked = LockedByRekey(*lease, "remove", deadline);
    if (!locked.ok()) {
      return locked.status();
    }
    if (*locked) {
      return Status::InvalidArgument(
          Where("remove") +
          ": the account is locked, so no bind can show whether its password is the value to "
          "remove; remove it by installing the value that stays");
    }
  }
  auto accepted = Accepts(value, deadline);
  if (!accepted.ok() || !*accepted) {
    return accepted.status();
  }
  Result<Lease> lease = Acquire(deadline);
  if (!lease.ok()) {
    return lease.status();
  }
  auto answer = Checked(
      *lease, (*lease)->Modify(dn_, {{Op::kDelete, "userPassword", {}}}, deadline), "remove");
  if (!answer.ok()) {
    return answer.status();
  }
  return answer->ok() || answer->code == kNoSuchAttribute ? Status::Ok()
                                                          : Failed("remove", *answer, &value);
}

// ppolicy: lock = replace pwdAccountLockedTime with kLockedForever, unlock = delete it (already
// absent is done). AD: the ACCOUNTDISABLE bit of userAccountControl.
Status LdapIssuer::SetLock(bool locked, Deadline deadline) {
  std::string_view operation = locked ? "disable" : "enable";
  if (s_.lock == Lock::kNone) {
    return Status::Internal(Where(operation) + ": the system has no `lock` setting");
  }
  Result<Lease> lease = Acquire(deadline);
  if (!lease.ok()) {
    return lease.status();
  }
  if (s_.lock == Lock::kAd) {
    return SetAdDisabled(*lease, locked, deadline);
  }
  LdapChange change = locked ? LdapChange{Op::kReplace, "pwdAccountLockedTime", {kLockedForever}}
                             : LdapChange{Op::kDelete, "pwdAccountLockedTime", {}};
  auto answer = Checked(*lease, (*lease)->Modify(dn_, {change}, deadline), operation);
  if (!answer.ok()) {
    return answer.status();
  }
  bool done = answer->ok() || (!locked && answer->code == kNoSuchAttribute);
  return done ? Status::Ok() : Failed(operation, *answer);
}

// A read-modify-write of userAccountControl that cannot lose a concurrent change: the Modify
// deletes the value read and adds the new one, so it fails (and is retried) if the value changed
// in between. Not tested against a real Active Directory.
Status LdapIssuer::SetAdDisabled(Lease& lease, bool disabled, Deadline deadline) {
  std::string_view operation = disabled ? "disable" : "enable";
  LdapConnection::Values values;
  auto read =
      Checked(lease, lease->Read(dn_, {"userAccountControl"}, &values, deadline), operation);
  if (!read.ok()) {
    return read.status();
  }
  if (!read->ok()) {
    return Failed(operation, *read);
  }
  auto it = values.find("userAccountControl");
  if (it == values.end() || it->second.size() != 1 || it->second[0].empty() ||
      it->second[0].find_first_not_of("0123456789") != std::string::npos) {
    return Status::InvalidArgument(Where(operation) +
                                   ": the entry has no numeric userAccountControl (lock: ad is "
                                   "for Active Directory accounts)");
  }
  const std::string& was = it->second[0];
  long long flags = std::stoll(was);
  long long want = disabled ? (flags | kAccountDisable) : (flags & ~kAccountDisable);
  if (want == flags) {
    return Status::Ok();
  }
  std::string now = std::to_string(want);
  auto answer = Checked(lease,
                        lease->Modify(dn_,
                                      {{Op::kDelete, "userAccountControl", {was}},
                                       {Op::kAdd, "userAccountControl", {now}}},
                                      deadline),
                        operation);
  if (!answer.ok()) {
    return answer.status();
  }
  if (answer->code == kNoSuchAttribute) {
    return Status::Unavailable(Where(operation) + ": userAccountControl changed meanwhile");
  }
  return answer->ok() ? Status::Ok() : Failed(operation, *answer);
}

// Whether rekey's ppolicy lock (kLockedForever) is on the entry; false unless lock is ppolicy.
Result<bool> LdapIssuer::LockedByRekey(Lease& lease, std::string_view operation,
                                       Deadline deadline) {
  if (s_.lock != Lock::kPpolicy) {
    return false;
  }
  LdapConnection::Values values;
  auto read =
      Checked(lease, lease->Read(dn_, {"pwdAccountLockedTime"}, &values, deadline), operation);
  if (!read.ok()) {
    return read.status();
  }
  if (!read->ok()) {
    return Failed(operation, *read);
  }
  auto it = values.find("pwdAccountLockedTime");
  return it != values.end() &&
         std::find(it->second.begin(), it->second.end(), kLockedForever) != it->second.end();
}

// Password Modify when the setting says so, or (auto) when the root DSE lists it; asked once
// per system and process.
Result<bool> LdapIssuer::UseExop(Lease& lease, Deadline deadline) {
  if (s_.change != Change::kAuto) {
    return s_.change == Change::kExop;
  }
  {
    std::lock_guard lock(s_.mu);
    if (s_.exop.has_value()) {
      return *s_.exop;
    }
  }
  LdapConnection::Values values;
  auto read =
      Checked(lease, lease->Read("", {"supportedExtension"}, &values, deadline), "root DSE");
  if (!read.ok()) {
    return read.status();
  }
  if (!read->ok()) {
    return Failed("read the root DSE", *read);
  }
  const std::vector<std::string>& listed = values["supportedExtension"];
  bool exop = std::find(listed.begin(), listed.end(), kPasswordModifyOid) != listed.end();
  std::lock_guard lock(s_.mu);
  s_.exop = exop;
  return exop;
}

// A refusal of the server: busy, unavailable and time limit are retried; the rest is permanent.
Status LdapIssuer::Failed(std::string_view operation, const LdapAnswer& answer,
                          const SecretBytes* value) const {
  std::string message = Where(operation) + ": " + Redact(answer.text, {value, &s_.admin_secret}) +
                        " (" + std::to_string(answer.code) + ")";
  switch (answer.code) {
    case 3:   // timeLimitExceeded
    case 51:  // busy
    case 52:  // unavailable
      return Status::Unavailable(message);
    case kNoSuchObject:
      return Status::NotFound(message);
    case 50:  // insufficientAccessRights
    case kInvalidCredentials:
      return Status::PermissionDenied(message);
    case 19:  // constraintViolation (a password policy's quality or history check)
    case 53:  // unwillingToPerform
    case 65:  // objectClassViolation
      return Status::InvalidArgument(message);
    default:
      return Status::Internal(message);
  }
}

}  // namespace

Result<std::unique_ptr<Issuer>> MakeLdapIssuer(const ConnectorContext& context) {
  REKEY_CHECK(context.env != nullptr && context.system != nullptr && context.binding != nullptr &&
              context.resources != nullptr);
  const std::string* dn = context.binding->options.GetString("dn");
  if (dn == nullptr || dn->empty()) {
    return Status::InvalidArgument("ldap issuer \"" + context.binding->name + "\" needs a dn");
  }
  auto access = NewSystemAccess(context);
  if (!access.ok()) {
    return access.status();
  }
  // The first binding's settings (and pool) serve every binding of the system in the process.
  const System& system = *context.system;
  SystemAccess& shared = context.resources->Get<SystemAccess>(
      "ldap/" + system.name + "/" + (*access)->settings.url + "/" + (*access)->bind_dn,
      [&] { return *access; });
  return std::unique_ptr<Issuer>(std::make_unique<LdapIssuer>(shared, *dn));
}

}  // namespace rekey::ldap
