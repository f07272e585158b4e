// SqliteStore's credential versions (sqlite_store.h): one row per (identity, slot) in the
// credentials table, moved between slots by Promote.
#include <string>

#include "store/sqlite/rows.h"
#include "store/sqlite/sqlite_store.h"

namespace rekey::sqlite {
namespace {

// A fingerprint is 64 lower-case hex characters. Checking it keeps a misplaced value, which
// would be in clear, out of the fingerprint column.
Status CheckValue(const std::string& identity, const StoredValue& value) {
  if (value.sealed.empty()) {
    return Status::InvalidArgument("the sealed value given for identity " + identity + " is empty");
  }
  const std::string& fp = value.fingerprint;
  if (fp.size() != 64 || fp.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return Status::InvalidArgument("the fingerprint given for identity " + identity +
                                   " is not 64 lower-case hex characters");
  }
  return Status::Ok();
}

Status NotThisRun(const std::string& identity, const StoredValue& pending,
                  const std::string& run_id) {
  return Status::Conflict("the pending value of identity " + identity + " belongs to run " +
                          pending.run_id + ", not " + run_id);
}

// The field of VERSIONS for the slot named SLOT, or null for a name no rekey writes.
std::optional<StoredValue>* SlotField(CredentialVersions& versions, std::string_view slot) {
  if (slot == SlotName(Slot::kCurrent)) {
    return &versions.current;
  }
  if (slot == SlotName(Slot::kPending)) {
    return &versions.pending;
  }
  return slot == SlotName(Slot::kPrevious) ? &versions.previous : nullptr;
}

}  // namespace

Result<CredentialVersions> SqliteStore::GetCredential(const std::string& identity) {
  std::lock_guard<std::mutex> lock(mu_);
  Result<Statement> query = db_.Prepare("SELECT slot, " + std::string(kValueColumns) +
                                        " FROM credentials WHERE identity = ?1");
  if (!query.ok()) {
    return query.status();
  }
  query->BindText(1, identity);
  CredentialVersions versions;
  for (;;) {
    Result<bool> row = query->Step();
    if (!row.ok()) {
      return row.status();
    }
    if (!*row) {
      return versions;
    }
    std::optional<StoredValue>* field = SlotField(versions, query->Text(0));
    if (field == nullptr) {
      return Status::Corruption("state store " + db_.path() + ": identity " + identity +
                                " has a value in unknown slot '" + query->Text(0) + "'");
    }
    *field = ReadValue(*query, 1);
  }
}

Status SqliteStore::Adopt(const std::string& identity, const StoredValue& value) {
  REKEY_RETURN_IF_ERROR(CheckValue(identity, value));
  return Write([&]() -> Status {
    Result<std::optional<LockHolder>> holder = FindLockHolder(identity);
    if (!holder.ok()) {
      return holder.status();
    }
    if (holder->has_value()) {
      return (*holder)->Refusal(identity);
    }
    return WriteSlot(identity, Slot::kCurrent, value);
  });
}

Status SqliteStore::StagePending(const std::string& identity, const StoredValue& value) {
  REKEY_RETURN_IF_ERROR(CheckValue(identity, value));
  if (value.run_id.empty()) {
    return Status::InvalidArgument("a pending value for identity " + identity + " needs a run id");
  }
  return Write([&]() -> Status {
    Result<std::optional<LockHolder>> holder = FindLockHolder(identity);
    if (!holder.ok()) {
      return holder.status();
    }
    if (holder->has_value() && (*holder)->run_id != value.run_id) {
      return (*holder)->Refusal(identity);
    }
    Result<std::optional<StoredValue>> pending = ReadSlot(identity, Slot::kPending);
    if (!pending.ok()) {
      return pending.status();
    }
    if (!pending->has_value()) {
      return WriteSlot(identity, Slot::kPending, value);
    }
    if ((*pending)->run_id != value.run_id) {
      return NotThisRun(identity, **pending, value.run_id);
    }
    if ((*pending)->fingerprint != value.fingerprint) {
      return Status::Conflict("run " + value.run_id +
                              " already staged a different pending value for identity " + identity);
    }
    return Status::Ok();  // already staged: a resumed run repeats its generate step
  });
}

Status SqliteStore::Promote(const std::string& identity, const std::string& run_id) {
  return Write([&]() -> Status {
    Result<std::optional<StoredValue>> pending = ReadSlot(identity, Slot::kPending);
    if (!pending.ok()) {
      return pending.status();
    }
    if (!pending->has_value()) {
      Result<std::optional<StoredValue>> current = ReadSlot(identity, Slot::kCurrent);
      if (!current.ok()) {
        return current.status();
      }
      if (current->has_value() && !run_id.empty() && (*current)->run_id == run_id) {
        return Status::Ok();  // promoted already, before a crash or by an earlier attempt
      }
      return Status::NotFound("identity " + identity + " has no pending value for run " + run_id);
    }
    if ((*pending)->run_id != run_id) {
      return NotThisRun(identity, **pending, run_id);
    }
    REKEY_RETURN_IF_ERROR(RunForIdentity(
        "DELETE FROM credentials WHERE identity = ?1 AND slot = 'previous'", identity));
    REKEY_RETURN_IF_ERROR(RunForIdentity(
        "UPDATE credentials SET slot = 'previous' WHERE identity = ?1 AND slot = 'current'",
        identity));
    return RunForIdentity(
        "UPDATE credentials SET slot = 'current' WHERE identity = ?1 AND slot = 'pending'",
        identity);
  });
}

Status SqliteStore::DiscardPending(const std::string& identity, const std::string& run_id) {
  return Write([&]() -> Status {
    Result<std::optional<StoredValue>> pending = ReadSlot(identity, Slot::kPending);
    if (!pending.ok()) {
      return pending.status();
    }
    if (!pending->has_value()) {
      return Status::Ok();  // discarded already
    }
    if ((*pending)->run_id != run_id) {
      return NotThisRun(identity, **pending, run_id);
    }
    return RunForIdentity("DELETE FROM credentials WHERE identity = ?1 AND slot = 'pending'",
                          identity);
  });
}

}  // namespace rekey::sqlite
