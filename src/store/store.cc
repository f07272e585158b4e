// The Store's names (how states and slots are spelled in the state file, JSON and the CLI) and
// OpenStore, the factory for the default store (store.h).
#include "store/store.h"

#include <array>
#include <utility>

#include "store/sqlite/sqlite_store.h"

namespace rekey {
namespace {

constexpr std::array<std::pair<RunState, std::string_view>, 4> kRunStates = {{
    {RunState::kRunning, "running"},
    {RunState::kBlocked, "blocked"},
    {RunState::kSucceeded, "succeeded"},
    {RunState::kRolledBack, "rolled_back"},
}};

constexpr std::array<std::pair<StepState, std::string_view>, 4> kStepStates = {{
    {StepState::kPending, "pending"},
    {StepState::kRunning, "running"},
    {StepState::kDone, "done"},
    {StepState::kFailed, "failed"},
}};

template <typename E, size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [e, name] : table) {
    if (e == value) {
      return name;
    }
  }
  return "unknown";
}

template <typename E, size_t N>
std::optional<E> Parse(const std::array<std::pair<E, std::string_view>, N>& table,
                       std::string_view name) {
  for (const auto& [e, n] : table) {
    if (n == name) {
      return e;
    }
  }
  return std::nullopt;
}

}  // namespace

std::string_view RunStateName(RunState s) { return NameOf(kRunStates, s); }
std::optional<RunState> ParseRunState(std::string_view name) { return Parse(kRunStates, name); }
std::string_view StepStateName(StepState s) { return NameOf(kStepStates, s); }
std::optional<StepState> ParseStepState(std::string_view name) { return Parse(kStepStates, name); }

std::string_view SlotName(Slot s) {
  switch (s) {
    case Slot::kCurrent:
      return "current";
    case Slot::kPending:
      return "pending";
    case Slot::kPrevious:
      return "previous";
  }
  return "unknown";
}

Result<std::unique_ptr<Store>> OpenStore(Env* env, const std::string& state_dir) {
  REKEY_RETURN_IF_ERROR(env->CreateDirs(state_dir, 0700));
  Result<std::unique_ptr<sqlite::SqliteStore>> store = sqlite::SqliteStore::Open(env, state_dir);
  if (!store.ok()) {
    return store.status();
  }
  return std::unique_ptr<Store>(std::move(*store));
}

}  // namespace rekey
