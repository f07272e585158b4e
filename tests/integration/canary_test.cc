// Canary test: runs with known secret values, then a search of the state directory, the audit
// log, every line the binary printed and the argv and environment of every command it ran for
// those values and their common encodings: none may be there.
#include "canary.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "harness.h"

namespace rekey::it {
namespace {

// Symbols that percent-encoding, base64 and JSON each write differently.
const std::string kOld = "Canary+Old/Value=9%Zq@kX";
// In rekey's own environment, as an admin secret given by an env: reference would be: no
// command rekey runs needs it, so none may see it.
const std::string kAdminToken = "admin-token-canary-7Hq2ZpX9";
const std::string kGenerate =
    "{ length: 40, alphabet: ascii, require: [lower, upper, digit, symbol] }";

// What the child environment may hold: rekey's allowlist (ProcessSpec) and what sh adds itself.
const std::set<std::string> kAllowedChildVars = {"PATH",   "HOME", "LANG",  "LC_ALL", "TZ",
                                                 "TMPDIR", "PWD",  "SHLVL", "_",      "OLDPWD"};

// The search itself, against encodings computed independently (Python's base64, binascii and
// urllib.parse.quote): each planted form is found as what it is, and near misses are not.
TEST(CanaryEncodingsTest, EveryEncodingOfAValueIsFoundAndNearMissesAreNot) {
  const std::string v = "pw+/?>~ \"\\ end\xffX";
  const std::vector<std::pair<std::string, std::string>> values = {{"v", v}};
  const std::vector<std::pair<std::string, std::string>> planted = {
      {"raw", "x" + v + "y"},
      {"JSON-escaped", "{\"e\":\"pw+/?>~ \\\"\\\\ end\xffX\"}"},
      {"base64", "cHcrLz8+fiAiXCBlbmT/WA=="},
      {"base64 (unpadded)", "[cHcrLz8+fiAiXCBlbmT/WA]"},
      {"base64url", "cHcrLz8-fiAiXCBlbmT_WA=="},
      {"base64url (unpadded)", "cHcrLz8-fiAiXCBlbmT_WA."},
      {"hex", "70772b2f3f3e7e20225c20656e64ff58"},
      {"HEX", "70772B2F3F3E7E20225C20656E64FF58"},
      {"percent-encoded", "pw%2B%2F%3F%3E~%20%22%5C%20end%FFX"},
      {"percent-encoded (lower-case hex)", "pw%2b%2f%3f%3e~%20%22%5c%20end%ffX"},
      // "user:" + v, as in an HTTP Basic authorization header; "x" + v + "tail", url-safe.
      {"base64 inside a larger text at offset 2", "Basic dXNlcjpwdysvPz5+ICJcIGVuZP9Y"},
      {"base64url inside a larger text at offset 1", "eHB3Ky8_Pn4gIlwgZW5k_1h0YWls"},
  };
  for (const auto& [encoding, text] : planted) {
    std::vector<Leak> leaks;
    FindLeaks(text, encoding, values, &leaks);
    std::set<std::string> found;
    for (const Leak& l : leaks) {
      found.insert(l.encoding);
    }
    EXPECT_EQ(found.count(encoding), 1u) << encoding << " not found in " << text << "; found\n"
                                         << Describe(leaks);
  }
  std::vector<Leak> none;
  FindLeaks("pw+/?>~ \"\\ end, cHcrLz8+fiAiXCBlbm, 70772b2f3f3e7e20225c20656e64, pw%2B%2F%3F%3E~",
            "near misses", values, &none);
  EXPECT_EQ(Describe(none), "");
}

// Every file under the state directory, every stream of every command, and the wrappers' log.
std::vector<Leak> Search(const Sandbox& box,
                         const std::vector<std::pair<std::string, Outcome>>& commands,
                         const std::vector<std::pair<std::string, std::string>>& values,
                         const std::string& wrapper_log) {
  std::vector<Leak> leaks;
  std::vector<std::string> files = FilesUnder(box.state_dir());
  EXPECT_GE(files.size(), 4u) << "state.db, master.key, audit.log and its head at least";
  for (const std::string& f : files) {
    if (f != box.state_dir() + "/master.key") {
      FindLeaks(ReadFileOr(f), f, values, &leaks);
    }
  }
  for (const auto& [name, o] : commands) {
    FindLeaks(o.out, name + " stdout", values, &leaks);
    FindLeaks(o.err, name + " stderr", values, &leaks);
  }
  if (!wrapper_log.empty()) {
    FindLeaks(ReadFileOr(wrapper_log), "argv/environment of the commands rekey ran", values,
              &leaks);
  }
  return leaks;
}

TEST(CanaryTest, NoValueInTheStateAuditOutputOrTheArgvAndEnvironmentOfAnyCommand) {
  Sandbox box;
  const std::string log_path = box.dir() + "/commands.log";
  const std::string raw_file = box.dir() + "/app/secret.txt";
  InventoryOptions wrapped;
  wrapped.generate = kGenerate;
  wrapped.issuer_prefix = {FixturePath("log_exec.sh"), log_path, FixturePath("file_issuer.sh"),
                           box.issuer_dir()};
  // grep reads the value as its pattern from stdin: the value stays out of its argv too.
  wrapped.confirm = {FixturePath("log_exec.sh"), log_path, "sh", "-c",
                     "grep -qxF -f - \"$0\"",    raw_file};
  wrapped.extra_holders = {"{ name: raw-file, system: app-config, path: '" + raw_file +
                           "', format: raw }"};
  box.RewriteInventory(wrapped);
  box.SeedSystems(kOld);
  WriteFile(raw_file, kOld + "\n");

  std::vector<std::pair<std::string, Outcome>> commands;
  const std::string token_var = "REKEY_IT_ADMIN_TOKEN=" + kAdminToken;
  auto rekey = [&](const std::string& name, const std::vector<std::string>& args,
                   const std::vector<std::string>& env = {}, const std::string& stdin_data = "") {
    std::vector<std::string> all_env = env;
    all_env.push_back(token_var);
    commands.emplace_back(name, box.Rekey(args, all_env, stdin_data));
    return commands.back().second;
  };
  ASSERT_EQ(rekey("init", {"init"}).exit_code, 0);
  Outcome adopt = rekey("adopt", {"adopt", "-i", box.inventory(), "svc"}, {}, kOld + "\n");
  ASSERT_EQ(adopt.exit_code, 0) << Describe(adopt);
  // Before any run: the adopted value is sealed; neither the state nor the audit shows it.
  EXPECT_EQ(Describe(Search(box, commands, {{"adopted value", kOld}}, "")), "");

  std::vector<std::pair<std::string, std::string>> values = {{"adopted value", kOld},
                                                             {"admin token", kAdminToken}};
  std::string previous = kOld;
  for (const char* strategy : {"rotate", "contain"}) {
    Outcome run =
        rekey(std::string("run ") + strategy, {"run", "-i", box.inventory(), "svc", "--strategy",
                                               strategy, "--reason", "canary", "--output", "json"});
    ASSERT_EQ(run.exit_code, 0) << Describe(run);
    ASSERT_TRUE(ResetCompleted(box, previous));
    previous = box.JsonValue().value_or("");
    ASSERT_EQ(ReadFileOr(raw_file), previous + "\n");
    values.emplace_back(std::string("value made by ") + strategy, previous);
  }
  // A run that blocks at step 4 (a holder write) and is resumed: errors and resumption too.
  Outcome blocked =
      rekey("blocked run", {"run", "-i", box.inventory(), "svc", "--reason", "canary"},
            {"REKEY_FAILPOINT=fail-step:4"});
  ASSERT_EQ(blocked.exit_code, 1) << Describe(blocked);
  std::string blocked_id = box.Runs()[0].value("run", "");
  rekey("status (blocked)", {"status"});
  rekey("status json (blocked)", {"status", "--output", "json"});
  Outcome resumed = rekey("resume", {"resume", blocked_id});
  ASSERT_EQ(resumed.exit_code, 0) << Describe(resumed);
  ASSERT_TRUE(ResetCompleted(box, previous));
  values.emplace_back("value made by the resumed run", box.JsonValue().value_or(""));

  for (const char* cmd : {"status", "runs"}) {
    rekey(cmd, {cmd});
    rekey(std::string(cmd) + " json", {cmd, "--output", "json"});
  }
  rekey("audit verify", {"audit", "verify"});
  rekey("audit verify json", {"audit", "verify", "--output", "json"});
  rekey("resume --all", {"resume", "--all"});
  rekey("plan", {"plan", "-i", box.inventory(), "svc"});
  rekey("validate", {"validate", "-i", box.inventory()});
  for (const auto& [name, o] : commands) {
    EXPECT_NE(o.exit_code, -1) << name;
  }

  std::vector<Leak> leaks = Search(box, commands, values, log_path);
  EXPECT_EQ(Describe(leaks), "");

  // The search can fail: the wrappers saw every issuer verb and the consumer, and the files
  // that are meant to hold the newest value hold it where the search looks.
  std::string log = ReadFileOr(log_path);
  for (const std::string& tail : std::vector<std::string>{
           "[add]", "[remove]", "[accepts]", "[end_sessions]", "[disable]", "[enable]",
           "[sh] [-c] [grep -qxF -f - \"$0\"] [" + raw_file + "]"}) {
    EXPECT_NE(log.find(" " + tail + "\n"), std::string::npos) << tail << " not in\n" << log;
  }
  std::vector<Leak> held;
  FindLeaks(ReadFileOr(raw_file), raw_file, {values.back()}, &held);
  EXPECT_FALSE(held.empty()) << "the search does not find the value in the raw holder";

  // The commands' environment: rekey's allowlist only (no admin token, no ASAN_OPTIONS).
  std::set<std::string> names;
  for (const std::string& line : Lines(log)) {
    if (line.rfind("env: ", 0) == 0) {
      names.insert(line.substr(5, line.find('=') - 5));
    }
  }
  for (const std::string& n : names) {
    EXPECT_EQ(kAllowedChildVars.count(n), 1u) << "a command rekey ran got $" << n;
  }
  EXPECT_EQ(names.count("PATH"), 1u) << log;
}

// A system that fails with an error message showing a value, in one of the forms real systems
// use: the error rekey keeps (state, audit, status, its own stderr) must not show it.
struct EchoCase {
  std::string name;
  std::string verb;      // the issuer command that fails
  std::string strategy;  // the run that reaches it
  int step = 0;          // the step it blocks
  std::string (*message)(const std::string& old_value);
};

void PrintTo(const EchoCase& c, std::ostream* os) { *os << c.name; }

class EchoTest : public ::testing::TestWithParam<EchoCase> {};

TEST_P(EchoTest, TheValueAnIssuerEchoesInItsErrorIsRedactedEverywhere) {
  const EchoCase& c = GetParam();
  Sandbox box;
  InventoryOptions o;
  o.issuer_prefix = {FixturePath("failing_issuer.sh"), box.issuer_dir()};
  box.RewriteInventory(o);
  ASSERT_TRUE(box.InitAndAdopt(kOld));
  WriteFile(box.issuer_dir() + "/" + c.verb + ".stderr", c.message(kOld) + "\nsecond line\n");

  std::vector<std::pair<std::string, Outcome>> commands;
  commands.emplace_back("run", box.Run(c.strategy));
  ASSERT_EQ(commands.back().second.exit_code, 1) << Describe(commands.back().second);
  commands.emplace_back("status", box.Rekey({"status"}));
  commands.emplace_back("status json", box.Rekey({"status", "--output", "json"}));
  nlohmann::json status = nlohmann::json::parse(commands.back().second.out, nullptr, false);
  ASSERT_TRUE(status.is_object()) << commands.back().second.out;
  EXPECT_EQ(status.value("state", ""), "blocked");
  EXPECT_EQ(status.value("blocked_step", 0), c.step);
  // The error is kept, with the value's place marked.
  EXPECT_EQ(status["steps"][c.step - 1].value("error", ""),
            "internal: exec " + c.verb + " command exited 2: " + c.message("[REDACTED]"));
  EXPECT_EQ(Describe(Search(box, commands, {{"adopted value", kOld}}, "")), "");
}

INSTANTIATE_TEST_SUITE_P(
    Encodings, EchoTest,
    ::testing::Values(
        EchoCase{"raw", "remove", "rotate", 7,
                 [](const std::string& v) { return "cannot remove " + v + ": busy"; }},
        EchoCase{"hex", "remove", "rotate", 7,
                 [](const std::string& v) {
                   return "cannot remove " + (v == "[REDACTED]" ? v : Hex(v, false)) + ": busy";
                 }},
        EchoCase{"base64", "remove", "rotate", 7,
                 [](const std::string& v) {
                   return "token " + (v == "[REDACTED]" ? v : Base64(v, false, true)) + " busy";
                 }},
        EchoCase{"base64url", "remove", "rotate", 7,
                 [](const std::string& v) {
                   return "token " + (v == "[REDACTED]" ? v : Base64(v, true, false)) + " busy";
                 }},
        // A URL with the password in it, as database and HTTP clients print them.
        EchoCase{"percent_encoded_in_a_url", "remove", "rotate", 7,
                 [](const std::string& v) {
                   return "cannot connect to https://svc:" +
                          (v == "[REDACTED]" ? v : PercentEncode(v, true)) + "@issuer.internal/";
                 }},
        // An HTTP Basic authorization header: base64 of "user:password".
        EchoCase{"basic_auth_header", "remove", "rotate", 7,
                 [](const std::string& v) {
                   return "request failed; sent Authorization: Basic " +
                          (v == "[REDACTED]" ? v : Base64("svc:" + v, false, true));
                 }},
        // The value in an error of a command that was not given it (disable gets no value).
        EchoCase{"raw_from_a_command_not_given_the_value", "disable", "contain", 2,
                 [](const std::string& v) { return "cannot disable: account password is " + v; }}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace rekey::it
