// The integration harness: a sandbox directory holding a rekey state directory, an inventory and
// the real systems it names (an exec issuer backed by a file, a dotenv and a JSON holder file, a
// consumer that confirms by reading the dotenv file), and the means to run the real rekey binary
// (REKEY_BIN) there and read back the end state it left.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rekey::it {

// What one run of a program did. exit_code is 128+signal when it was killed by a signal.
struct Outcome {
  int exit_code = -1;
  bool timed_out = false;
  std::string out;
  std::string err;
};
// Prints an outcome for failure messages.
std::string Describe(const Outcome& o);

constexpr int kExitKilled = 128 + 9;  // what RunProcess reports for SIGKILL

// The rekey binary under test ($REKEY_BIN) and the fixtures directory ($REKEY_FIXTURES).
std::string RekeyBin();
std::string FixturePath(const std::string& name);

// Whole-file helpers; ReadFileOr returns FALLBACK when PATH cannot be read.
std::string ReadFileOr(const std::string& path, const std::string& fallback = "");
void WriteFile(const std::string& path, std::string_view data, int mode = 0600);
bool Exists(const std::string& path);
std::vector<std::string> Lines(std::string_view text);  // without their "\n"
// Every regular file under DIR, recursively (sorted).
std::vector<std::string> FilesUnder(const std::string& dir);
// Waits up to TIMEOUT for PATH to exist.
bool WaitForFile(const std::string& path, std::chrono::milliseconds timeout);

// Runs ARGV (argv[0] looked up in PATH) with extra NAME=VALUE environment entries and stdin.
Outcome RunProgram(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
                   std::string_view stdin_data = "",
                   std::chrono::milliseconds timeout = std::chrono::minutes(3));

// How the sandbox's inventory is written. Empty fields take the defaults described.
struct InventoryOptions {
  // Prepended to each issuer verb (add, remove, accepts, end_sessions, disable, enable).
  // Default: [file_issuer.sh, DIR/issuer].
  std::vector<std::string> issuer_prefix;
  // The consumer's confirm argv. Default: sh -c 'grep -qF "$(cat)" DIR/app/app.env'.
  std::vector<std::string> confirm;
  // The identity's generate policy, as a YAML flow map; default none (32 alnum).
  std::string generate;
  // Extra holder bindings (YAML flow maps), after the dotenv and JSON ones.
  std::vector<std::string> extra_holders;
  // Extra systems, as "NAME: { ... }" lines, after the exec and file ones.
  std::vector<std::string> extra_systems;
};

// A fresh directory under /tmp with the layout
//   DIR/state/        rekey's state directory (after Init)
//   DIR/inv.yaml      the inventory (identity "svc")
//   DIR/issuer/       file_issuer.sh's state: `accepted` (one value a line), `disabled`
//   DIR/app/app.env   dotenv holder, key PASSWORD
//   DIR/app/cfg.json  JSON holder, key db.password
// Removed on destruction unless Keep() was called, the test has failed in this thread (then its
// path is printed) or REKEY_IT_KEEP is set. Not thread-safe; distinct sandboxes may be used from
// distinct threads.
class Sandbox {
 public:
  explicit Sandbox(InventoryOptions options = {});
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  // Keeps the directory for inspection (and prints its path) when the sandbox is destroyed.
  void Keep() { keep_ = true; }

  const std::string& dir() const { return dir_; }
  std::string state_dir() const { return dir_ + "/state"; }
  std::string inventory() const { return dir_ + "/inv.yaml"; }
  std::string issuer_dir() const { return dir_ + "/issuer"; }
  std::string env_file() const { return dir_ + "/app/app.env"; }
  std::string json_file() const { return dir_ + "/app/cfg.json"; }

  // Writes the inventory again, from OPTIONS (defaults as for the constructor).
  void RewriteInventory(InventoryOptions options);
  // Writes VALUE as the one value the issuer accepts and into both holder files.
  void SeedSystems(const std::string& value);
  // Seeds the systems with OLD_VALUE, then `rekey init` and `rekey adopt` it (on stdin).
  ::testing::AssertionResult InitAndAdopt(const std::string& old_value);
  // Replaces this sandbox's state directory and systems by copies of TEMPLATE's (same layout;
  // the inventory stays this sandbox's own, as it names this sandbox's paths).
  void CopyStateFrom(const Sandbox& from);

  // Runs `rekey --state STATE ARGS...`; "-i" in ARGS is followed by the inventory by the caller.
  Outcome Rekey(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                std::string_view stdin_data = "") const;
  // `rekey run -i INV svc --reason REASON [--strategy S]` with ENV.
  Outcome Run(const std::string& strategy, const std::vector<std::string>& env = {},
              const std::string& reason = "integration test") const;

  // --- the systems as they are now ---
  std::vector<std::string> IssuerAccepted() const;  // the lines of issuer/accepted
  bool IssuerDisabled() const;
  std::optional<std::string> DotenvValue() const;  // PASSWORD in app.env, unquoted
  std::optional<std::string> JsonValue() const;    // db.password in cfg.json
  // `rekey runs --output json`, parsed (null when it fails).
  nlohmann::json Runs() const;
  // `rekey status RUN --output json` (the newest when RUN is empty), parsed (null on failure).
  nlohmann::json Status(const std::string& run = "") const;
  // The step the newest run is blocked at, from Status; null when it is not blocked.
  nlohmann::json BlockedStep() const;

 private:
  std::string InventoryText(const InventoryOptions& o) const;

  std::string dir_;
  bool keep_ = false;
};

// The end state of a run, in terms that two sandboxes can compare: values are replaced by
// "<old>" and "<new>" (the new value being what the JSON holder holds).
struct EndState {
  std::string issuer_accepted;  // issuer/accepted
  bool issuer_disabled = false;
  std::string env_file;   // app.env
  std::string json_file;  // cfg.json
  std::string run_state;  // of the newest run
  std::vector<std::string> step_states;
  size_t runs = 0;      // how many runs the store lists
  int audit_exit = -1;  // `rekey audit verify`
  // The newest run's audit records, as "EVENT" or "step_finished STEP OUTCOME", each once,
  // sorted; run_resumed left out.
  std::vector<std::string> audit_events;

  bool operator==(const EndState&) const = default;
};
void PrintTo(const EndState& s, std::ostream* os);

// Reads SANDBOX's end state; OLD_VALUE is the value adopted before the run. NEW_VALUE is set to
// what the JSON holder holds.
EndState CaptureEndState(const Sandbox& sandbox, const std::string& old_value,
                         std::string* new_value = nullptr);

// Checks that SANDBOX is in the end state of a successful reset of OLD_VALUE: the issuer accepts
// exactly the new value (the old one is rejected), it is not disabled, both holders hold the new
// value, the newest run succeeded with every step (the promote too) done, and the audit log
// verifies.
::testing::AssertionResult ResetCompleted(const Sandbox& sandbox, const std::string& old_value);

// `rekey audit verify` of SANDBOX exits 0 and says the chain is intact.
::testing::AssertionResult AuditVerifies(const Sandbox& sandbox);

}  // namespace rekey::it
