// Verification of an audit log (`rekey audit verify`): walks the hash chain line by line, then
// checks the head file, and reports the first problem with its line. The checks and their exact
// messages are listed in doc/audit-format.md.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"

namespace rekey {

struct AuditVerifyReport {
  uint64_t records = 0;  // lines checked that were intact (all of them when ok)
  bool ok = true;
  uint64_t bad_line = 0;  // 1-based line of the first problem, 0 if ok
  std::string problem;  // e.g. "line 7: prev does not match the hash of line 6 (...)"; empty if ok
};

// Checks the audit log at PATH and its head file PATH + ".head" (if present). A damaged log is
// an OK Result with ok == false. For a problem found through the head file, bad_line is the line
// the head vouches for when it exists (head.seq), else the first missing line (records + 1).
// Holds a shared flock on the log while it reads, so an Append in progress is never seen
// half-written. not_found ("no audit log at PATH") when PATH does not exist; other file errors as
// the file system reports them. Thread-safe.
Result<AuditVerifyReport> VerifyAuditLog(const std::string& path);

}  // namespace rekey
