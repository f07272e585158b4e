// The subcommand table's shapes: each command declares its flags on a CLI11 sub-app and runs
// with a Context. main.cc parses and dispatches; every command lives in its own cmd_*.cc.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "base/env.h"

namespace rekey {

struct Context {
  Env* env = nullptr;
  std::string state_dir;  // resolved: --state, $REKEY_STATE_DIR, $XDG_STATE_HOME/rekey, ...
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  bool show_progress = true;  // step progress on a terminal; off when output is buffered
};

// A command: Setup declares its flags on APP (binding them to state it keeps), Run executes it
// and returns the process exit code.
class Command {
 public:
  virtual ~Command() = default;
  virtual void Setup(CLI::App* app) = 0;
  virtual int Run(const Context& context) = 0;
};

struct CommandEntry {
  const char* name;
  const char* help;
  std::function<std::unique_ptr<Command>()> make;
};

// Every subcommand, in the order --help lists them.
const std::vector<CommandEntry>& CommandTable();

// "error: MESSAGE" on the context's error stream, then returns ExitCodeFor(STATUS).
int ReportError(const Context& context, const Status& status);

}  // namespace rekey
