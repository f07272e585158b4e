#include "run/rollback.h"

#include "plan/planner.h"
#include "run/connector_set.h"
#include "run/step_action.h"
#include "secret/fingerprint.h"

namespace rekey {
namespace {

Status CheckAllowed(const Plan& plan, const RunRecord& run, const std::vector<StepRecord>& steps) {
  if (run.strategy != Strategy::kRotate) {
    return Status::InvalidArgument("run " + run.id +
                                   " is a contain run: an exposed value is never restored");
  }
  if (run.state == RunState::kSucceeded || run.state == RunState::kRolledBack) {
    return Status::InvalidArgument("run " + run.id + " already " +
                                   std::string(RunStateName(run.state)));
  }
  for (const StepRecord& r : steps) {
    const Step* s = plan.FindStep(r.step);
    // A check of the old value changes nothing (a swap issuer checks it right after install).
    bool removes =
        s && (s->action == StepAction::kRemoveOld || s->action == StepAction::kEndSessions);
    if (removes && r.state != StepState::kPending) {
      return Status::InvalidArgument("run " + run.id + " started removing the old value (step " +
                                     std::to_string(s->id) +
                                     "); rollback would not restore it: resume the run instead");
    }
  }
  return Status::Ok();
}

// Gives each binding the old value back where the real system shows the new one; a binding
// the run never reached (or whose write failed) is left alone. Asking the systems rather than
// the step records makes rollback idempotent, also after a rollback that stopped halfway.
// Holders first, so consumers have the old value again before issuers stop taking the new one.
Status Restore(const Inventory& inv, const Identity& id, ConnectorSet& connectors,
               const Fingerprinter& fp, const SecretBytes& old_value, const SecretBytes& new_value,
               Deadline deadline) {
  for (const Binding& h : id.holders) {
    auto holder = connectors.HolderFor(h.name);
    REKEY_RETURN_IF_ERROR(holder.status());
    auto held = (*holder)->Read(deadline);
    if (held.ok() && fp.Fingerprint(*held) == fp.Fingerprint(new_value)) {
      REKEY_RETURN_IF_ERROR((*holder)->Write(old_value, deadline).WithContext(h.name));
    }
  }
  for (const Binding& b : id.issuers) {
    auto issuer = connectors.IssuerFor(b.name);
    REKEY_RETURN_IF_ERROR(issuer.status());
    if ((*issuer)->Accepts(new_value, deadline).value_or(true)) {
      Status undo = BindingCapabilities(inv, b).two_values
                        ? (*issuer)->Remove(new_value, &old_value, deadline)
                        : (*issuer)->Install(old_value, &new_value, deadline);
      REKEY_RETURN_IF_ERROR(undo.WithContext(b.name));
    }
    auto accepted = (*issuer)->Accepts(old_value, deadline);
    if (!accepted.ok() || !*accepted) {
      return Status::Unavailable(b.name + " does not accept the old value after rollback");
    }
  }
  return Status::Ok();
}

}  // namespace

Result<RunRecord> RollbackRun(const ExecutorDeps& deps, const Inventory& inv, const Plan& plan,
                              RunRecord run) {
  auto steps = deps.store->GetSteps(run.id);
  if (!steps.ok()) {
    return steps.status();
  }
  REKEY_RETURN_IF_ERROR(CheckAllowed(plan, run, *steps));
  const Identity* id = inv.FindIdentity(run.identity);
  auto creds = deps.store->GetCredential(run.identity);
  if (id == nullptr || !creds.ok() || !creds->current) {
    return Status::InvalidArgument("run " + run.id + " has no old value to restore");
  }
  Sealer sealer(*deps.master_key);
  auto old_value = sealer.Open(creds->current->sealed, SealingContext(run.identity));
  if (!old_value.ok()) {
    return old_value.status();
  }
  std::optional<SecretBytes> new_value;
  if (creds->pending && creds->pending->run_id == run.id) {
    auto v = sealer.Open(creds->pending->sealed, SealingContext(run.identity));
    if (!v.ok()) {
      return v.status();
    }
    new_value = std::move(*v);
  }
  ConnectorSet connectors(deps.env, deps.resources, inv, *id);
  Journal journal(deps.store, deps.audit, deps.failpoints);
  // First every step back to pending: if the rollback stops halfway, `rekey resume` redoes the
  // whole plan (with the same pending value) instead of trusting steps that were undone.
  for (const StepRecord& r : *steps) {
    if (r.state != StepState::kPending) {
      StepRecord reset;
      reset.step = r.step;
      REKEY_RETURN_IF_ERROR(journal.Write(
          "rollback resets step", [&] { return deps.store->UpdateSteps(run.id, {reset}); }));
    }
  }
  if (new_value) {
    Deadline deadline = deps.env->MonotonicNow() + std::chrono::seconds(60);
    REKEY_RETURN_IF_ERROR(Restore(inv, *id, connectors, Fingerprinter(*deps.master_key), *old_value,
                                  *new_value, deadline));
  }
  REKEY_RETURN_IF_ERROR(journal.Write(
      "discard pending", [&] { return deps.store->DiscardPending(run.identity, run.id); }));
  run.state = RunState::kRolledBack;
  run.finished_at = deps.env->Now();
  REKEY_RETURN_IF_ERROR(
      journal.Audit({{"event", "run_rolled_back"}, {"run", run.id}, {"identity", run.identity}}));
  REKEY_RETURN_IF_ERROR(
      journal.Write("run rolled back", [&] { return deps.store->UpdateRun(run, {}); }));
  return run;
}

}  // namespace rekey
