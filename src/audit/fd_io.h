// Small POSIX helpers for the audit log's own file descriptor: positioned and whole reads,
// directory fsync (errno to Status and whole writes come from base/posix_io.h). Internal.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/posix_io.h"
#include "base/result.h"
#include "base/status.h"

namespace rekey::audit_internal {

// Reads exactly SIZE bytes at OFFSET; corruption if the file is shorter than that.
Result<std::string> ReadAt(int fd, off_t offset, size_t size, const std::string& path);

// Reads the whole file through FD from offset 0.
Result<std::string> ReadAll(int fd, const std::string& path);

// fsyncs the directory holding PATH, so that a newly created entry in it is durable.
Status SyncParentDir(const std::string& path);

}  // namespace rekey::audit_internal
