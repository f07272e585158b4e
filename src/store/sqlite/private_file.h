// Private files: the state database and its -wal/-shm companions are readable by their owner only
// (mode 0600), because they hold sealed credential values and the run journal. A file that is
// private already is only looked at (lstat), never opened: closing a descriptor of a file drops
// every POSIX lock the process holds on it, SQLite's among them.
#pragma once

#include <string>

#include "base/status.h"

namespace rekey::sqlite {

// Creates the regular file PATH with mode 0600 if it does not exist; removes the group and other
// permission bits of an existing one. Refuses a symbolic link (a planted link must not redirect
// the store) and anything that is not a regular file (invalid_argument).
Status CreatePrivateFile(const std::string& path);

// Removes the group and other permission bits of PATH if it exists; OK when it does not.
Status RestrictIfExists(const std::string& path);

}  // namespace rekey::sqlite
