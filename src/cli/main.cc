// rekey's entry point: hardens the process, parses the command line and dispatches to the
// subcommand table. Nothing else lives here.
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <iostream>

#include "cli/command.h"
#include "cli/exit_codes.h"

namespace rekey {
namespace {

// Secrets live in this process's memory: no core dumps, no ptrace by other users, private files.
// A closed pipe or socket must not kill a run half way (`rekey run --all | head` did, with the
// runs still in flight left to resume): writes to it fail instead.
void HardenProcess() {
  rlimit none{0, 0};
  ::setrlimit(RLIMIT_CORE, &none);
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  ::umask(077);
  ::signal(SIGPIPE, SIG_IGN);
}

std::string DefaultStateDir(Env* env) {
  if (auto dir = env->GetVar("REKEY_STATE_DIR"); dir.ok() && !dir->empty()) {
    return *dir;
  }
  if (auto xdg = env->GetVar("XDG_STATE_HOME"); xdg.ok() && !xdg->empty()) {
    return *xdg + "/rekey";
  }
  auto home = env->GetVar("HOME");
  return (home.ok() ? *home : std::string(".")) + "/.local/state/rekey";
}

int Main(int argc, char** argv) {
  HardenProcess();
  CLI::App app{
      "rekey: reset a non-human identity's credential everywhere it lives, and prove the "
      "old one is dead.\nExit codes: 0 ok, 1 failed, 2 bad input or usage, 3 conflict "
      "(another run holds the identity)."};
  app.name("rekey");
  std::string state_dir;
  app.add_option("--state", state_dir,
                 "State directory (default $REKEY_STATE_DIR, else $XDG_STATE_HOME/rekey, else "
                 "~/.local/state/rekey)");
  app.require_subcommand(1);
  std::vector<std::pair<CLI::App*, std::unique_ptr<Command>>> commands;
  for (const CommandEntry& entry : CommandTable()) {
    CLI::App* sub = app.add_subcommand(entry.name, entry.help);
    commands.emplace_back(sub, entry.make());
    commands.back().second->Setup(sub);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  Context context{DefaultEnv(), state_dir.empty() ? DefaultStateDir(DefaultEnv()) : state_dir,
                  &std::cout, &std::cerr};
  for (auto& [sub, command] : commands) {
    if (sub->parsed()) {
      return command->Run(context);
    }
  }
  return kExitUsage;
}

}  // namespace
}  // namespace rekey

int main(int argc, char** argv) { return rekey::Main(argc, argv); }
