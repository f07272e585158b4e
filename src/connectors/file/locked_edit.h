// A read-modify-write of a text file that other bindings, threads or rekey processes may edit at
// the same time (authorized_keys, htpasswd, a dotenv file holding several credentials): under an
// exclusive lock, so no edit is lost; atomic (temporary file, fsync, rename), so a crash leaves
// the old text or the new, never a mix; the file's mode and owner kept; the texts wiped after.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/env.h"
#include "connectors/connector.h"

namespace rekey::file {

// Given the file's text, the new text, or nullopt to leave the file as it is.
using TextEdit = std::function<std::optional<std::string>(std::string_view text)>;

enum class IfMissing {
  kCreate,   // a missing file reads as "" and is created with mode 0600, owned by its directory's
             // owner
  kNotFound  // a missing file is not_found: rekey does not guess a web server's file mode
};

// Applies EDIT to the file at TARGET (an absolute path, already resolved: see path_guard.h)
// through ENV, under ENV's edit lock (Env::LockForEdit; on disk, base/posix_edit_lock.h).
// timeout when another edit holds the lock until DEADLINE; a missing directory is not_found.
Status EditFileLocked(Env* env, const std::string& target, const TextEdit& edit, IfMissing missing,
                      Deadline deadline);

}  // namespace rekey::file
