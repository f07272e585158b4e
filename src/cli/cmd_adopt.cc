// rekey adopt --inventory F IDENTITY [--from-holder NAME]: takes the identity's current value
// (from stdin, or read from one of its holders) and seals it in the store as `current`, so a
// run can later prove it dead.
#include <unistd.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/exit_codes.h"
#include "cli/state.h"
#include "run/connector_set.h"
#include "run/step_action.h"
#include "secret/fingerprint.h"
#include "secret/sealer.h"

namespace rekey {
namespace {

// All of stdin, minus one trailing newline.
SecretBytes ReadStdin() {
  std::string data;
  char buf[4096];
  for (ssize_t n; (n = ::read(STDIN_FILENO, buf, sizeof buf)) > 0;) {
    data.append(buf, static_cast<size_t>(n));
  }
  ::explicit_bzero(buf, sizeof buf);
  if (!data.empty() && data.back() == '\n') {
    data.pop_back();
  }
  return SecretBytes::Take(data);
}

class AdoptCommand final : public Command {
 public:
  void Setup(CLI::App* app) override {
    app->add_option("--inventory,-i", inventory_, "Inventory file (YAML)")->required();
    app->add_option("identity", identity_, "The identity")->required();
    app->add_option("--from-holder", holder_,
                    "Read the current value from this holder instead of stdin");
  }

  int Run(const Context& context) override {
    auto inv = LoadInventoryForCommand(context, inventory_);
    if (!inv.ok()) {
      return kExitUsage;
    }
    const Identity* id = inv->FindIdentity(identity_);
    if (id == nullptr) {
      return ReportError(context,
                         Status::NotFound("no identity \"" + identity_ + "\" in " + inventory_));
    }
    auto value =
        holder_.empty() ? Result<SecretBytes>(ReadStdin()) : FromHolder(context, *inv, *id);
    if (!value.ok()) {
      return ReportError(context, value.status());
    }
    if (value->empty()) {
      return ReportError(context, Status::InvalidArgument("the current value is empty"));
    }
    auto state = OpenState(context);
    if (!state.ok()) {
      return ReportError(context, state.status());
    }
    Fingerprinter fp(state->master_key);
    StoredValue stored{Sealer(state->master_key).Seal(*value, SealingContext(identity_)),
                       fp.Fingerprint(*value), "", context.env->Now()};
    Status s =
        state->journal->Write("adopt", [&] { return state->store->Adopt(identity_, stored); });
    if (s.ok()) {
      s = state->journal->Audit({{"event", "value_adopted"},
                                 {"identity", identity_},
                                 {"fingerprint", stored.fingerprint},
                                 {"user", CurrentUser(context.env)}});
    }
    if (!s.ok()) {
      return ReportError(context, s);
    }
    *context.out << "adopted the current value of " << identity_ << " (fingerprint "
                 << Fingerprinter::Short(stored.fingerprint) << ")\n";
    return kExitOk;
  }

 private:
  Result<SecretBytes> FromHolder(const Context& context, const Inventory& inv, const Identity& id) {
    ConnectorSet connectors(context.env, nullptr, inv, id);
    auto holder = connectors.HolderFor(holder_);
    if (!holder.ok()) {
      return holder.status();
    }
    return (*holder)->Read(context.env->MonotonicNow() + std::chrono::seconds(30));
  }

  std::string inventory_;
  std::string identity_;
  std::string holder_;
};

}  // namespace

std::unique_ptr<Command> MakeAdoptCommand() { return std::make_unique<AdoptCommand>(); }

}  // namespace rekey
