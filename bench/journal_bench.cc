// Journal overhead of a run: the real executor, store and audit log on a plan of no-op steps, so
// what is measured is scheduling plus journaling. Prints steps per second and the time threads
// spent in the store over wall time (above 100 % when parallel threads wait on it together),
// beside a baseline whose store discards step records (not durable); then the audit log alone,
// appended to from 1, 4 and 16 threads (group commit shares an fsync between them).
// Run: build/release/bench/journal_bench [HOLDERS]
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "audit/audit_log.h"
#include "inventory/loader.h"
#include "plan/plan_json.h"
#include "plan/planner.h"
#include "run/executor.h"
#include "run/step_action.h"
#include "secret/fingerprint.h"
#include "secret/sealer.h"
#include "store/store.h"

namespace rekey {
namespace {

using Clock = std::chrono::steady_clock;

// Forwards to a real store, timing every call; with DURABLE false, step updates are dropped.
class TimedStore final : public Store {
  // Defined first: the overrides below deduce their return type from it.
  template <typename F>
  auto Time(F f) {
    auto start = Clock::now();
    auto result = f();
    nanos_ += std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count();
    return result;
  }

 public:
  TimedStore(Store* inner, bool durable) : inner_(inner), durable_(durable) {}
  double seconds() const { return nanos_ / 1e9; }

  Result<CredentialVersions> GetCredential(const std::string& i) override {
    return Time([&] { return inner_->GetCredential(i); });
  }
  Status Adopt(const std::string& i, const StoredValue& v) override {
    return Time([&] { return inner_->Adopt(i, v); });
  }
  Status StagePending(const std::string& i, const StoredValue& v) override {
    return Time([&] { return inner_->StagePending(i, v); });
  }
  Status Promote(const std::string& i, const std::string& r) override {
    return Time([&] { return inner_->Promote(i, r); });
  }
  Status DiscardPending(const std::string& i, const std::string& r) override {
    return Time([&] { return inner_->DiscardPending(i, r); });
  }
  Status CreateRun(const RunRecord& r, const std::vector<int>& ids) override {
    return Time([&] { return inner_->CreateRun(r, ids); });
  }
  Result<RunRecord> GetRun(const std::string& id) override {
    return Time([&] { return inner_->GetRun(id); });
  }
  Result<std::vector<RunRecord>> ListRuns() override {
    return Time([&] { return inner_->ListRuns(); });
  }
  Status UpdateRun(const RunRecord& r, const std::vector<StepRecord>& s) override {
    return Time([&] { return inner_->UpdateRun(r, s); });
  }
  Result<std::vector<StepRecord>> GetSteps(const std::string& id) override {
    return Time([&] { return inner_->GetSteps(id); });
  }
  Status UpdateSteps(const std::string& id, const std::vector<StepRecord>& s) override {
    return durable_ ? Time([&] { return inner_->UpdateSteps(id, s); }) : Status::Ok();
  }
  Result<std::unique_ptr<RunLease>> AcquireRunLease(const std::string& id) override {
    return inner_->AcquireRunLease(id);
  }

 private:
  Store* inner_;
  bool durable_;
  std::atomic<int64_t> nanos_{0};
};

std::string InventoryText(int holders) {
  std::string text =
      "version: 1\nsystems:\n  legacy: { type: exec }\n  files: { type: file, max_parallel: 64 }\n"
      "identities:\n  svc:\n    kind: token\n    issuers: [{ system: legacy, overlap: true, "
      "install: [x], remove: [x], accepts: [x] }]\n    holders:\n";
  for (int i = 0; i < holders; ++i) {
    text += "      - { name: h" + std::to_string(i) + ", system: files, path: /nonexistent/h" +
            std::to_string(i) + " }\n";
  }
  return text;
}

void Fail(const char* what, const Status& s) {
  std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
  std::exit(1);
}

struct Figures {
  size_t steps;
  double wall;
  double store;
};

Figures Measure(const std::string& text, int parallelism, bool durable, int round) {
  std::string dir =
      "/tmp/rekey-journal-bench-" + std::to_string(::getpid()) + "-" + std::to_string(round);
  Env* env = DefaultEnv();
  (void)env->CreateDirs(dir, 0700);
  auto key = MasterKey::Create(env, dir + "/master.key");
  auto real = OpenStore(env, dir);
  auto audit = AuditLog::Open(dir + "/audit.log");
  if (!key.ok() || !real.ok() || !audit.ok()) {
    Fail("setup", key.ok() ? (real.ok() ? audit.status() : real.status()) : key.status());
  }
  TimedStore store(real->get(), durable);
  Diagnostics d("bench.yaml");
  auto inv = ParseInventory(text, "bench.yaml", &d);
  Plan plan = *MakePlan(*inv, inv->identities[0], Strategy::kRotate);
  SecretBytes old_value("old-value-for-the-bench");
  Status s = store.Adopt("svc", {Sealer(*key).Seal(old_value, SealingContext("svc")),
                                 Fingerprinter(*key).Fingerprint(old_value), "", env->Now()});
  RunRecord run;
  run.id = "bench-" + std::to_string(round);
  run.identity = "svc";
  run.plan_json = PlanToJson(plan).dump();
  run.inventory_text = text;
  run.started_at = env->Now();
  std::vector<int> ids;
  for (const Step& step : plan.steps) {
    ids.push_back(step.id);
  }
  if (s = store.CreateRun(run, ids); !s.ok()) {
    Fail("create run", s);
  }
  Failpoints failpoints(env);
  ExecutorOptions options;
  options.parallelism = parallelism;
  options.perform = [](const Step&, bool, Deadline) { return Result<std::string>("no-op"); };
  auto start = Clock::now();
  auto ended =
      ExecuteRun({env, &store, audit->get(), &failpoints, &*key}, *inv, plan, run, options);
  double wall = std::chrono::duration<double>(Clock::now() - start).count();
  if (!ended.ok() || ended->state != RunState::kSucceeded) {
    Fail("run", ended.ok() ? Status::Internal("run did not succeed") : ended.status());
  }
  std::system(("rm -rf " + dir).c_str());
  return {plan.steps.size(), wall, store.seconds()};
}

// The audit log alone: COUNT appends of a step_finished-sized event from THREADS threads.
// Returns appends per second; with group commit, more threads share each fsync.
double AuditAppendsPerSecond(int threads, int count) {
  std::string dir = "/tmp/rekey-audit-bench-" + std::to_string(::getpid());
  (void)DefaultEnv()->CreateDirs(dir, 0700);
  auto log = AuditLog::Open(dir + "/audit.log");
  if (!log.ok()) {
    Fail("open audit log", log.status());
  }
  std::atomic<int> next{0};
  auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = next++; i < count; i = next++) {
        nlohmann::json event = {{"event", "step_finished"},
                                {"run", "bench"},
                                {"step", i},
                                {"action", "write"},
                                {"outcome", "ok"},
                                {"evidence", "fingerprint 0123abcd read back"}};
        if (auto seq = (*log)->Append(std::move(event)); !seq.ok()) {
          Fail("append", seq.status());
        }
      }
    });
  }
  for (std::thread& w : workers) {
    w.join();
  }
  double wall = std::chrono::duration<double>(Clock::now() - start).count();
  std::system(("rm -rf " + dir).c_str());
  return count / wall;
}

int Main(int argc, char** argv) {
  int holders = argc > 1 ? std::atoi(argv[1]) : 200;
  std::string text = InventoryText(holders);
  std::printf("no-op plan: %d holders; every step journals start + audit + done\n", holders);
  std::printf("%-34s %8s %10s %12s %10s\n", "configuration", "steps", "wall ms", "steps/s",
              "store/wall");
  int round = 0;
  for (int parallelism : {1, 4}) {
    for (bool durable : {true, false}) {
      Figures f = Measure(text, parallelism, durable, round++);
      char name[64];
      std::snprintf(name, sizeof name, "parallelism %d, %s", parallelism,
                    durable ? "journaled (fsync)" : "baseline: steps not stored");
      std::printf("%-34s %8zu %10.1f %12.0f %9.0f%%\n", name, f.steps, f.wall * 1e3,
                  f.steps / f.wall, 100 * f.store / f.wall);
    }
  }
  std::printf("\naudit log alone, 400 appends (each durable before Append returns)\n");
  std::printf("%-34s %12s\n", "threads appending", "appends/s");
  for (int threads : {1, 4, 16}) {
    std::printf("%-34d %12.0f\n", threads, AuditAppendsPerSecond(threads, 400));
  }
  return 0;
}

}  // namespace
}  // namespace rekey

int main(int argc, char** argv) { return rekey::Main(argc, argv); }
