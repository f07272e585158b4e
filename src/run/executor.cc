#include "run/executor.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

#include "run/backoff.h"
#include "run/step_action.h"

namespace rekey {
namespace {

using nlohmann::json;

const Millis kDefaultTimeout{30000};
// How long a finished step's outcome may wait to be made durable with others (Schedule): what
// `rekey status` may lag behind a running run, at most.
const Millis kOutcomeDelay{200};

class Scheduler {
 public:
  Scheduler(const ExecutorDeps& deps, const Inventory& inv, const Plan& plan, RunRecord run,
            const ExecutorOptions& options)
      : deps_(deps),
        inv_(inv),
        plan_(plan),
        run_(std::move(run)),
        options_(options),
        identity_(inv.FindIdentity(run_.identity)),
        journal_(deps.store, deps.audit, deps.failpoints),
        sealer_(*deps.master_key),
        fingerprinter_(*deps.master_key),
        connectors_(deps.env, deps.resources, inv, *identity_) {
    if (deps.pool == nullptr) {
      own_pool_ = std::make_unique<WorkerPool>();
    }
    pool_ = deps.pool != nullptr ? deps.pool : own_pool_.get();
  }

  Result<RunRecord> Run() {
    REKEY_RETURN_IF_ERROR(LoadSteps());
    REKEY_RETURN_IF_ERROR(LoadValues());
    env_ = StepEnv{deps_.env, &journal_, &connectors_,    identity_,
                   &run_,     &sealer_,  &fingerprinter_, &values_};
    Schedule();
    return Finish();
  }

 private:
  Status LoadSteps() {
    auto steps = deps_.store->GetSteps(run_.id);
    if (!steps.ok()) {
      return steps.status();
    }
    records_.resize(plan_.steps.size());
    for (const StepRecord& r : *steps) {
      if (r.step >= 1 && static_cast<size_t>(r.step) <= records_.size()) {
        records_[r.step - 1] = r;
      }
    }
    for (size_t i = 0; i < records_.size(); ++i) {
      records_[i].step = plan_.steps[i].id;
      if (records_[i].state == StepState::kFailed) {
        records_[i].state = StepState::kRunning;  // resumed: try it again, checking first
      }
    }
    return Status::Ok();
  }

  // The old value is what was current before this run; the new one this run's pending value
  // (or current, once promoted). Without an old value rekey cannot prove it dead.
  Status LoadValues() {
    auto creds = deps_.store->GetCredential(run_.identity);
    if (!creds.ok()) {
      return creds.status();
    }
    bool promoted = creds->current && creds->current->run_id == run_.id;
    const std::optional<StoredValue>& old_slot = promoted ? creds->previous : creds->current;
    if (!old_slot) {
      return Status::InvalidArgument("identity \"" + run_.identity +
                                     "\" has no current value in the store; take it in first "
                                     "with `rekey adopt`");
    }
    std::string context = SealingContext(run_.identity);
    auto old_value = sealer_.Open(old_slot->sealed, context);
    if (!old_value.ok()) {
      return old_value.status();
    }
    values_.old_value = std::move(*old_value);
    const std::optional<StoredValue>& new_slot = promoted ? creds->current : creds->pending;
    if (new_slot && new_slot->run_id == run_.id) {
      auto new_value = sealer_.Open(new_slot->sealed, context);
      if (!new_value.ok()) {
        return new_value.status();
      }
      values_.new_value = std::move(*new_value);
    }
    return Status::Ok();
  }

  const System* SystemOf(const Step& s) const {
    return s.system.empty() ? nullptr : inv_.FindSystem(s.system);
  }

  bool Ready(size_t i) const {
    if (records_[i].state == StepState::kDone || in_flight_.count(i) != 0) {
      return false;
    }
    for (int dep : plan_.steps[i].after) {
      if (records_[dep - 1].state != StepState::kDone) {
        return false;
      }
    }
    const System* sys = SystemOf(plan_.steps[i]);
    auto busy = sys ? busy_.find(sys->name) : busy_.end();
    return sys == nullptr || busy == busy_.end() || busy->second < sys->max_parallel;
  }

  // Steps run on the process's worker pool (ExecutorDeps::pool), and a chain of steps on one
  // thread: the task that finishes a step goes on with the first step it made ready and hands
  // the others to the pool, so a hand-off costs a wake-up only where the plan forks. This thread
  // meanwhile makes the finished steps' outcomes durable (their audit records, then their done
  // records) off the run's critical path: the journal must record what happened, not hold back
  // what follows. An outcome waits up to kOutcomeDelay for the others that finish meanwhile, so
  // a run shorter than that writes them all with its end (Finish) and a longer one every
  // kOutcomeDelay at most: two writes, not two per step. After a crash before a done record the
  // step is still "running", so resume checks it against the system before repeating it, and
  // then repeats the later steps in plan order.
  void Schedule() {
    std::unique_lock lock(mu_);
    std::vector<size_t> ready = Dispatch();
    for (size_t i : ready) {
      StartTask(i);
    }
    const auto ended = [&] { return tasks_ == 0; };
    for (;;) {
      cv_.wait(lock, [&] { return !unwritten_.empty() || ended(); });
      if (ended() || cv_.wait_for(lock, kOutcomeDelay, ended)) {
        return;  // every step has ended; Finish writes what is unwritten
      }
      std::vector<StepRecord> outcomes = TakeUnwritten();
      lock.unlock();
      Status s = JournalSucceeded(outcomes);
      if (!s.ok()) {
        const Step& first = plan_.steps[outcomes.front().step - 1];
        StepRecord failed = Failed(first, outcomes.front(), s);
        lock.lock();
        records_[first.id - 1] = failed;
        BlockAt(first, failed);
        // The rest of the batch is still done and unwritten: the next write (or Finish) tries
        // them again, so a write that keeps failing marks one step failed each time.
        for (size_t k = outcomes.size(); k-- > 1;) {
          unwritten_.insert(unwritten_.begin(), outcomes[k].step - 1);
        }
      } else {
        lock.lock();
      }
    }
  }

  // REQUIRES: mu_ held. The outcomes of the steps that succeeded since the last call.
  std::vector<StepRecord> TakeUnwritten() {
    std::vector<StepRecord> outcomes;
    for (size_t i : unwritten_) {
      outcomes.push_back(records_[i]);
    }
    unwritten_.clear();
    return outcomes;
  }

  // REQUIRES: mu_ held. Marks every ready step in flight (in plan order, within the run's
  // parallelism and each system's max_parallel) and returns them, for tasks to perform.
  std::vector<size_t> Dispatch() {
    std::vector<size_t> ready;
    for (size_t i = 0; i < records_.size() && !blocked_; ++i) {
      if (static_cast<int>(in_flight_.size()) >= options_.parallelism) {
        break;
      }
      if (Ready(i)) {
        in_flight_.insert(i);
        if (const System* sys = SystemOf(plan_.steps[i])) {
          ++busy_[sys->name];
        }
        ready.push_back(i);
      }
    }
    return ready;
  }

  // REQUIRES: mu_ held.
  void StartTask(size_t i) {
    ++tasks_;
    pool_->Submit([this, i] { RunTask(i); });
  }

  // A task: performs step I, then each first step its outcome makes ready, until none is.
  void RunTask(size_t i) {
    std::unique_lock lock(mu_);
    for (;;) {
      const Step& step = plan_.steps[i];
      StepRecord record = records_[i];
      lock.unlock();
      StepRecord outcome = Attempt(step, std::move(record));
      if (options_.on_step) {
        std::lock_guard progress(progress_mu_);
        options_.on_step(step, outcome);
      }
      lock.lock();
      records_[i] = outcome;
      in_flight_.erase(i);
      if (const System* sys = SystemOf(step)) {
        --busy_[sys->name];
      }
      // The run's thread waits for the first unwritten outcome, then for the last task's end.
      bool wake = false;
      if (outcome.state == StepState::kDone) {
        unwritten_.push_back(i);
        wake = unwritten_.size() == 1;
      } else {
        BlockAt(step, outcome);
      }
      std::vector<size_t> next = Dispatch();
      for (size_t k = 1; k < next.size(); ++k) {
        StartTask(next[k]);
      }
      if (next.empty()) {
        --tasks_;
        cv_.notify_all();
        return;  // nothing of this run may be touched once the lock is released
      }
      if (wake) {
        cv_.notify_all();
      }
      i = next.front();
    }
  }

  // REQUIRES: mu_ held.
  bool AllDone() const {
    return std::all_of(records_.begin(), records_.end(),
                       [](const StepRecord& r) { return r.state == StepState::kDone; });
  }

  // REQUIRES: mu_ held. The first step to fail is the one the run is blocked at.
  void BlockAt(const Step& step, const StepRecord& failed) {
    if (!blocked_) {
      blocked_ = true;
      run_.blocked_step = step.id;
      run_.blocked_reason = failed.last_error;
    }
  }

  // Runs STEP until it is done or has failed for good; journals every attempt before it acts.
  StepRecord Attempt(const Step& step, StepRecord r) {
    const System* sys = SystemOf(step);
    RetryPolicy policy = sys ? sys->retry : RetryPolicy{};
    Millis timeout = sys ? sys->timeout : kDefaultTimeout;
    bool check_first = r.state == StepState::kRunning;  // in flight when we last stopped
    Status last;
    for (int tries = 1; tries <= policy.attempts; ++tries) {
      r.state = StepState::kRunning;
      r.attempts += 1;
      if (r.started_at == SystemTime{}) {
        r.started_at = deps_.env->Now();
      }
      if (Status s = NeedsNoStartRecord(step) ? Status::Ok() : Journal("start", step, r); !s.ok()) {
        return Failed(step, r, s);
      }
      Result<std::string> evidence =
          Perform(step, check_first, deps_.env->MonotonicNow() + timeout);
      if (evidence.ok()) {
        return Succeeded(std::move(r), *evidence);
      }
      last = evidence.status();
      r.last_error = last.ToString();
      bool unknown =
          last.code() == StatusCode::kTimeout || last.code() == StatusCode::kUnknownOutcome;
      if (!last.retryable() && !unknown) {
        break;
      }
      check_first = unknown;
      if (tries < policy.attempts) {
        deps_.env->SleepFor(std::max(BackoffDelay(policy, tries), last.retry_after()));
      } else {
        last = last.WithContext("gave up after " + std::to_string(tries) + " attempts");
      }
    }
    return Failed(step, r, last);
  }

  // A start record is written ahead of an action so that, after a crash, resume knows to check
  // the system before repeating it. A check changes nothing: after a crash it is simply asked
  // again. Generate and promote change only the store, in one durable write that is its own
  // record, and a repeat finds it (the pending value of this run, the promotion done). Each start
  // record skipped is one fsync off the run's critical path.
  static bool NeedsNoStartRecord(const Step& step) {
    return step.action == StepAction::kVerifyNewAccepted ||
           step.action == StepAction::kVerifyOldRejected || step.action == StepAction::kGenerate ||
           step.action == StepAction::kPromote;
  }

  Result<std::string> Perform(const Step& step, bool check_first, Deadline deadline) {
    if (deps_.failpoints->FailStep(step.id)) {
      return Status::Internal("failpoint fail-step");
    }
    if (options_.perform) {
      return options_.perform(step, check_first, deadline);
    }
    return PerformStep(step, env_, check_first, deadline);
  }

  Status Journal(const char* what, const Step& step, const StepRecord& r) {
    return journal_.Write(std::string("step ") + std::to_string(step.id) + " " + what,
                          [&] { return deps_.store->UpdateSteps(run_.id, {r}); });
  }

  json StepEvent(const Step& step, const StepRecord& r, const char* outcome) {
    return {{"event", "step_finished"}, {"run", run_.id},
            {"step", step.id},          {"action", StepActionName(step.action)},
            {"binding", step.binding},  {"system", step.system},
            {"outcome", outcome},       {"attempts", r.attempts},
            {"evidence", r.evidence},   {"error", r.last_error}};
  }

  StepRecord Succeeded(StepRecord r, const std::string& evidence) {
    r.state = StepState::kDone;
    r.evidence = evidence;
    r.last_error.clear();
    r.finished_at = deps_.env->Now();
    return r;
  }

  // The audit record first: once the store says done, the record is in the log. Not anchored:
  // the run's run_finished (or, after a crash, its run_resumed) anchors it, and a head
  // replacement per step was a fifth of a reset's time.
  Status JournalSucceeded(const std::vector<StepRecord>& outcomes) {
    REKEY_RETURN_IF_ERROR(journal_.AuditAll(DoneEvents(outcomes), AuditLog::Anchor::kNo));
    std::string what = "step";
    for (const StepRecord& r : outcomes) {
      what += " " + std::to_string(r.step);
    }
    return journal_.Write(what + " done",
                          [&] { return deps_.store->UpdateSteps(run_.id, outcomes); });
  }

  std::vector<json> DoneEvents(const std::vector<StepRecord>& outcomes) {
    std::vector<json> events;
    for (const StepRecord& r : outcomes) {
      events.push_back(StepEvent(plan_.steps[r.step - 1], r, "done"));
    }
    return events;
  }

  StepRecord Failed(const Step& step, StepRecord r, const Status& why) {
    r.state = StepState::kFailed;
    r.last_error = why.ToString();
    r.finished_at = deps_.env->Now();
    // Best effort: the run is stopping; its status must still say why.
    (void)journal_.Audit(StepEvent(step, r, "failed"));
    (void)Journal("failed", step, r);
    return r;
  }

  // The moment every issuer was seen rejecting the old value, for contain.
  std::optional<SystemTime> ContainedAt() const {
    std::optional<SystemTime> at;
    for (size_t i = 0; i < plan_.steps.size(); ++i) {
      if (plan_.steps[i].note != "containment point") {
        continue;
      }
      if (records_[i].state != StepState::kDone) {
        return std::nullopt;
      }
      at = std::chrono::floor<Millis>(std::max(at.value_or(SystemTime{}), records_[i].finished_at));
    }
    return at;
  }

  Result<RunRecord> Finish() {
    run_.state = blocked_ ? RunState::kBlocked : RunState::kSucceeded;
    run_.finished_at = std::chrono::floor<Millis>(deps_.env->Now());  // as the store keeps it
    if (plan_.strategy == Strategy::kContain) {
      run_.contained_at = ContainedAt();
    }
    if (!blocked_) {
      run_.blocked_step = 0;
      run_.blocked_reason.clear();
    }
    json event = {{"event", "run_finished"},
                  {"run", run_.id},
                  {"identity", run_.identity},
                  {"state", RunStateName(run_.state)}};
    if (run_.contained_at) {
      event["contained_ms"] =
          std::chrono::duration_cast<Millis>(*run_.contained_at - run_.started_at).count();
    }
    if (blocked_) {
      event["blocked_step"] = run_.blocked_step;
      event["reason"] = run_.blocked_reason;
    }
    // The outcomes Schedule left unwritten first, as it would have written them, in the same
    // two writes.
    std::vector<StepRecord> steps = TakeUnwritten();
    std::vector<json> events = DoneEvents(steps);
    events.push_back(std::move(event));
    REKEY_RETURN_IF_ERROR(journal_.AuditAll(std::move(events)));
    REKEY_RETURN_IF_ERROR(
        journal_.Write("run finished", [&] { return deps_.store->UpdateRun(run_, steps); }));
    return run_;
  }

  const ExecutorDeps& deps_;
  const Inventory& inv_;
  const Plan& plan_;
  RunRecord run_;
  const ExecutorOptions& options_;
  const Identity* identity_;
  class Journal journal_;
  Sealer sealer_;
  Fingerprinter fingerprinter_;
  ConnectorSet connectors_;
  RunValues values_;
  StepEnv env_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<StepRecord> records_;  // guarded by mu_ once Schedule starts
  std::set<size_t> in_flight_;       // guarded by mu_
  std::map<std::string, int> busy_;  // steps in flight per system; guarded by mu_
  bool blocked_ = false;             // guarded by mu_
  int tasks_ = 0;                    // tasks performing this run's steps; guarded by mu_
  std::vector<size_t> unwritten_;    // steps done but not yet journaled done; guarded by mu_
  std::mutex progress_mu_;
  WorkerPool* pool_ = nullptr;
  // Last, so that its threads are joined before anything they use goes.
  std::unique_ptr<WorkerPool> own_pool_;
};

}  // namespace

Result<RunRecord> ExecuteRun(const ExecutorDeps& deps, const Inventory& inventory, const Plan& plan,
                             RunRecord run, const ExecutorOptions& options) {
  if (inventory.FindIdentity(run.identity) == nullptr) {
    return Status::InvalidArgument("the run's inventory has no identity \"" + run.identity + "\"");
  }
  return Scheduler(deps, inventory, plan, std::move(run), options).Run();
}

}  // namespace rekey
