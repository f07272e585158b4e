// LogTail: the end of the audit log, as an append needs it: the last complete line, and where a
// torn (partial, unterminated) line begins if a writer crashed mid-write. Read backwards from the
// end, so an append costs the same however long the log is.
#pragma once

#include <sys/types.h>

#include <string>

#include "base/result.h"

namespace rekey::audit_internal {

struct LogTail {
  off_t complete_size = 0;  // bytes up to and including the last "\n"
  off_t file_size = 0;      // greater than complete_size when the file ends in a torn line
  std::string last_line;    // the last complete line, without "\n"; empty when there is none
  bool torn() const { return file_size > complete_size; }
};

// Reads the tail of the file open on FD. The caller holds a lock that keeps writers out. PATH
// names the file in errors.
Result<LogTail> ReadLogTail(int fd, const std::string& path);

}  // namespace rekey::audit_internal
