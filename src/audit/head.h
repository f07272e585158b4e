// The head file: PATH.head beside the audit log PATH, `{"seq":N,"hash":"<hex>"}`, naming the last
// record appended and its hash. A hash chain cannot show that records were cut from its end; the
// head can. Replaced atomically after each append. See doc/audit-format.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.h"
#include "base/status.h"

namespace rekey {

struct AuditHead {
  uint64_t seq = 0;  // the record the head vouches for, >= 1
  std::string hash;  // AuditHash of that record's line
};

// LOG_PATH + ".head".
std::string AuditHeadPath(const std::string& log_path);

// The head of LOG_PATH; nullopt when the head file does not exist (a log written before heads,
// or never appended to). corruption with kAuditHeadMalformed when the file is not a valid head;
// other errors as the file system reports them.
Result<std::optional<AuditHead>> ReadAuditHead(const std::string& log_path);

// Replaces the head of LOG_PATH with HEAD atomically and durably (mode 0600). Callers serialise
// writers: AuditLog holds the log's exclusive lock around it.
Status WriteAuditHead(const std::string& log_path, const AuditHead& head);

// The problem when the head names record HEAD_SEQ but the log holds only RECORDS.
std::string AuditHeadTruncatedProblem(uint64_t records, uint64_t head_seq);
// The problem when line SEQ exists but does not hash to the head's hash.
std::string AuditHeadMismatchProblem(uint64_t seq);
// The problem (and the corruption message) for a head file that cannot be read as a head.
inline constexpr const char* kAuditHeadMalformed =
    "head file is malformed: expected {\"seq\":N,\"hash\":\"<64 hex digits>\"}";

}  // namespace rekey
