#include "run/step_action.h"

#include "connectors/exec/action.h"
#include "secret/generator.h"
#include "secret/redact.h"

namespace rekey {
namespace {

const Consumer* FindConsumer(const Identity& id, const std::string& name) {
  for (const Consumer& c : id.consumers) {
    if (c.name == name) {
      return &c;
    }
  }
  return nullptr;
}

Result<SecretBytes> NewValue(const Identity& id) {
  if (id.kind == CredentialKind::kSshKey) {
    return GenerateSshPrivateKey("rekey:" + id.name);
  }
  return GenerateSecret(id.generate);
}

// Generate: reuse the value this run already journaled, else make, seal and journal one. The
// value reaches no system before StagePending returns: the write-ahead point. Already journaled
// means pending, or current: a crash after the promotion but before generate's done record was
// written leaves generate to be repeated, and a new value then would be one no holder has.
Result<std::string> Generate(const StepEnv& e) {
  Store* store = e.journal->store();
  auto creds = store->GetCredential(e.identity->name);
  if (!creds.ok()) {
    return creds.status();
  }
  for (const std::optional<StoredValue>* slot : {&creds->pending, &creds->current}) {
    if (!*slot || (*slot)->run_id != e.run->id) {
      continue;
    }
    auto value = e.sealer->Open((*slot)->sealed, SealingContext(e.identity->name));
    if (!value.ok()) {
      return value.status();
    }
    e.values->new_value = std::move(*value);
    return "value " + Fingerprinter::Short((*slot)->fingerprint) + " already journaled";
  }
  auto value = NewValue(*e.identity);
  if (!value.ok()) {
    return value.status();
  }
  StoredValue stored{e.sealer->Seal(*value, SealingContext(e.identity->name)),
                     e.fingerprinter->Fingerprint(*value), e.run->id, e.env->Now()};
  REKEY_RETURN_IF_ERROR(e.journal->Write(
      "stage pending", [&] { return store->StagePending(e.identity->name, stored); }));
  e.values->new_value = std::move(*value);
  return "new value " + Fingerprinter::Short(stored.fingerprint) + " sealed and journaled";
}

// Answers with OK when ISSUER's answer about VALUE is WANT, else unavailable (retry: systems may
// take a moment to converge).
Result<std::string> ExpectAccepts(Issuer* issuer, const SecretBytes& value, bool want,
                                  const std::string& what, const std::string& who,
                                  Deadline deadline) {
  Result<bool> accepted = issuer->Accepts(value, deadline);
  if (!accepted.ok()) {
    return accepted.status();
  }
  std::string verdict = std::string(*accepted ? "accepted" : "rejected") + " by " + who;
  if (*accepted != want) {
    return Status::Unavailable(what + " still " + verdict);
  }
  return what + " " + verdict;
}

Result<std::string> IssuerStep(const Step& s, const StepEnv& e, bool check_first, Deadline dl) {
  auto issuer = e.connectors->IssuerFor(s.binding);
  if (!issuer.ok()) {
    return issuer.status();
  }
  Issuer* i = *issuer;
  const SecretBytes& old_value = e.values->old_value;
  const SecretBytes& new_value = e.values->new_value;
  switch (s.action) {
    case StepAction::kInstall:
      if (check_first && i->Accepts(new_value, dl).value_or(false)) {
        REKEY_RETURN_IF_ERROR(i->Persist(dl));
        return "new value found already installed at " + s.binding;
      }
      REKEY_RETURN_IF_ERROR(i->Install(new_value, &old_value, dl));
      return "new value installed at " + s.binding;
    case StepAction::kRemoveOld:
      // No check first: "the old value is rejected" proves nothing while the identity is
      // disabled (contain), and removal is idempotent by the connector contract.
      REKEY_RETURN_IF_ERROR(i->Remove(old_value, &new_value, dl));
      return "old value removed from " + s.binding;
    case StepAction::kEndSessions:
      REKEY_RETURN_IF_ERROR(i->EndSessions(old_value, dl));
      return "sessions of the old value ended at " + s.binding;
    case StepAction::kDisable:
      REKEY_RETURN_IF_ERROR(i->Disable(dl));
      return "identity disabled at " + s.binding;
    case StepAction::kEnable:
      REKEY_RETURN_IF_ERROR(i->Enable(dl));
      return "identity re-enabled at " + s.binding;
    case StepAction::kVerifyOldRejected:
      return ExpectAccepts(i, old_value, false, "old value", s.binding, dl);
    case StepAction::kVerifyNewAccepted:
      return ExpectAccepts(i, new_value, true, "new value", s.binding, dl);
    default:
      return Status::Internal("not an issuer action");
  }
}

Result<std::string> HolderStep(const Step& s, const StepEnv& e, Deadline dl) {
  auto holder = e.connectors->HolderFor(s.binding);
  if (!holder.ok()) {
    return holder.status();
  }
  if (s.action == StepAction::kDestroyOldVersion) {
    REKEY_RETURN_IF_ERROR((*holder)->DestroyVersion(e.values->old_value, dl));
    return "old version destroyed in " + s.binding;
  }
  // Writing is idempotent, so a write in flight at a crash is simply written again; the read-back
  // below is the check that it holds.
  REKEY_RETURN_IF_ERROR((*holder)->Write(e.values->new_value, dl));
  auto caps = e.connectors->HolderCapabilities(s.binding);
  if (!caps.ok()) {
    return caps.status();
  }
  std::string want = e.fingerprinter->Fingerprint(e.values->new_value);
  if (caps->write_only) {
    // Nothing can be read back: the holder's Write verified what its API confirms.
    return s.binding + " accepted the new value " + Fingerprinter::Short(want) +
           " (write-only: confirmed by its API, not read back)";
  }
  Result<SecretBytes> held = (*holder)->Read(dl);
  if (!held.ok()) {
    return held.status().WithContext("read back " + s.binding);
  }
  std::string got = e.fingerprinter->Fingerprint(*held);
  if (got != want) {
    return Status::Unavailable(s.binding + " holds " + Fingerprinter::Short(got) +
                               " after the write, not the new value " + Fingerprinter::Short(want));
  }
  return s.binding + " holds the new value " + Fingerprinter::Short(want);
}

Result<std::string> ConsumerStep(const Step& s, const StepEnv& e, Deadline dl) {
  const Consumer* c = FindConsumer(*e.identity, s.binding);
  if (c == nullptr) {
    return Status::NotFound("no consumer \"" + s.binding + "\"");
  }
  const std::optional<Action>& action = s.action == StepAction::kAttest   ? c->attest
                                        : s.action == StepAction::kReload ? c->reload
                                                                          : c->confirm;
  std::string verb(StepActionName(s.action));
  REKEY_RETURN_IF_ERROR(exec::RunConsumerAction(e.env, verb, *action, e.values->new_value, dl)
                            .WithContext("consumer " + s.binding));
  return s.binding + (s.action == StepAction::kConfirm  ? " confirmed the new value"
                      : s.action == StepAction::kAttest ? " re-attested"
                                                        : " reloaded");
}

Result<std::string> Perform(const Step& step, const StepEnv& env, bool check_first,
                            Deadline deadline) {
  switch (step.role) {
    case Role::kIssuer:
      return IssuerStep(step, env, check_first, deadline);
    case Role::kHolder:
      return HolderStep(step, env, deadline);
    case Role::kConsumer:
      return ConsumerStep(step, env, deadline);
    case Role::kNone:
      break;
  }
  if (step.action == StepAction::kGenerate) {
    return Generate(env);
  }
  REKEY_RETURN_IF_ERROR(env.journal->Write(
      "promote", [&] { return env.journal->store()->Promote(env.identity->name, env.run->id); }));
  return std::string("pending value promoted to current");
}

}  // namespace

std::string SealingContext(const std::string& identity) { return "rekey/v1/identity/" + identity; }

// Every failure is redacted of both of the run's values, whichever connector it came from and
// whatever it was given: a system may echo a value it knows but was not handed in this call
// (a disable command printing the account's password).
Result<std::string> PerformStep(const Step& step, const StepEnv& env, bool check_first,
                                Deadline deadline) {
  Result<std::string> done = Perform(step, env, check_first, deadline);
  if (done.ok()) {
    return done;
  }
  const RunValues* v = env.values;
  return Status(done.status().code(),
                Redact(done.status().message(),
                       {v ? &v->old_value : nullptr, v ? &v->new_value : nullptr}))
      .WithRetryAfter(done.status().retry_after());
}

}  // namespace rekey
