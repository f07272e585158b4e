// The edit lock of the real file system (Env::LockForEdit): an exclusive flock(2) on the file
// as it is, or on its directory while there is no file. An edit replaces the file by a rename
// while it holds the lock on the old inode, so a lock won on an inode that is no longer the
// path's, or on the directory once the file exists, is let go and taken again. Edits of
// different files in one directory do not wait for each other (a bulk run writes a thousand
// files of one directory); nothing is created beside the file.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "base/env.h"

namespace rekey {

Result<std::unique_ptr<EditLock>> LockFileForEdit(const std::string& path,
                                                  std::chrono::steady_clock::time_point deadline);

}  // namespace rekey
