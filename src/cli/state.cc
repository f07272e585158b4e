#include "cli/state.h"

#include <pwd.h>
#include <unistd.h>

#include "cli/common.h"

namespace rekey {

Result<State> OpenState(const Context& context) {
  Result<MasterKey> key = MasterKey::Load(context.env, MasterKeyPath(context));
  if (!key.ok()) {
    return key.status();
  }
  Result<std::unique_ptr<Store>> store = OpenStore(context.env, context.state_dir);
  if (!store.ok()) {
    return store.status();
  }
  Result<std::unique_ptr<AuditLog>> audit = AuditLog::Open(context.state_dir + "/audit.log");
  if (!audit.ok()) {
    return audit.status();
  }
  State state{std::move(*key), std::move(*store), std::move(*audit),
              std::make_unique<Failpoints>(context.env), nullptr};
  state.journal =
      std::make_unique<Journal>(state.store.get(), state.audit.get(), state.failpoints.get());
  return state;
}

std::string CurrentUser(Env* env) {
  if (auto user = env->GetVar("USER"); user.ok() && !user->empty()) {
    return *user;
  }
  passwd* pw = ::getpwuid(::geteuid());
  return pw ? pw->pw_name : std::to_string(::geteuid());
}

std::string CurrentHost() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return host;
}

}  // namespace rekey
