// Small POSIX helpers shared by the modules that own file descriptors (env, audit log, store):
// errno to Status, a path's directory, and whole writes.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace rekey {

// "WHAT: strerror(ERR)", as not_found (ENOENT), permission_denied (EACCES, EPERM) or unavailable
// (anything else: the file system may recover).
Status ErrnoStatus(const std::string& what, int err);

// The directory that holds PATH: "/" for "/x", "." for a bare name.
std::string DirName(const std::string& path);

// Writes all of DATA at FD's current offset, retrying on EINTR and short writes. PATH names the
// file in errors.
Status WriteAll(int fd, std::string_view data, const std::string& path);

}  // namespace rekey
