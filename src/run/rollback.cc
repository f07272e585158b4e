#include "run/rollback.h"

#include "plan/planner.h"
#include "run/connector_set.h"
#include "run/step_action.h"

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
    bool removes =
        s && (s->action == StepAction::kRemoveOld || s->action == StepAction::kEndSessions ||
              s->action == StepAction::kVerifyOldRejected);
    if (removes && r.state != StepState::kPending) {
      return Status::InvalidArgument("run " + run.id + " started removing the old value (step " +
                                     std::to_string(s->id) +
                                     "); rollback would not restore it: resume the run instead");
    }
  }
  return Status::Ok();
}

bool Started(const std::vector<StepRecord>& steps, int id) {
  for (const StepRecord& r : steps) {
    if (r.step == id) {
      return r.state != StepState::kPending;
    }
  }
  return false;
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
  ConnectorSet connectors(deps.env, inv, *id);
  Journal journal(deps.store, deps.audit, deps.failpoints);
  Deadline deadline = deps.env->MonotonicNow() + std::chrono::seconds(60);
  for (const Step& s : plan.steps) {
    if (!Started(*steps, s.id) || !new_value) {
      continue;
    }
    if (s.action == StepAction::kWrite) {
      auto holder = connectors.HolderFor(s.binding);
      REKEY_RETURN_IF_ERROR(holder.status());
      REKEY_RETURN_IF_ERROR((*holder)->Write(*old_value, deadline).WithContext(s.binding));
    } else if (s.action == StepAction::kInstall) {
      auto issuer = connectors.IssuerFor(s.binding);
      REKEY_RETURN_IF_ERROR(issuer.status());
      const Binding* b = nullptr;
      for (const Binding& i : id->issuers) {
        b = i.name == s.binding ? &i : b;
      }
      Status undo = BindingCapabilities(inv, *b).two_values
                        ? (*issuer)->Remove(*new_value, &*old_value, deadline)
                        : (*issuer)->Install(*old_value, &*new_value, deadline);
      REKEY_RETURN_IF_ERROR(undo.WithContext(s.binding));
      auto accepted = (*issuer)->Accepts(*old_value, deadline);
      if (!accepted.ok() || !*accepted) {
        return Status::Unavailable(s.binding + " does not accept the old value after rollback");
      }
    }
  }
  REKEY_RETURN_IF_ERROR(journal.Write(
      "discard pending", [&] { return deps.store->DiscardPending(run.identity, run.id); }));
  run.state = RunState::kRolledBack;
  run.finished_at = deps.env->Now();
  REKEY_RETURN_IF_ERROR(
      journal.Audit({{"event", "run_rolled_back"}, {"run", run.id}, {"identity", run.identity}}));
  REKEY_RETURN_IF_ERROR(
      journal.Write("run rolled back", [&] { return deps.store->UpdateRun(run); }));
  return run;
}

}  // namespace rekey
