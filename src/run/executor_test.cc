// The real executor against a real SQLite store and audit log, real exec issuers (sh scripts around
// tests/integration/fixtures/file_issuer.sh, told to fail by control files), real file holders and
// exec consumers: every failure path, asserted on what the systems, the store and the audit log
// hold afterwards.
#include "run/executor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "testing/forwarding_store.h"
#include "testing/run_fixture.h"

namespace rekey {
namespace {

using nlohmann::json;
using run_testing::Call;
using run_testing::RunFixture;

constexpr char kLimits[] = "retry: { attempts: 3, initial: 10ms, max: 50ms }, timeout: 1s";

std::string System(const std::string& name, const std::string& type,
                   const std::string& extra = "") {
  return name + ": { type: " + type + ", " + kLimits + extra + " }";
}

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class ExecutorTest : public ::testing::Test {
 protected:
  // One overlap issuer (idp), a dotenv holder, a raw holder written after it, and a consumer.
  std::string Standard(const std::string& token_path = "") {
    return RunFixture::InventoryText(
        {System("idp", "exec", ", max_parallel: 2"), System("files", "file")},
        {fx_.Issuer({.name = "idp", .system = "idp", .end_sessions = true})},
        {fx_.FileHolder("app-env", fx_.Path("app.env"), "DB_PASSWORD"),
         fx_.FileHolder("token-file", token_path.empty() ? fx_.Path("token") : token_path, "",
                        "app-env")},
        {fx_.Consumer("api")});
  }

  // Loads TEXT, adopts the old value and creates a run of STRATEGY, as `rekey run` does.
  RunRecord Start(const std::string& text, Strategy strategy = Strategy::kRotate) {
    EXPECT_TRUE(fx_.LoadInventory(text));
    EXPECT_TRUE(fx_.AdoptOldValue());
    std::optional<RunRecord> run = fx_.CreateRun(strategy);
    EXPECT_TRUE(run.has_value());
    return run.value_or(RunRecord{});
  }

  RunRecord Execute(const RunRecord& run) {
    Result<RunRecord> ended = fx_.Execute(run);
    EXPECT_TRUE(ended.ok()) << ended.status().ToString();
    return ended.ok() ? *ended : RunRecord{};
  }

  // "ID action binding: state" per step, in plan order, for comparisons that show the whole run.
  std::string States(const std::string& run_id) {
    std::string table;
    for (const StepRecord& r : fx_.Steps(run_id)) {
      const Step* s = fx_.plan().FindStep(r.step);
      table += std::to_string(r.step) + " " + std::string(StepActionName(s->action)) + " " +
               s->binding + ": " + std::string(StepStateName(r.state)) + "\n";
    }
    return table;
  }

  // The same table with every step pending except those in STATES (step id -> state).
  std::string Expected(const std::map<int, std::string>& states) {
    std::string table;
    for (const Step& s : fx_.plan().steps) {
      auto it = states.find(s.id);
      table += std::to_string(s.id) + " " + std::string(StepActionName(s.action)) + " " +
               s.binding + ": " + (it == states.end() ? "pending" : it->second) + "\n";
    }
    return table;
  }

  // The audit records whose "event" is NAME, without the fields the log adds.
  std::vector<json> Events(const std::string& name) {
    std::vector<json> out;
    for (json e : fx_.AuditEvents()) {
      if (e.value("event", "") == name) {
        e.erase("seq");
        e.erase("time");
        e.erase("prev");
        out.push_back(e);
      }
    }
    return out;
  }

  int Id(StepAction action, const std::string& binding = "") { return fx_.StepId(action, binding); }

  RunFixture fx_;
};

TEST_F(ExecutorTest, RetryableErrorsAreRetriedUntilTheRunSucceeds) {
  RunRecord run = Start(Standard());
  fx_.ExitTempFailFirst("idp", "install", 2);

  RunRecord ended = Execute(run);

  EXPECT_EQ(RunStateName(ended.state), "succeeded");
  EXPECT_EQ(ended.blocked_step, 0);
  EXPECT_EQ(ended.blocked_reason, "");
  StepRecord install = fx_.StepOf(run.id, StepAction::kInstall, "idp");
  EXPECT_EQ(StepStateName(install.state), "done");
  EXPECT_EQ(install.attempts, 3);
  EXPECT_EQ(install.last_error, "");
  EXPECT_EQ(install.evidence, "new value installed at idp");
  EXPECT_EQ(fx_.Calls("idp", "install"), 3);
  std::optional<std::string> now = fx_.Current();
  ASSERT_TRUE(now.has_value());
  EXPECT_NE(*now, RunFixture::kOldValue);
  EXPECT_EQ(now->size(), 32u);
  EXPECT_EQ(fx_.Previous(), RunFixture::kOldValue);
  EXPECT_EQ(fx_.Pending(), std::nullopt);
  EXPECT_TRUE(fx_.IssuerAccepts("idp", *now));
  EXPECT_FALSE(fx_.IssuerAccepts("idp", RunFixture::kOldValue));
  EXPECT_EQ(fx_.Held("app-env"), *now);
  EXPECT_EQ(fx_.Held("token-file"), *now);
  EXPECT_EQ(fx_.Reloaded("api"), *now);
  std::map<int, std::string> all_done;
  for (const Step& s : fx_.plan().steps) {
    all_done[s.id] = "done";
  }
  EXPECT_EQ(States(run.id), Expected(all_done));
  auto stored = fx_.store()->GetRun(run.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(RunStateName(stored->state), "succeeded");
  std::vector<json> finished = Events("run_finished");
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(finished[0], json({{"event", "run_finished"},
                               {"run", run.id},
                               {"identity", "svc"},
                               {"state", "succeeded"}}));
}

TEST_F(ExecutorTest, NoValueInClearInTheAuditLogOrTheStateFile) {
  RunRecord run = Start(Standard());
  ASSERT_EQ(RunStateName(Execute(run).state), "succeeded");
  std::string new_value = fx_.Current().value_or("<none>");
  for (const char* file : {"state/audit.log", "state/state.db"}) {
    std::string data = ReadWhole(fx_.Path(file));
    EXPECT_FALSE(data.empty()) << file;
    EXPECT_EQ(data.find(new_value), std::string::npos) << file;
    EXPECT_EQ(data.find(RunFixture::kOldValue), std::string::npos) << file;
  }
}

TEST_F(ExecutorTest, PermanentErrorBlocksTheRunAtThatStep) {
  RunRecord run = Start(Standard());
  fx_.ExitAlways("idp", "install", 3, "account svc is locked by policy");

  RunRecord ended = Execute(run);

  int install = Id(StepAction::kInstall, "idp");
  const std::string reason =
      "internal: exec install command exited 3: account svc is locked by policy";
  EXPECT_EQ(RunStateName(ended.state), "blocked");
  EXPECT_EQ(ended.blocked_step, install);
  EXPECT_EQ(ended.blocked_reason, reason);
  EXPECT_EQ(States(run.id), Expected({{1, "done"}, {install, "failed"}}));
  StepRecord record = fx_.StepOf(run.id, StepAction::kInstall, "idp");
  EXPECT_EQ(record.attempts, 1);  // permanent: not retried
  EXPECT_EQ(record.last_error, reason);
  EXPECT_EQ(fx_.Calls("idp", "install"), 1);
  EXPECT_EQ(fx_.Current(), RunFixture::kOldValue);
  EXPECT_TRUE(fx_.IssuerAccepts("idp", RunFixture::kOldValue));
  EXPECT_EQ(fx_.Held("app-env"), RunFixture::kOldValue);
  auto stored = fx_.store()->GetRun(run.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(RunStateName(stored->state), "blocked");
  EXPECT_EQ(stored->blocked_step, install);
  EXPECT_EQ(stored->blocked_reason, reason);

  json failed;
  for (const json& e : Events("step_finished")) {
    if (e["outcome"] == "failed") {
      EXPECT_TRUE(failed.is_null()) << "a second failed step: " << e.dump();
      failed = e;
    }
  }
  EXPECT_EQ(failed, json({{"event", "step_finished"},
                          {"run", run.id},
                          {"step", install},
                          {"action", "install"},
                          {"binding", "idp"},
                          {"system", "idp"},
                          {"outcome", "failed"},
                          {"attempts", 1},
                          {"evidence", ""},
                          {"error", reason}}));
  std::vector<json> finished = Events("run_finished");
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(finished[0], json({{"event", "run_finished"},
                               {"run", run.id},
                               {"identity", "svc"},
                               {"state", "blocked"},
                               {"blocked_step", install},
                               {"reason", reason}}));
}

TEST_F(ExecutorTest, ErrorTextOfAFailingCommandIsRedactedOfTheValue) {
  RunRecord run = Start(Standard());
  fx_.ExitEchoingValue("idp", "install", 3);

  RunRecord ended = Execute(run);

  EXPECT_EQ(RunStateName(ended.state), "blocked");
  EXPECT_EQ(ended.blocked_reason,
            "internal: exec install command exited 3: cannot take [REDACTED]");
}

TEST_F(ExecutorTest, BlockedRunResumesOnceTheCauseIsFixed) {
  RunRecord run = Start(Standard());
  fx_.ExitAlways("idp", "install", 3, "account svc is locked by policy");
  ASSERT_EQ(RunStateName(Execute(run).state), "blocked");
  std::optional<std::string> pending = fx_.Pending();
  ASSERT_TRUE(pending.has_value());

  fx_.Clear("idp", "install");
  auto stored = fx_.store()->GetRun(run.id);
  ASSERT_TRUE(stored.ok());
  RunRecord ended = Execute(*stored);

  EXPECT_EQ(RunStateName(ended.state), "succeeded");
  EXPECT_EQ(ended.blocked_step, 0);
  EXPECT_EQ(ended.blocked_reason, "");
  EXPECT_EQ(fx_.Current(), pending);  // the value journaled before the block, not a fresh one
  EXPECT_TRUE(fx_.IssuerAccepts("idp", *pending));
  EXPECT_FALSE(fx_.IssuerAccepts("idp", RunFixture::kOldValue));
  StepRecord install = fx_.StepOf(run.id, StepAction::kInstall, "idp");
  EXPECT_EQ(StepStateName(install.state), "done");
  EXPECT_EQ(install.last_error, "");
  EXPECT_EQ(fx_.StepOf(run.id, StepAction::kGenerate).evidence.find("new value "), 0u);
}

// Fails the first write of two or more done records (the run thread's batch of outcomes) and
// remembers which steps it carried.
class FailingBatchStore final : public run_testing::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  Status UpdateSteps(const std::string& run_id, const std::vector<StepRecord>& steps) override {
    bool batch = steps.size() >= 2 &&
                 std::all_of(steps.begin(), steps.end(),
                             [](const StepRecord& r) { return r.state == StepState::kDone; });
    if (batch && failed_.empty()) {
      for (const StepRecord& r : steps) {
        failed_.push_back(r.step);
      }
      return Status::Unavailable("disk full (injected)");
    }
    return ForwardingStore::UpdateSteps(run_id, steps);
  }
  std::vector<int> failed_;  // the steps of the write that failed
};

// The outcomes written with it are not lost: the first is the step the run is blocked at, and
// the others are written done by a later write, not left running in the store.
TEST_F(ExecutorTest, AFailedWriteOfSeveralOutcomesBlocksAtTheFirstAndKeepsTheOthers) {
  RunRecord run = Start(Standard());
  fx_.SleepFor("idp", "remove", "0.5");  // outcomes pile up before it and are written meanwhile
  FailingBatchStore store(fx_.store());
  ExecutorDeps deps = fx_.deps();
  deps.store = &store;

  Result<RunRecord> ended = ExecuteRun(deps, fx_.inventory(), fx_.plan(), run, ExecutorOptions{});

  ASSERT_TRUE(ended.ok()) << ended.status().ToString();
  ASSERT_GE(store.failed_.size(), 2u) << "no batch of outcomes was written before the run ended";
  EXPECT_EQ(RunStateName(ended->state), "blocked");
  EXPECT_EQ(ended->blocked_step, store.failed_.front());
  EXPECT_THAT(ended->blocked_reason, ::testing::HasSubstr("disk full (injected)"));
  for (const StepRecord& r : fx_.Steps(run.id)) {
    std::string want = r.step == store.failed_.front() ? "failed" : "done";
    if (std::find(store.failed_.begin(), store.failed_.end(), r.step) != store.failed_.end()) {
      EXPECT_EQ(StepStateName(r.state), want) << "step " << r.step;
    }
    EXPECT_NE(StepStateName(r.state), "running") << "step " << r.step;
  }
}

TEST_F(ExecutorTest, CommandPastItsTimeoutIsKilledAndRetriedThenTheRunBlocks) {
  std::string text = RunFixture::InventoryText(
      {"slow: { type: exec, retry: { attempts: 3, initial: 10ms, max: 50ms }, timeout: 300ms }",
       System("files", "file")},
      {fx_.Issuer({.name = "idp", .system = "slow"})},
      {fx_.FileHolder("token-file", fx_.Path("token"))}, {});
  RunRecord run = Start(text);
  fx_.SleepFor("idp", "install", "5");

  auto began = std::chrono::steady_clock::now();
  RunRecord ended = Execute(run);
  auto took = std::chrono::steady_clock::now() - began;

  int install = Id(StepAction::kInstall, "idp");
  const std::string reason =
      "timeout: gave up after 3 attempts: exec install command did not finish by its deadline "
      "and was killed";
  EXPECT_EQ(RunStateName(ended.state), "blocked");
  EXPECT_EQ(ended.blocked_step, install);
  EXPECT_EQ(ended.blocked_reason, reason);
  EXPECT_EQ(fx_.Calls("idp", "install"), 3);
  for (const Call& c : fx_.CallLog()) {
    if (c.op == "install") {
      EXPECT_EQ(c.end_ns, 0) << "an install ran to its end instead of being killed";
    }
  }
  EXPECT_LT(took, std::chrono::seconds(3));  // three 300 ms deadlines, not three 5 s sleeps
  StepRecord record = fx_.StepOf(run.id, StepAction::kInstall, "idp");
  EXPECT_EQ(record.attempts, 3);
  EXPECT_EQ(record.last_error, reason);
  EXPECT_EQ(fx_.Current(), RunFixture::kOldValue);
  EXPECT_TRUE(fx_.IssuerAccepts("idp", RunFixture::kOldValue));
  EXPECT_FALSE(fx_.IssuerAccepts("idp", fx_.Pending().value_or("")));
}

TEST_F(ExecutorTest, RunDoesNotSucceedWhileAnIssuerStillAcceptsTheOldValue) {
  RunRecord run = Start(Standard());
  fx_.ExitAlways("idp", "remove", 0, "");  // claims to have removed it, removes nothing

  RunRecord ended = Execute(run);

  int verify = Id(StepAction::kVerifyOldRejected, "idp");
  EXPECT_EQ(RunStateName(ended.state), "blocked");
  EXPECT_EQ(ended.blocked_step, verify);
  EXPECT_EQ(ended.blocked_reason,
            "unavailable: gave up after 3 attempts: old value still accepted by idp");
  EXPECT_EQ(StepStateName(fx_.StepOf(run.id, StepAction::kPromote).state), "pending");
  EXPECT_EQ(fx_.Current(), RunFixture::kOldValue);
}

// An identity whose only bindings are issuers (an API key nobody stores): the old value must
// still be removed only after the new one is accepted.
TEST_F(ExecutorTest, RotateWithOnlyAnIssuerRevokesNothingWhenTheInstallFails) {
  std::string text = RunFixture::InventoryText(
      {System("idp", "exec")}, {fx_.Issuer({.name = "idp", .system = "idp"})}, {}, {});
  RunRecord run = Start(text);
  fx_.ExitAlways("idp", "install", 3, "install refused");

  RunRecord ended = Execute(run);

  EXPECT_EQ(RunStateName(ended.state), "blocked");
  EXPECT_EQ(ended.blocked_step, Id(StepAction::kInstall, "idp"));
  EXPECT_TRUE(fx_.IssuerAccepts("idp", RunFixture::kOldValue));
  EXPECT_EQ(fx_.Calls("idp", "remove"), 0);
  EXPECT_EQ(StepStateName(fx_.StepOf(run.id, StepAction::kRemoveOld, "idp").state), "pending");
  EXPECT_EQ(StepStateName(fx_.StepOf(run.id, StepAction::kPromote).state), "pending");
  EXPECT_EQ(fx_.Current(), RunFixture::kOldValue);
}

TEST_F(ExecutorTest, RotateBlockedAtAnUnwritableHolderRevokesNothing) {
  std::string token = fx_.Path("missing-dir/token");
  RunRecord run = Start(Standard(token));

  RunRecord ended = Execute(run);

  int write = Id(StepAction::kWrite, "token-file");
  EXPECT_EQ(RunStateName(ended.state), "blocked");
  EXPECT_EQ(ended.blocked_step, write);
  EXPECT_EQ(ended.blocked_reason, "not_found: " + fx_.Path("missing-dir") + " does not exist");
  std::string new_value = fx_.Pending().value_or("<no pending value>");
  EXPECT_EQ(States(run.id), Expected({{Id(StepAction::kGenerate), "done"},
                                      {Id(StepAction::kInstall, "idp"), "done"},
                                      {Id(StepAction::kVerifyNewAccepted, "idp"), "done"},
                                      {Id(StepAction::kWrite, "app-env"), "done"},
                                      {write, "failed"}}));
  EXPECT_TRUE(fx_.IssuerAccepts("idp", RunFixture::kOldValue));  // nothing revoked
  EXPECT_TRUE(fx_.IssuerAccepts("idp", new_value));              // overlap
  EXPECT_EQ(fx_.Calls("idp", "remove"), 0);
  EXPECT_EQ(fx_.Calls("idp", "end_sessions"), 0);
  EXPECT_EQ(fx_.Current(), RunFixture::kOldValue);
  EXPECT_EQ(fx_.Held("app-env"), new_value);
  EXPECT_EQ(fx_.Reloaded("api"), "<absent>");
}

// Two issuers: idp is contained by removing the old value, dir by disabling the identity.
TEST_F(ExecutorTest, ContainBlockedAtAnUnwritableHolderHasAlreadyCutTheOldValue) {
  std::string token = fx_.Path("token");
  std::string text = RunFixture::InventoryText(
      {System("idp", "exec"), System("dir", "exec"), System("files", "file")},
      {fx_.Issuer({.name = "idp", .system = "idp", .end_sessions = true}),
       fx_.Issuer({.name = "dir", .system = "dir", .overlap = false, .disable = true})},
      {fx_.FileHolder("app-env", fx_.Path("app.env"), "DB_PASSWORD"),
       fx_.FileHolder("token-file", token, "", "app-env")},
      {fx_.Consumer("api")});
  RunRecord run = Start(text, Strategy::kContain);
  std::filesystem::remove(token);
  std::filesystem::create_directory(token);  // a directory where the file should be

  RunRecord ended = Execute(run);

  int write = Id(StepAction::kWrite, "token-file");
  EXPECT_EQ(RunStateName(ended.state), "blocked");
  EXPECT_EQ(ended.blocked_step, write);
  EXPECT_EQ(ended.blocked_reason, "invalid_argument: read " + token + ": Is a directory");
  EXPECT_EQ(StepStateName(fx_.StepOf(run.id, StepAction::kWrite, "token-file").state), "failed");
  // The containment point was reached at both issuers before anything else.
  EXPECT_FALSE(fx_.IssuerAccepts("idp", RunFixture::kOldValue));
  EXPECT_EQ(ReadWhole(fx_.Path("idp/accepted")).find(RunFixture::kOldValue), std::string::npos);
  EXPECT_TRUE(fx_.IssuerDisabled("dir"));
  EXPECT_FALSE(fx_.IssuerAccepts("dir", RunFixture::kOldValue));
  for (StepAction a : {StepAction::kRemoveOld, StepAction::kEndSessions}) {
    EXPECT_EQ(StepStateName(fx_.StepOf(run.id, a, "idp").state), "done");
  }
  EXPECT_EQ(StepStateName(fx_.StepOf(run.id, StepAction::kDisable, "dir").state), "done");
  // Dependents fail closed: nothing re-enabled, no consumer given anything.
  EXPECT_EQ(StepStateName(fx_.StepOf(run.id, StepAction::kEnable, "dir").state), "pending");
  for (StepAction a : {StepAction::kReload, StepAction::kConfirm}) {
    EXPECT_EQ(StepStateName(fx_.StepOf(run.id, a, "api").state), "pending");
  }
  EXPECT_EQ(fx_.Calls("api", "reload"), 0);
  EXPECT_EQ(fx_.Calls("api", "confirm"), 0);
  EXPECT_EQ(fx_.Calls("dir", "enable"), 0);
  EXPECT_EQ(fx_.Current(), RunFixture::kOldValue);  // nothing promoted
  ASSERT_TRUE(ended.contained_at.has_value());
  EXPECT_GE(*ended.contained_at, run.started_at);
  EXPECT_LE(*ended.contained_at, ended.finished_at);
  auto stored = fx_.store()->GetRun(run.id);
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->contained_at.has_value());
  EXPECT_EQ(std::chrono::time_point_cast<Millis>(*stored->contained_at),
            std::chrono::time_point_cast<Millis>(*ended.contained_at));  // the store keeps ms
  std::vector<json> finished = Events("run_finished");
  ASSERT_EQ(finished.size(), 1u);
  EXPECT_EQ(finished[0]["state"], "blocked");
  EXPECT_TRUE(finished[0].contains("contained_ms")) << finished[0].dump();
}

TEST_F(ExecutorTest, ContainSucceedsWithAnIssuerThatRemovesTheOldValue) {
  RunRecord run = Start(Standard(), Strategy::kContain);

  RunRecord ended = Execute(run);

  EXPECT_EQ(RunStateName(ended.state), "succeeded") << ended.blocked_reason;
  std::string now = fx_.Current().value_or("<none>");
  EXPECT_NE(now, RunFixture::kOldValue);
  EXPECT_TRUE(fx_.IssuerAccepts("idp", now));
  EXPECT_FALSE(fx_.IssuerAccepts("idp", RunFixture::kOldValue));
  EXPECT_EQ(fx_.Held("token-file"), now);
  EXPECT_EQ(fx_.Reloaded("api"), now);
  EXPECT_TRUE(ended.contained_at.has_value());
}

// An issuer that accepts two values (as Redis ACL) and can disable the identity: contain disables
// it, installs the new value beside the old, and re-enables it, so the old value must have been
// removed somewhere for the run to finish with the old value rejected.
TEST_F(ExecutorTest, ContainSucceedsWithAnOverlapIssuerThatCanDisable) {
  std::string text =
      RunFixture::InventoryText({System("cache", "exec"), System("files", "file")},
                                {fx_.Issuer({.name = "cache", .system = "cache", .disable = true})},
                                {fx_.FileHolder("token-file", fx_.Path("token"))}, {});
  RunRecord run = Start(text, Strategy::kContain);

  RunRecord ended = Execute(run);

  EXPECT_EQ(RunStateName(ended.state), "succeeded") << ended.blocked_reason;
  EXPECT_FALSE(fx_.IssuerAccepts("cache", RunFixture::kOldValue));
  EXPECT_FALSE(fx_.IssuerDisabled("cache"));
}

// Installs that take 300 ms each, on two issuers of one system.
class ConcurrencyTest : public ExecutorTest {
 protected:
  std::vector<Call> RunWithMaxParallel(int max_parallel) {
    std::string text = RunFixture::InventoryText(
        {System("shared", "exec", ", max_parallel: " + std::to_string(max_parallel)),
         System("files", "file")},
        {fx_.Issuer({.name = "a", .system = "shared"}),
         fx_.Issuer({.name = "b", .system = "shared"})},
        {fx_.FileHolder("token-file", fx_.Path("token"))}, {});
    RunRecord run = Start(text);
    fx_.SleepFor("a", "install", "0.3");
    fx_.SleepFor("b", "install", "0.3");
    EXPECT_EQ(RunStateName(Execute(run).state), "succeeded");
    return fx_.CallLog();
  }

  static bool Overlap(const Call& x, const Call& y) {
    return x.start_ns < y.end_ns && y.start_ns < x.end_ns;
  }
};

TEST_F(ConcurrencyTest, MaxParallelOneNeverOverlapsCallsOnTheSystem) {
  std::vector<Call> calls = RunWithMaxParallel(1);
  ASSERT_GE(calls.size(), 8u);  // install, verify, remove, verify, each issuer
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_NE(calls[i].end_ns, 0) << calls[i].who << " " << calls[i].op;
    for (size_t j = i + 1; j < calls.size(); ++j) {
      EXPECT_FALSE(Overlap(calls[i], calls[j]))
          << calls[i].who << " " << calls[i].op << " overlaps " << calls[j].who << " "
          << calls[j].op;
    }
  }
}

TEST_F(ConcurrencyTest, MaxParallelTwoRunsTheInstallsTogether) {
  std::vector<Call> calls = RunWithMaxParallel(2);
  std::vector<Call> installs;
  for (const Call& c : calls) {
    if (c.op == "install") {
      installs.push_back(c);
    }
  }
  ASSERT_EQ(installs.size(), 2u);
  EXPECT_TRUE(Overlap(installs[0], installs[1]));
}

// A crash after an install took effect but before its "done" was journaled leaves the step
// running in the store, with the pending value journaled.
class ResumeTest : public ExecutorTest {
 protected:
  RunRecord Crashed(bool install_took_effect) {
    RunRecord run = Start(Standard());
    Status s = fx_.store()->StagePending(RunFixture::kIdentity, fx_.Sealed(kNew, run.id));
    EXPECT_TRUE(s.ok()) << s.ToString();
    StepRecord generate;
    generate.step = Id(StepAction::kGenerate);
    generate.state = StepState::kDone;
    generate.attempts = 1;
    generate.evidence = "new value sealed and journaled";
    StepRecord install;
    install.step = Id(StepAction::kInstall, "idp");
    install.state = StepState::kRunning;
    install.attempts = 1;
    EXPECT_TRUE(fx_.store()->UpdateSteps(run.id, {generate}).ok());
    EXPECT_TRUE(fx_.store()->UpdateSteps(run.id, {install}).ok());
    if (install_took_effect) {
      std::ofstream(fx_.Path("idp/accepted"), std::ios::app) << kNew << "\n";
    }
    return run;
  }

  static constexpr char kNew[] = "new-Value-0815-ijklmnop";
};

TEST_F(ResumeTest, InstallThatAlreadyTookEffectIsNotRepeated) {
  RunRecord run = Crashed(/*install_took_effect=*/true);

  RunRecord ended = Execute(run);

  EXPECT_EQ(RunStateName(ended.state), "succeeded") << ended.blocked_reason;
  EXPECT_EQ(fx_.Calls("idp", "install"), 0);
  EXPECT_EQ(fx_.StepOf(run.id, StepAction::kInstall, "idp").evidence,
            "new value found already installed at idp");
  EXPECT_EQ(fx_.Current(), kNew);
  EXPECT_TRUE(fx_.IssuerAccepts("idp", kNew));
  EXPECT_FALSE(fx_.IssuerAccepts("idp", RunFixture::kOldValue));
  EXPECT_EQ(fx_.Held("token-file"), kNew);
}

TEST_F(ResumeTest, InstallThatDidNotTakeEffectIsRepeated) {
  RunRecord run = Crashed(/*install_took_effect=*/false);

  RunRecord ended = Execute(run);

  EXPECT_EQ(RunStateName(ended.state), "succeeded") << ended.blocked_reason;
  EXPECT_EQ(fx_.Calls("idp", "install"), 1);
  EXPECT_EQ(fx_.StepOf(run.id, StepAction::kInstall, "idp").evidence, "new value installed at idp");
  EXPECT_EQ(fx_.Current(), kNew);
  EXPECT_TRUE(fx_.IssuerAccepts("idp", kNew));
}

// Outcomes are written in batches, so a crash can come after the promotion while generate is
// still without its done record: resume repeats generate, which must take the promoted value,
// not make one that no holder has.
TEST_F(ResumeTest, GenerateRepeatedAfterThePromotionTakesThePromotedValue) {
  RunRecord run = Start(Standard());
  ASSERT_TRUE(fx_.store()->StagePending(RunFixture::kIdentity, fx_.Sealed(kNew, run.id)).ok());
  ASSERT_TRUE(fx_.store()->Promote(RunFixture::kIdentity, run.id).ok());

  RunRecord ended = Execute(run);

  EXPECT_EQ(RunStateName(ended.state), "succeeded") << ended.blocked_reason;
  EXPECT_EQ(fx_.Current(), kNew);
  EXPECT_TRUE(fx_.IssuerAccepts("idp", kNew));
  EXPECT_EQ(fx_.Held("token-file"), kNew);
  EXPECT_FALSE(fx_.IssuerAccepts("idp", RunFixture::kOldValue));
}

}  // namespace
}  // namespace rekey
