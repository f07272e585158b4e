#include "testing/run_fixture.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "inventory/loader.h"
#include "plan/plan_json.h"
#include "plan/planner.h"
#include "run/connector_set.h"
#include "run/rollback.h"
#include "run/step_action.h"
#include "secret/fingerprint.h"
#include "secret/sealer.h"

namespace rekey::run_testing {
namespace {

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return "<absent>";
  }
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteWhole(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

// Counts the call, logs its start and end in the shared call log, then obeys the control files
// in $d: OP.sleep (seconds), OP.tempfail (exit 75 while the call count is at most its number),
// OP.exit (exit with its number, printing OP.stderr, or the value given on stdin when OP.stderr
// is ECHO). Defines done_ CODE, which logs the end.
constexpr char kPrelude[] = R"sh(op=$1
n=$(cat "$d/$op.calls" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" >"$d/$op.calls"
echo "start $who $op $(date +%s%N)" >>"$log"
done_() {
  echo "end $who $op $(date +%s%N)" >>"$log"
  exit "$1"
}
if [ -f "$d/$op.sleep" ]; then sleep "$(cat "$d/$op.sleep")"; fi
if [ -f "$d/$op.tempfail" ] && [ "$n" -le "$(cat "$d/$op.tempfail")" ]; then
  cat >/dev/null
  echo "$who is busy, try again later" >&2
  done_ 75
fi
if [ -f "$d/$op.exit" ]; then
  if [ "$(cat "$d/$op.stderr")" = ECHO ]; then
    echo "cannot take $(cat)" >&2
  else
    cat >/dev/null
    cat "$d/$op.stderr" >&2
  fi
  done_ "$(cat "$d/$op.exit")"
fi
)sh";

// A swap issuer's install replaces the old value (given on fd 3) with the new one.
constexpr char kIssuerBody[] = R"sh(case $op in
  install)
    if [ "$swap" = 1 ] && [ -e /proc/self/fd/3 ]; then
      new=$(cat)
      old=$(cat <&3)
      printf '%s\n' "$new" | sh "$fi" "$d" add || done_ $?
      printf '%s\n' "$old" | sh "$fi" "$d" remove || done_ $?
      done_ 0
    fi
    sh "$fi" "$d" add
    done_ $? ;;
  *)
    sh "$fi" "$d" "$op"
    done_ $? ;;
esac
)sh";

constexpr char kConsumerBody[] = R"sh(case $op in
  attest) cat >/dev/null ;;
  reload) cat >"$d/reloaded" ;;
  confirm)
    v=$(cat)
    [ -f "$d/reloaded" ] && [ "$v" = "$(cat "$d/reloaded")" ] || done_ 1 ;;
esac
done_ 0
)sh";

std::string Command(const std::string& script, const std::string& op) {
  return "[\"" + script + "\", " + op + "]";
}

}  // namespace

RunFixture::RunFixture() {
  Env* env = DefaultEnv();
  auto key = MasterKey::Create(env, Path("master.key"));
  auto store = OpenStore(env, Path("state"));
  if (!key.ok() || !store.ok()) {
    ADD_FAILURE() << key.status().ToString() << " / " << store.status().ToString();
    return;
  }
  master_key_.emplace(std::move(*key));
  store_ = std::move(*store);
  auto audit = AuditLog::Open(Path("state/audit.log"));
  if (!audit.ok()) {
    ADD_FAILURE() << audit.status().ToString();
    return;
  }
  audit_ = std::move(*audit);
  failpoints_ = std::make_unique<Failpoints>(env);
}

std::string RunFixture::WriteScript(const std::string& name, const std::string& body) const {
  std::filesystem::create_directories(Path(name));
  std::string script = Path(name + ".sh");
  WriteWhole(script, "#!/bin/sh\nd='" + Path(name) + "'\nwho='" + name + "'\nlog='" +
                         Path("calls.log") + "'\nfi='" + REKEY_FILE_ISSUER + "'\n" + body);
  ::chmod(script.c_str(), 0755);
  return script;
}

std::string RunFixture::Issuer(const IssuerSpec& spec) {
  std::string body =
      std::string("swap=") + (spec.overlap ? "0" : "1") + "\n" + kPrelude + kIssuerBody;
  std::string w = WriteScript(spec.name, body);
  WriteWhole(Path(spec.name + "/accepted"), std::string(kOldValue) + "\n");
  std::string yaml = "{ system: " + spec.system + ", name: " + spec.name +
                     ", overlap: " + (spec.overlap ? "true" : "false") +
                     ", install: " + Command(w, "install") + ", accepts: " + Command(w, "accepts");
  if (spec.remove) {
    yaml += ", remove: " + Command(w, "remove");
  }
  if (spec.end_sessions) {
    yaml += ", end_sessions: " + Command(w, "end_sessions");
  }
  if (spec.disable) {
    yaml += ", disable: " + Command(w, "disable") + ", enable: " + Command(w, "enable");
  }
  return yaml + " }";
}

std::string RunFixture::Consumer(const std::string& name, bool attest) {
  std::string w = WriteScript(name, std::string(kPrelude) + kConsumerBody);
  std::string yaml = "{ name: " + name;
  if (attest) {
    yaml += ", attest: { exec: " + Command(w, "attest") + " }";
  }
  return yaml + ", reload: { exec: " + Command(w, "reload") +
         " }, confirm: { exec: " + Command(w, "confirm") + " } }";
}

std::string RunFixture::FileHolder(const std::string& name, const std::string& path,
                                   const std::string& key, const std::string& after) {
  if (std::filesystem::is_directory(std::filesystem::path(path).parent_path())) {
    WriteWhole(path, key.empty() ? std::string(kOldValue) + "\n"
                                 : key + "=" + std::string(kOldValue) + "\n");
  }
  std::string yaml = "{ name: " + name + ", system: files, path: \"" + path + "\"";
  yaml += key.empty() ? ", format: raw" : ", format: dotenv, key: " + key;
  if (!after.empty()) {
    yaml += ", after: [" + after + "]";
  }
  return yaml + " }";
}

std::string RunFixture::InventoryText(const std::vector<std::string>& systems,
                                      const std::vector<std::string>& issuers,
                                      const std::vector<std::string>& holders,
                                      const std::vector<std::string>& consumers) {
  std::string text = "version: 1\nsystems:\n";
  for (const std::string& s : systems) {
    text += "  " + s + "\n";
  }
  text += std::string("identities:\n  ") + kIdentity + ":\n    kind: password\n";
  auto list = [&](const char* key, const std::vector<std::string>& items) {
    if (items.empty()) {
      return;
    }
    text += std::string("    ") + key + ":\n";
    for (const std::string& i : items) {
      text += "      - " + i + "\n";
    }
  };
  list("issuers", issuers);
  list("holders", holders);
  list("consumers", consumers);
  return text;
}

void RunFixture::ExitTempFailFirst(const std::string& who, const std::string& op, int calls) {
  WriteWhole(Path(who + "/" + op + ".tempfail"), std::to_string(calls) + "\n");
}

void RunFixture::ExitAlways(const std::string& who, const std::string& op, int code,
                            const std::string& stderr_line) {
  WriteWhole(Path(who + "/" + op + ".stderr"), stderr_line + "\n");
  WriteWhole(Path(who + "/" + op + ".exit"), std::to_string(code) + "\n");
}

void RunFixture::ExitEchoingValue(const std::string& who, const std::string& op, int code) {
  ExitAlways(who, op, code, "ECHO");
}

void RunFixture::SleepFor(const std::string& who, const std::string& op,
                          const std::string& seconds) {
  WriteWhole(Path(who + "/" + op + ".sleep"), seconds + "\n");
}

void RunFixture::Clear(const std::string& who, const std::string& op) {
  for (const char* control : {".sleep", ".tempfail", ".exit", ".stderr"}) {
    std::filesystem::remove(Path(who + "/" + op + control));
  }
}

int RunFixture::Calls(const std::string& who, const std::string& op) const {
  std::string n = ReadWhole(Path(who + "/" + op + ".calls"));
  return n == "<absent>" ? 0 : std::stoi(n);
}

std::vector<Call> RunFixture::CallLog() const {
  std::vector<Call> calls;
  std::istringstream in(ReadWhole(Path("calls.log")));
  std::string what, who, op;
  long long ns = 0;
  while (in >> what >> who >> op >> ns) {
    if (what == "start") {
      calls.push_back({who, op, ns, 0});
      continue;
    }
    for (auto c = calls.rbegin(); c != calls.rend(); ++c) {
      if (c->who == who && c->op == op && c->end_ns == 0) {
        c->end_ns = ns;
        break;
      }
    }
  }
  return calls;
}

bool RunFixture::IssuerAccepts(const std::string& who, const std::string& value) const {
  ProcessSpec spec;
  spec.argv = {"sh", REKEY_FILE_ISSUER, Path(who), "accepts"};
  spec.stdin_data = value;
  auto result = DefaultEnv()->Run(spec);
  EXPECT_TRUE(result.ok() && (result->exit_code == 0 || result->exit_code == 1))
      << "file_issuer.sh accepts failed";
  return result.ok() && result->exit_code == 0;
}

bool RunFixture::IssuerDisabled(const std::string& who) const {
  return std::filesystem::exists(Path(who + "/disabled"));
}

std::string RunFixture::Held(const std::string& name) const {
  const Identity* id = inventory_.FindIdentity(kIdentity);
  if (id == nullptr) {
    return "<error: no identity>";
  }
  ConnectorSet connectors(DefaultEnv(), nullptr, inventory_, *id);
  auto holder = connectors.HolderFor(name);
  if (!holder.ok()) {
    return "<error: " + holder.status().ToString() + ">";
  }
  auto value = (*holder)->Read(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  if (!value.ok()) {
    return "<error: " + value.status().ToString() + ">";
  }
  return std::string(value->Expose());
}

std::string RunFixture::Reloaded(const std::string& name) const {
  return ReadWhole(Path(name + "/reloaded"));
}

bool RunFixture::LoadInventory(const std::string& text) {
  Diagnostics d(Path("inventory.yaml"));
  auto inv = ParseInventory(text, Path("inventory.yaml"), &d);
  if (!inv.ok()) {
    ADD_FAILURE() << d.Format() << "\n" << text;
    return false;
  }
  inventory_ = std::move(*inv);
  WriteWhole(Path("inventory.yaml"), text);
  return true;
}

StoredValue RunFixture::Sealed(const std::string& value, const std::string& run_id) const {
  Sealer sealer(*master_key_);
  Fingerprinter fingerprinter(*master_key_);
  SecretBytes v(value);
  return StoredValue{sealer.Seal(v, SealingContext(kIdentity)), fingerprinter.Fingerprint(v),
                     run_id, DefaultEnv()->Now()};
}

bool RunFixture::AdoptOldValue() {
  Status s = store_->Adopt(kIdentity, Sealed(kOldValue, ""));
  EXPECT_TRUE(s.ok()) << s.ToString();
  return s.ok();
}

std::optional<RunRecord> RunFixture::CreateRun(Strategy strategy) {
  static int serial = 0;
  const Identity* id = inventory_.FindIdentity(kIdentity);
  if (id == nullptr) {
    ADD_FAILURE() << "the inventory has no identity " << kIdentity;
    return std::nullopt;
  }
  auto plan = MakePlan(inventory_, *id, strategy);
  if (!plan.ok()) {
    ADD_FAILURE() << plan.status().ToString();
    return std::nullopt;
  }
  plan_ = *plan;
  RunRecord run;
  run.id = "r-test-" + std::to_string(++serial);
  run.identity = kIdentity;
  run.strategy = strategy;
  run.reason = "test";
  run.user = "tester";
  run.host = "localhost";
  run.plan_json = PlanToJson(plan_).dump();
  run.inventory_path = Path("inventory.yaml");
  run.inventory_text = ReadWhole(Path("inventory.yaml"));
  run.started_at = DefaultEnv()->Now();
  std::vector<int> ids;
  for (const Step& s : plan_.steps) {
    ids.push_back(s.id);
  }
  Journal journal(store_.get(), audit_.get(), failpoints_.get());
  Status s = journal.Write("create run", [&] { return store_->CreateRun(run, ids); });
  if (s.ok()) {
    s = journal.Audit({{"event", "run_started"},
                       {"run", run.id},
                       {"identity", run.identity},
                       {"strategy", StrategyName(run.strategy)},
                       {"reason", run.reason}});
  }
  if (!s.ok()) {
    ADD_FAILURE() << s.ToString();
    return std::nullopt;
  }
  return run;
}

ExecutorDeps RunFixture::deps() {
  return ExecutorDeps{DefaultEnv(), store_.get(), audit_.get(), failpoints_.get(), &*master_key_};
}

// As `rekey run`, `resume` and `rollback` do: ACT on the stored plan and inventory, under the
// run's lease.
template <typename Act>
Result<RunRecord> RunFixture::WithStoredRun(const RunRecord& run, Act act) {
  auto lease = store_->AcquireRunLease(run.id);
  if (!lease.ok()) {
    return lease.status();
  }
  auto plan = PlanFromJson(nlohmann::json::parse(run.plan_json));
  if (!plan.ok()) {
    return plan.status();
  }
  Diagnostics d(run.inventory_path);
  auto inv = ParseInventory(run.inventory_text.str(), run.inventory_path, &d);
  if (!inv.ok()) {
    return Status::Corruption(d.Format());
  }
  return act(*inv, *plan);
}

Result<RunRecord> RunFixture::Execute(const RunRecord& run) {
  return WithStoredRun(run, [&](const Inventory& inv, const Plan& plan) {
    return ExecuteRun(deps(), inv, plan, run, ExecutorOptions{});
  });
}

Result<RunRecord> RunFixture::Rollback(const RunRecord& run) {
  return WithStoredRun(run, [&](const Inventory& inv, const Plan& plan) {
    return RollbackRun(deps(), inv, plan, run);
  });
}

std::vector<StepRecord> RunFixture::Steps(const std::string& run_id) const {
  auto steps = store_->GetSteps(run_id);
  EXPECT_TRUE(steps.ok()) << steps.status().ToString();
  return steps.ok() ? *steps : std::vector<StepRecord>{};
}

int RunFixture::StepId(StepAction action, const std::string& binding) const {
  for (const Step& s : plan_.steps) {
    if (s.action == action && s.binding == binding) {
      return s.id;
    }
  }
  ADD_FAILURE() << "the plan has no " << StepActionName(action) << " step for \"" << binding
                << "\"";
  return 0;
}

StepRecord RunFixture::StepOf(const std::string& run_id, StepAction action,
                              const std::string& binding) const {
  int id = StepId(action, binding);
  for (const StepRecord& r : Steps(run_id)) {
    if (r.step == id) {
      return r;
    }
  }
  ADD_FAILURE() << "no record of step " << id;
  return StepRecord{};
}

std::optional<std::string> RunFixture::Open(const std::optional<StoredValue>& slot) const {
  if (!slot) {
    return std::nullopt;
  }
  Sealer sealer(*master_key_);
  auto value = sealer.Open(slot->sealed, SealingContext(kIdentity));
  if (!value.ok()) {
    ADD_FAILURE() << value.status().ToString();
    return std::nullopt;
  }
  return std::string(value->Expose());
}

std::optional<std::string> RunFixture::SlotValue(rekey::Slot which) const {
  auto creds = store_->GetCredential(kIdentity);
  if (!creds.ok()) {
    ADD_FAILURE() << creds.status().ToString();
    return std::nullopt;
  }
  return Open(which == Slot::kCurrent   ? creds->current
              : which == Slot::kPending ? creds->pending
                                        : creds->previous);
}

std::optional<std::string> RunFixture::Current() const { return SlotValue(Slot::kCurrent); }
std::optional<std::string> RunFixture::Pending() const { return SlotValue(Slot::kPending); }
std::optional<std::string> RunFixture::Previous() const { return SlotValue(Slot::kPrevious); }

std::vector<nlohmann::json> RunFixture::AuditEvents() const {
  std::vector<nlohmann::json> events;
  std::istringstream in(ReadWhole(Path("state/audit.log")));
  for (std::string line; std::getline(in, line);) {
    events.push_back(nlohmann::json::parse(line, nullptr, false));
  }
  return events;
}

}  // namespace rekey::run_testing
