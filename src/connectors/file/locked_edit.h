// A read-modify-write of a text file that other bindings, threads or rekey processes may edit at
// the same time (authorized_keys, htpasswd): under an exclusive lock on the file's directory, so
// no edit is lost; atomic (temporary file, fsync, rename), so a crash leaves the old text or the
// new, never a mix; the file's mode and owner kept.
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
// through ENV. The lock is flock(2) on TARGET's directory: it stays valid across the rename that
// replaces the file (a lock on the file would be on the old inode), and needs no file beside it.
// timeout when another edit holds the lock until DEADLINE; a missing directory is not_found.
Status EditFileLocked(Env* env, const std::string& target, const TextEdit& edit, IfMissing missing,
                      Deadline deadline);

}  // namespace rekey::file
