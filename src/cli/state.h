// The state directory opened for a command that executes or inspects runs: master key, store,
// audit log, failpoints and the journal over them.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "audit/audit_log.h"
#include "base/worker_pool.h"
#include "cli/command.h"
#include "connectors/system_resources.h"
#include "core/inventory.h"
#include "run/failpoints.h"
#include "run/journal.h"
#include "secret/master_key.h"
#include "store/store.h"

namespace rekey {

struct State {
  MasterKey master_key;
  std::unique_ptr<Store> store;
  std::unique_ptr<AuditLog> audit;
  std::unique_ptr<Failpoints> failpoints;
  std::unique_ptr<Journal> journal;
  // Admin connections, shared by the runs this command executes (run --all, resume --all).
  std::unique_ptr<SystemResources> resources = std::make_unique<SystemResources>();
  // Stored inventory texts, parsed once (execute.h StoredInventory): one for a `run`, a few
  // at most for a `resume --all`, so a list.
  struct ParsedInventories {
    std::mutex mu;
    std::vector<std::pair<SharedText, std::shared_ptr<const Inventory>>> parsed;
  };
  std::unique_ptr<ParsedInventories> inventories = std::make_unique<ParsedInventories>();
  // The threads that perform the steps of every run this command executes. Last: its threads
  // are joined before what their tasks use goes.
  std::unique_ptr<WorkerPool> pool = std::make_unique<WorkerPool>();
};

// not_found (suggesting `rekey init`) when the directory has no master key.
Result<State> OpenState(const Context& context);

// The invoking user and host, for run records and the audit log.
std::string CurrentUser(Env* env);
std::string CurrentHost();

}  // namespace rekey
