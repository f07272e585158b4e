// A test bed for the executor: a fresh directory under /tmp holding a real SQLite store, audit
// log and master key, real exec issuers (sh wrappers around tests/integration/fixtures/
// file_issuer.sh that can be told to fail, stall or count their calls), real file holders and
// exec consumers. Tests write an inventory with the helpers below, then create and execute runs
// exactly as `rekey run` does.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "core/inventory.h"
#include "core/plan.h"
#include "run/executor.h"
#include "secret/master_key.h"
#include "store/store.h"
#include "testing/temp_dir.h"

namespace rekey::run_testing {

// How an exec issuer script behaves. Every wrapper keeps the file_issuer.sh state (the file of
// accepted values, the disabled marker) in its own directory.
struct IssuerSpec {
  std::string name;
  std::string system;
  bool overlap = true;  // install adds beside the old value; false: install replaces it
  bool remove = true;   // has a `remove` command
  bool end_sessions = false;
  bool disable = false;  // has `disable` and `enable` commands
};

// One call of an issuer or consumer script, from the shared call log.
struct Call {
  std::string who;  // binding name
  std::string op;   // install, accepts, reload, ...
  long long start_ns = 0;
  long long end_ns = 0;  // 0 when the script did not finish (killed)
};

class RunFixture {
 public:
  static constexpr char kIdentity[] = "svc";
  static constexpr char kOldValue[] = "old-Value-4711-abcdefgh";

  // Creates the directory, the master key, the store and the audit log; failures are test
  // failures (ADD_FAILURE) and leave the fixture unusable.
  RunFixture();
  RunFixture(const RunFixture&) = delete;
  RunFixture& operator=(const RunFixture&) = delete;

  const std::string& dir() const { return dir_.path(); }
  std::string Path(const std::string& name) const { return dir_.File(name); }

  // --- inventory pieces ---
  // The YAML flow map of an exec issuer binding for SPEC; writes its wrapper script and seeds its
  // state with the old value (accepted).
  std::string Issuer(const IssuerSpec& spec);
  // The YAML flow map of an exec consumer NAME with reload and confirm commands (and attest when
  // ATTEST). reload records the value it is given; confirm succeeds when it is given the value
  // reload recorded.
  std::string Consumer(const std::string& name, bool attest = false);

  // The YAML flow map of a file holder NAME at PATH: raw, or dotenv variable KEY when KEY is not
  // empty; AFTER names the holder it waits for, if any. Seeds the file with the old value when
  // its directory exists.
  std::string FileHolder(const std::string& name, const std::string& path,
                         const std::string& key = "", const std::string& after = "");
  // An inventory of the identity kIdentity with these bindings (YAML flow maps) and SYSTEMS
  // (lines "name: { ... }").
  static std::string InventoryText(const std::vector<std::string>& systems,
                                   const std::vector<std::string>& issuers,
                                   const std::vector<std::string>& holders,
                                   const std::vector<std::string>& consumers);

  // --- scripting the failures (OP: install, accepts, remove, reload, confirm, ...) ---
  void ExitTempFailFirst(const std::string& who, const std::string& op, int calls);  // exit 75
  void ExitAlways(const std::string& who, const std::string& op, int code,
                  const std::string& stderr_line);
  // Exits CODE with "cannot take VALUE" on stderr, VALUE being what it was given on stdin.
  void ExitEchoingValue(const std::string& who, const std::string& op, int code);
  void SleepFor(const std::string& who, const std::string& op, const std::string& seconds);
  void Clear(const std::string& who, const std::string& op);  // back to normal behaviour
  // How many times OP of WHO was called.
  int Calls(const std::string& who, const std::string& op) const;
  std::vector<Call> CallLog() const;

  // --- the real systems' state, asked independently of the executor ---
  // Whether file_issuer.sh of issuer WHO accepts VALUE now (runs `file_issuer.sh DIR accepts`).
  bool IssuerAccepts(const std::string& who, const std::string& value) const;
  bool IssuerDisabled(const std::string& who) const;
  // What holder binding NAME holds now, read back through the real file holder; "<error: ...>"
  // when it cannot be read.
  std::string Held(const std::string& name) const;
  // What consumer NAME was given by its last reload, or "<absent>".
  std::string Reloaded(const std::string& name) const;

  // --- runs ---
  // Parses TEXT (failing the test on any diagnostic) and keeps it as the inventory.
  bool LoadInventory(const std::string& text);
  const Inventory& inventory() const { return inventory_; }
  // Adopts the old value as the identity's current value (the issuers already accept it).
  bool AdoptOldValue();
  // VALUE sealed for the identity as the store keeps it, made by RUN_ID ("" when adopted).
  StoredValue Sealed(const std::string& value, const std::string& run_id) const;
  // Plans STRATEGY for the identity, creates the run (CreateRun, audit run_started) as
  // `rekey run` does, and returns it.
  std::optional<RunRecord> CreateRun(Strategy strategy);
  const Plan& plan() const { return plan_; }
  // ExecuteRun with the real store, audit log, failpoints and master key, under the run's lease.
  Result<RunRecord> Execute(const RunRecord& run);
  // RollbackRun likewise.
  Result<RunRecord> Rollback(const RunRecord& run);
  ExecutorDeps deps();

  Store* store() const { return store_.get(); }
  std::vector<StepRecord> Steps(const std::string& run_id) const;
  // The record of the plan's step with ACTION on BINDING (empty for generate/promote).
  StepRecord StepOf(const std::string& run_id, StepAction action,
                    const std::string& binding = "") const;
  int StepId(StepAction action, const std::string& binding = "") const;
  // The values in the store's slots, opened; nullopt when a slot is empty.
  std::optional<std::string> Current() const;
  std::optional<std::string> Pending() const;
  std::optional<std::string> Previous() const;
  // Every audit record, parsed.
  std::vector<nlohmann::json> AuditEvents() const;

 private:
  std::string WriteScript(const std::string& name, const std::string& body) const;
  template <typename Act>
  Result<RunRecord> WithStoredRun(const RunRecord& run, Act act);
  std::optional<std::string> Open(const std::optional<StoredValue>& slot) const;
  std::optional<std::string> SlotValue(rekey::Slot which) const;

  TempDir dir_{"run"};  // first: removed after the store and log in it are closed
  std::optional<MasterKey> master_key_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<Failpoints> failpoints_;
  Inventory inventory_;
  Plan plan_;
};

}  // namespace rekey::run_testing
