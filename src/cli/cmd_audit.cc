// rekey audit verify: checks the audit log's hash chain and head; reports the first broken,
// removed or reordered record and exits 1.
#include <nlohmann/json.hpp>
#include <ostream>

#include "audit/verify.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit_codes.h"

namespace rekey {
namespace {

class AuditCommand final : public Command {
 public:
  void Setup(CLI::App* app) override {
    verify_ = app->add_subcommand("verify", "Check the audit log's hash chain");
    AddOutputFlag(verify_, &output_);
  }

  int Run(const Context& context) override {
    if (!verify_->parsed()) {
      return ReportError(context,
                         Status::InvalidArgument("audit needs a subcommand: rekey audit verify"));
    }
    std::string path = context.state_dir + "/audit.log";
    auto report = VerifyAuditLog(path);
    if (!report.ok()) {
      return ReportError(context, report.status());
    }
    if (output_ == "json") {
      *context.out << nlohmann::json{{"ok", report->ok},
                                     {"records", report->records},
                                     {"bad_line", report->bad_line},
                                     {"problem", report->problem}}
                          .dump(2)
                   << "\n";
    } else if (report->ok) {
      *context.out << path << ": ok: " << report->records << " records, chain intact\n";
    } else {
      *context.out << path << ": " << report->problem << "\n";
    }
    return report->ok ? kExitOk : kExitFailed;
  }

 private:
  CLI::App* verify_ = nullptr;
  std::string output_ = "text";
};

}  // namespace

std::unique_ptr<Command> MakeAuditCommand() { return std::make_unique<AuditCommand>(); }

}  // namespace rekey
