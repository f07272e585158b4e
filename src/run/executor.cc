#include "run/executor.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "run/backoff.h"
#include "run/step_action.h"

namespace rekey {
namespace {

using nlohmann::json;

const Millis kDefaultTimeout{30000};

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
        connectors_(deps.env, deps.resources, inv, *identity_) {}

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

  // Steps run on worker threads of the run's own, started only when a step is ready and every
  // worker is busy: a run whose steps form a chain keeps two, taking turns (one journals the
  // step it finished while the other performs the next), where a thread per step cost a
  // thread's start and its stack's unmapping a step. The worker that publishes a step hands out
  // the steps it made ready, so a hand-off wakes one thread, not this one and then a worker.
  void Schedule() {
    std::unique_lock lock(mu_);
    Dispatch();
    cv_.wait(lock, [&] { return in_flight_.empty(); });
    // Nothing is in flight, so nothing can make a step ready again: workers_ is final.
    stopping_ = true;
    ready_cv_.notify_all();
    lock.unlock();
    for (std::thread& t : workers_) {
      t.join();
    }
  }

  // REQUIRES: mu_ held. Queues every ready step for a worker, starting one when none is idle.
  void Dispatch() {
    for (size_t i = 0; i < records_.size() && !blocked_; ++i) {
      if (static_cast<int>(in_flight_.size()) >= options_.parallelism) {
        break;
      }
      if (Ready(i)) {
        in_flight_.insert(i);
        if (const System* sys = SystemOf(plan_.steps[i])) {
          ++busy_[sys->name];
        }
        ready_.push_back(i);
        if (ready_.size() > idle_) {
          ++idle_;  // until it takes a step
          workers_.emplace_back([this] { Serve(); });
        } else {
          ready_cv_.notify_one();
        }
      }
    }
  }

  // A worker: performs ready steps until Schedule has no more.
  void Serve() {
    std::unique_lock lock(mu_);
    for (;;) {
      ready_cv_.wait(lock, [&] { return !ready_.empty() || stopping_; });
      if (ready_.empty()) {
        return;
      }
      size_t i = ready_.front();
      ready_.pop_front();
      --idle_;
      StepRecord record = records_[i];
      lock.unlock();
      Work(i, std::move(record));
      lock.lock();
      ++idle_;
    }
  }

  // A step that succeeded is published before its outcome is journaled: the steps waiting on it
  // start at once while this thread makes the outcome durable (the audit record, then the
  // store's done record), off the run's critical path. The journal must say what happened, not
  // hold back what follows: after a crash before the done record the step is still "running", so
  // resume checks it against the system before repeating it, and then repeats the later steps in
  // plan order. Schedule joins every worker, so the run's end is written after all of them. The
  // step that succeeds last (promote) leaves its outcome to Finish, which writes it with the
  // run's end: one audit append and one store transaction fewer at the end of every run.
  void Work(size_t i, StepRecord record) {
    const Step& step = plan_.steps[i];
    StepRecord outcome = Attempt(step, std::move(record));
    if (options_.on_step) {
      std::lock_guard progress(progress_mu_);
      options_.on_step(step, outcome);
    }
    {
      std::lock_guard lock(mu_);
      records_[i] = outcome;
      in_flight_.erase(i);
      if (const System* sys = SystemOf(step)) {
        --busy_[sys->name];
      }
      if (outcome.state != StepState::kDone) {
        BlockAt(step, outcome);
      } else if (in_flight_.empty() && AllDone()) {
        last_done_ = i;
      }
      Dispatch();
      if (in_flight_.empty()) {
        cv_.notify_all();  // Schedule waits for nothing else
      }
    }
    if (outcome.state != StepState::kDone || last_done_ == i) {
      return;
    }
    if (Status s = JournalSucceeded(step, outcome); !s.ok()) {
      StepRecord failed = Failed(step, outcome, s);
      std::lock_guard lock(mu_);
      records_[i] = failed;
      BlockAt(step, failed);
      cv_.notify_all();
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
                          [&] { return deps_.store->UpdateStep(run_.id, r); });
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
  Status JournalSucceeded(const Step& step, const StepRecord& r) {
    REKEY_RETURN_IF_ERROR(journal_.Audit(StepEvent(step, r, "done"), AuditLog::Anchor::kNo));
    return Journal("done", step, r);
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
    // The last step's outcome first, as Work would have written it, in the same two writes.
    std::vector<json> events;
    std::vector<StepRecord> steps;
    if (last_done_) {
      events.push_back(StepEvent(plan_.steps[*last_done_], records_[*last_done_], "done"));
      steps.push_back(records_[*last_done_]);
    }
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
  std::condition_variable ready_cv_;
  std::vector<std::thread> workers_;  // guarded by mu_
  std::deque<size_t> ready_;          // in flight, for a worker to take; guarded by mu_
  size_t idle_ = 0;                   // workers waiting for a step; guarded by mu_
  bool stopping_ = false;             // no step will be ready again; guarded by mu_
  // The step that succeeded last, when it left its outcome to Finish; guarded by mu_.
  std::optional<size_t> last_done_;
  std::mutex progress_mu_;
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
