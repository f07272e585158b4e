#include "harness.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "base/subprocess.h"

namespace rekey::it {
namespace {

namespace fs = std::filesystem;

std::string RequiredVar(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    ADD_FAILURE() << name << " is not set; run the test through ctest, or set it by hand";
    return "/nonexistent/" + std::string(name);
  }
  return v;
}

// NAME=VALUE entries of our own environment that the child needs to behave as under ctest.
std::vector<std::string> PassThrough() {
  std::vector<std::string> env;
  for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* v = std::getenv(name)) {
      env.push_back(std::string(name) + "=" + v);
    }
  }
  return env;
}

std::string YamlList(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    std::string quoted = "'";
    for (char c : items[i]) {
      quoted += c == '\'' ? std::string("''") : std::string(1, c);
    }
    out += (i ? ", " : "") + quoted + "'";
  }
  return out + "]";
}

// Replaces every occurrence of FROM in TEXT by TO (FROM may be empty: then nothing is done).
std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) {
    return text;
  }
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

// The value a dotenv token means: single quotes are literal; double quotes understand \\ \" \$
// \` \n \r \t (doc: src/connectors/file/dotenv_quoting.h).
std::string DotenvUnquote(const std::string& token) {
  if (token.size() < 2 || (token.front() != '\'' && token.front() != '"') ||
      token.back() != token.front()) {
    return token;
  }
  std::string inner = token.substr(1, token.size() - 2);
  if (token.front() == '\'') {
    return inner;
  }
  std::string out;
  for (size_t i = 0; i < inner.size(); ++i) {
    if (inner[i] == '\\' && i + 1 < inner.size()) {
      char c = inner[++i];
      out += c == 'n' ? '\n' : c == 'r' ? '\r' : c == 't' ? '\t' : c;
    } else {
      out += inner[i];
    }
  }
  return out;
}

}  // namespace

std::string Describe(const Outcome& o) {
  return "exit " + std::to_string(o.exit_code) + (o.timed_out ? " (timed out)" : "") +
         "\n--- stdout ---\n" + o.out + "--- stderr ---\n" + o.err + "---";
}

// The build passes both paths in as compile definitions; the environment may override them.
std::string RekeyBin() {
  return std::getenv("REKEY_BIN") ? RequiredVar("REKEY_BIN") : REKEY_BIN_PATH;
}

std::string FixturePath(const std::string& name) {
  std::string dir =
      std::getenv("REKEY_FIXTURES") ? RequiredVar("REKEY_FIXTURES") : REKEY_FIXTURES_DIR;
  return dir + "/" + name;
}

std::string ReadFileOr(const std::string& path, const std::string& fallback) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return fallback;
  }
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, std::string_view data, int mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
    EXPECT_TRUE(out.good()) << "cannot write " << path;
  }
  fs::permissions(path, static_cast<fs::perms>(mode));
}

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    lines.emplace_back(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  return lines;
}

std::vector<std::string> FilesUnder(const std::string& dir) {
  std::vector<std::string> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file()) {
      files.push_back(it->path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool WaitForFile(const std::string& path, std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  while (!Exists(path)) {
    if (std::chrono::steady_clock::now() > until) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

Outcome RunProgram(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                   std::string_view stdin_data, std::chrono::milliseconds timeout) {
  ProcessSpec spec;
  spec.argv = argv;
  spec.stdin_data = stdin_data;
  spec.timeout = timeout;
  spec.env = PassThrough();
  spec.env.insert(spec.env.end(), env.begin(), env.end());
  Result<ProcessResult> r = RunProcess(spec);
  if (!r.ok()) {
    ADD_FAILURE() << "cannot start " << argv[0] << ": " << r.status().ToString();
    return {};
  }
  return {r->exit_code, r->timed_out, r->stdout_data, r->stderr_data};
}

Sandbox::Sandbox(InventoryOptions options) {
  char tmpl[] = "/tmp/rekey-it-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
  }
  dir_ = tmpl;
  fs::create_directories(issuer_dir());
  fs::create_directories(dir_ + "/app");
  RewriteInventory(std::move(options));
}

void Sandbox::RewriteInventory(InventoryOptions options) {
  if (options.issuer_prefix.empty()) {
    options.issuer_prefix = {FixturePath("file_issuer.sh"), issuer_dir()};
  }
  if (options.confirm.empty()) {
    options.confirm = {"sh", "-c", "grep -qF \"$(cat)\" " + env_file()};
  }
  WriteFile(inventory(), InventoryText(options));
}

Sandbox::~Sandbox() {
  if (keep_ || std::getenv("REKEY_IT_KEEP") != nullptr || ::testing::Test::HasFailure()) {
    std::cerr << "sandbox kept: " << dir_ << "\n";
    return;
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string Sandbox::InventoryText(const InventoryOptions& o) const {
  auto verb = [&](const char* v) {
    std::vector<std::string> argv = o.issuer_prefix;
    argv.push_back(v);
    return YamlList(argv);
  };
  std::string text =
      "version: 1\n"
      "systems:\n"
      "  legacy: { type: exec }\n"
      "  app-config: { type: file }\n";
  for (const std::string& system : o.extra_systems) {
    text += "  " + system + "\n";
  }
  text +=
      "identities:\n"
      "  svc:\n"
      "    kind: password\n";
  if (!o.generate.empty()) {
    text += "    generate: " + o.generate + "\n";
  }
  text +=
      "    issuers:\n"
      "      - system: legacy\n"
      "        overlap: true\n"
      "        install: " +
      verb("add") + "\n        remove: " + verb("remove") +
      "\n        accepts: " + verb("accepts") + "\n        end_sessions: " + verb("end_sessions") +
      "\n        disable: " + verb("disable") + "\n        enable: " + verb("enable") +
      "\n"
      "    holders:\n"
      "      - { name: env-file, system: app-config, path: '" +
      env_file() +
      "', format: dotenv, key: PASSWORD }\n"
      "      - { name: json-config, system: app-config, path: '" +
      json_file() + "', format: json, key: db.password }\n";
  for (const std::string& h : o.extra_holders) {
    text += "      - " + h + "\n";
  }
  text +=
      "    consumers:\n"
      "      - name: app\n"
      "        confirm: { exec: " +
      YamlList(o.confirm) + " }\n";
  return text;
}

void Sandbox::SeedSystems(const std::string& value) {
  WriteFile(issuer_dir() + "/accepted", value + "\n");
  WriteFile(env_file(), "# the app's settings\nHOST=db.internal\nPASSWORD=" + value + "\n");
  nlohmann::json cfg = {{"db", {{"host", "db.internal"}, {"password", value}}}, {"workers", 4}};
  WriteFile(json_file(), cfg.dump(2) + "\n");
}

::testing::AssertionResult Sandbox::InitAndAdopt(const std::string& old_value) {
  SeedSystems(old_value);
  Outcome init = Rekey({"init"});
  if (init.exit_code != 0) {
    return ::testing::AssertionFailure() << "rekey init: " << Describe(init);
  }
  Outcome adopt = Rekey({"adopt", "-i", inventory(), "svc"}, {}, old_value + "\n");
  if (adopt.exit_code != 0) {
    return ::testing::AssertionFailure() << "rekey adopt: " << Describe(adopt);
  }
  return ::testing::AssertionSuccess();
}

void Sandbox::CopyStateFrom(const Sandbox& from) {
  std::error_code ec;
  fs::remove_all(state_dir(), ec);
  fs::copy(from.state_dir(), state_dir(), fs::copy_options::recursive, ec);
  EXPECT_FALSE(ec) << "copy " << from.state_dir() << ": " << ec.message();
  for (const char* rel : {"/issuer/accepted", "/app/app.env", "/app/cfg.json"}) {
    fs::copy_file(from.dir() + rel, dir_ + rel, fs::copy_options::overwrite_existing, ec);
    EXPECT_FALSE(ec) << "copy " << rel << ": " << ec.message();
  }
}

Outcome Sandbox::Rekey(const std::vector<std::string>& args, const std::vector<std::string>& env,
                       std::string_view stdin_data) const {
  std::vector<std::string> argv = {RekeyBin(), "--state", state_dir()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv, env, stdin_data);
}

Outcome Sandbox::Run(const std::string& strategy, const std::vector<std::string>& env,
                     const std::string& reason) const {
  return Rekey({"run", "-i", inventory(), "svc", "--strategy", strategy, "--reason", reason}, env);
}

std::vector<std::string> Sandbox::IssuerAccepted() const {
  return Lines(ReadFileOr(issuer_dir() + "/accepted"));
}

bool Sandbox::IssuerDisabled() const { return Exists(issuer_dir() + "/disabled"); }

std::optional<std::string> Sandbox::DotenvValue() const {
  for (const std::string& line : Lines(ReadFileOr(env_file()))) {
    if (line.rfind("PASSWORD=", 0) == 0) {
      return DotenvUnquote(line.substr(9));
    }
  }
  return std::nullopt;
}

std::optional<std::string> Sandbox::JsonValue() const {
  nlohmann::json j = nlohmann::json::parse(ReadFileOr(json_file()), nullptr, false);
  if (j.is_discarded() || !j.contains("db") || !j["db"].contains("password") ||
      !j["db"]["password"].is_string()) {
    return std::nullopt;
  }
  return j["db"]["password"].get<std::string>();
}

nlohmann::json Sandbox::Runs() const {
  Outcome o = Rekey({"runs", "--output", "json"});
  if (o.exit_code != 0) {
    return nullptr;
  }
  nlohmann::json j = nlohmann::json::parse(o.out, nullptr, false);
  return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

nlohmann::json Sandbox::BlockedStep() const {
  nlohmann::json status = Status();
  int step = status.is_object() ? status.value("blocked_step", 0) : 0;
  if (status.value("state", "") != "blocked" || step <= 0 ||
      static_cast<size_t>(step) > status["steps"].size()) {
    return nullptr;
  }
  return status["steps"][step - 1];
}

nlohmann::json Sandbox::Status(const std::string& run) const {
  std::vector<std::string> args = {"status", "--output", "json"};
  if (!run.empty()) {
    args.push_back(run);
  }
  Outcome o = Rekey(args);
  if (o.exit_code != 0) {
    return nullptr;
  }
  nlohmann::json j = nlohmann::json::parse(o.out, nullptr, false);
  return j.is_discarded() ? nlohmann::json(nullptr) : j;
}

void PrintTo(const EndState& s, std::ostream* os) {
  *os << "{issuer_accepted=" << ::testing::PrintToString(s.issuer_accepted)
      << ", issuer_disabled=" << s.issuer_disabled
      << ", env_file=" << ::testing::PrintToString(s.env_file)
      << ", json_file=" << ::testing::PrintToString(s.json_file) << ", run_state=" << s.run_state
      << ", step_states=" << ::testing::PrintToString(s.step_states) << ", runs=" << s.runs
      << ", audit_exit=" << s.audit_exit
      << ", audit_events=" << ::testing::PrintToString(s.audit_events) << "}";
}

EndState CaptureEndState(const Sandbox& sandbox, const std::string& old_value,
                         std::string* new_value) {
  std::string fresh = sandbox.JsonValue().value_or("");
  if (new_value != nullptr) {
    *new_value = fresh;
  }
  auto mask = [&](std::string text) {
    return ReplaceAll(ReplaceAll(std::move(text), old_value, "<old>"), fresh, "<new>");
  };
  EndState s;
  s.issuer_accepted = mask(ReadFileOr(sandbox.issuer_dir() + "/accepted", "<absent>"));
  s.issuer_disabled = sandbox.IssuerDisabled();
  s.env_file = mask(ReadFileOr(sandbox.env_file(), "<absent>"));
  s.json_file = mask(ReadFileOr(sandbox.json_file(), "<absent>"));
  nlohmann::json status = sandbox.Status();
  if (status.is_object()) {
    s.run_state = status.value("state", "<none>");
    for (const nlohmann::json& step : status["steps"]) {
      s.step_states.push_back(std::to_string(step.value("id", 0)) + " " +
                              step.value("action", "?") + " " + step.value("state", "?"));
    }
  }
  nlohmann::json runs = sandbox.Runs();
  s.runs = runs.is_array() ? runs.size() : 0;
  s.audit_exit = sandbox.Rekey({"audit", "verify"}).exit_code;
  std::set<std::string> events;
  std::string run = status.is_object() ? status.value("run", "") : "";
  for (const std::string& line : Lines(ReadFileOr(sandbox.state_dir() + "/audit.log"))) {
    nlohmann::json r = nlohmann::json::parse(line, nullptr, false);
    if (!r.is_object() || r.value("run", "") != run || r.value("event", "") == "run_resumed") {
      continue;
    }
    std::string e = r.value("event", "?");
    if (e == "step_finished") {
      e += " " + std::to_string(r.value("step", 0)) + " " + r.value("outcome", "?");
    } else if (e == "run_finished") {
      e += " " + r.value("state", "?");
    }
    events.insert(e);
  }
  s.audit_events.assign(events.begin(), events.end());
  return s;
}

::testing::AssertionResult ResetCompleted(const Sandbox& sandbox, const std::string& old_value) {
  std::optional<std::string> fresh = sandbox.JsonValue();
  if (!fresh || fresh->empty() || *fresh == old_value) {
    return ::testing::AssertionFailure()
           << "the JSON holder does not hold a new value: " << ReadFileOr(sandbox.json_file());
  }
  if (sandbox.DotenvValue() != fresh) {
    return ::testing::AssertionFailure() << "the dotenv holder does not hold the new value "
                                         << *fresh << ": " << ReadFileOr(sandbox.env_file());
  }
  if (sandbox.IssuerAccepted() != std::vector<std::string>{*fresh}) {
    return ::testing::AssertionFailure()
           << "the issuer should accept exactly the new value " << *fresh
           << ", accepts: " << ::testing::PrintToString(sandbox.IssuerAccepted());
  }
  std::vector<std::string> accepts = {FixturePath("file_issuer.sh"), sandbox.issuer_dir(),
                                      "accepts"};
  if (int code = RunProgram(accepts, {}, *fresh).exit_code; code != 0) {
    return ::testing::AssertionFailure() << "the issuer rejects the new value (exit " << code
                                         << "; disabled: " << sandbox.IssuerDisabled() << ")";
  }
  if (int code = RunProgram(accepts, {}, old_value).exit_code; code != 1) {
    return ::testing::AssertionFailure() << "the issuer does not reject the old value: " << code;
  }
  nlohmann::json status = sandbox.Status();
  if (!status.is_object() || status.value("state", "") != "succeeded") {
    return ::testing::AssertionFailure() << "the newest run did not succeed: " << status.dump(2);
  }
  for (const nlohmann::json& step : status["steps"]) {
    if (step.value("state", "") != "done") {
      return ::testing::AssertionFailure() << "step not done: " << step.dump();
    }
  }
  if (status["steps"].empty() || status["steps"].back().value("action", "") != "promote") {
    return ::testing::AssertionFailure() << "the last step is not the promote: " << status.dump(2);
  }
  return AuditVerifies(sandbox);
}

::testing::AssertionResult AuditVerifies(const Sandbox& sandbox) {
  Outcome o = sandbox.Rekey({"audit", "verify"});
  if (o.exit_code != 0 || o.out.find(": ok: ") == std::string::npos ||
      o.out.find(" records, chain intact\n") == std::string::npos) {
    return ::testing::AssertionFailure() << "rekey audit verify: " << Describe(o);
  }
  return ::testing::AssertionSuccess();
}

}  // namespace rekey::it
