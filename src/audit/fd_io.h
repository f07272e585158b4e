// Small POSIX helpers for the audit log's own file descriptor: errno to Status, whole writes,
// positioned and whole reads, directory fsync. Internal to src/audit.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/result.h"
#include "base/status.h"

namespace rekey::audit_internal {

// "WHAT: strerror(ERR)", as not_found (ENOENT), permission_denied (EACCES, EPERM) or unavailable.
Status ErrnoStatus(const std::string& what, int err);

// Writes all of DATA at FD's current offset (the end, for an O_APPEND descriptor), retrying on
// EINTR and short writes. PATH names the file in errors.
Status WriteAll(int fd, std::string_view data, const std::string& path);

// Reads exactly SIZE bytes at OFFSET; corruption if the file is shorter than that.
Result<std::string> ReadAt(int fd, off_t offset, size_t size, const std::string& path);

// Reads the whole file through FD from offset 0.
Result<std::string> ReadAll(int fd, const std::string& path);

// fsyncs the directory holding PATH, so that a newly created entry in it is durable.
Status SyncParentDir(const std::string& path);

}  // namespace rekey::audit_internal
