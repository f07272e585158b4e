// VerifyAuditLog (verify.h). The chain is checked before the head, so a damaged line is reported
// where it is rather than as a head mismatch further on.
#include "audit/verify.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <optional>
#include <string_view>

#include "audit/fd_io.h"
#include "audit/file_lock.h"
#include "audit/head.h"
#include "audit/record.h"
#include "base/file_descriptor.h"

namespace rekey {
namespace {

std::string Line(uint64_t n) { return "line " + std::to_string(n) + ": "; }

// The problem with LINE, numbered N, whose predecessor hashes to PREV_HASH; empty if none.
std::string CheckLine(std::string_view line, uint64_t n, const std::string& prev_hash) {
  Result<nlohmann::json> record = ParseAuditObject(line);
  if (!record.ok()) {
    return Line(n) + "not a JSON object";
  }
  auto seq = record->find("seq");
  if (seq == record->end() || !seq->is_number_unsigned()) {
    return Line(n) + "seq is missing or not an unsigned integer";
  }
  if (seq->get<uint64_t>() != n) {
    return Line(n) + "seq is " + std::to_string(seq->get<uint64_t>()) + ", expected " +
           std::to_string(n) + " (records were removed, inserted or reordered)";
  }
  auto prev = record->find("prev");
  if (prev == record->end() || !prev->is_string()) {
    return Line(n) + "prev is missing or not a string";
  }
  if (*prev == prev_hash) {
    return "";
  }
  if (n == 1) {
    return Line(n) + "prev is not the 64 zeros that start the chain (edited)";
  }
  return Line(n) + "prev does not match the hash of line " + std::to_string(n - 1) + " (line " +
         std::to_string(n - 1) + " was edited, or records were removed or reordered)";
}

struct Walk {
  AuditVerifyReport report;
  std::string hash_at_head;  // the hash of line head.seq, if the walk reached it
};

void Fail(AuditVerifyReport& report, uint64_t line, std::string problem) {
  report.ok = false;
  report.bad_line = line;
  report.problem = std::move(problem);
}

// Walks the chain in DATA; records the hash of line HEAD_SEQ on the way.
Walk WalkChain(std::string_view data, uint64_t head_seq) {
  Walk walk;
  std::string prev_hash(kAuditGenesisPrev);
  for (uint64_t n = 1; !data.empty(); ++n) {
    auto end = data.find('\n');
    if (end == std::string_view::npos) {
      Fail(walk.report, n, Line(n) + "incomplete record (torn write)");
      return walk;
    }
    std::string_view line = data.substr(0, end);
    std::string problem = CheckLine(line, n, prev_hash);
    if (!problem.empty()) {
      Fail(walk.report, n, std::move(problem));
      return walk;
    }
    prev_hash = AuditHash(line);
    if (n == head_seq) {
      walk.hash_at_head = prev_hash;
    }
    ++walk.report.records;
    data.remove_prefix(end + 1);
  }
  return walk;
}

// Checks an intact chain of WALK against HEAD (a head file's content or its read error).
Status CheckHead(const Result<std::optional<AuditHead>>& head, Walk& walk) {
  uint64_t records = walk.report.records;
  if (head.status().code() == StatusCode::kCorruption) {
    Fail(walk.report, records + 1, kAuditHeadMalformed);
    return Status::Ok();
  }
  if (!head.ok() || !head->has_value()) {
    return head.status();
  }
  const AuditHead& h = **head;
  if (records < h.seq) {
    Fail(walk.report, records + 1, AuditHeadTruncatedProblem(records, h.seq));
  } else if (walk.hash_at_head != h.hash) {
    Fail(walk.report, h.seq, AuditHeadMismatchProblem(h.seq));
  }
  return Status::Ok();
}

}  // namespace

Result<AuditVerifyReport> VerifyAuditLog(const std::string& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) {
    return errno == ENOENT ? Status::NotFound("no audit log at " + path)
                           : ErrnoStatus("open audit log " + path, errno);
  }
  auto lock = audit_internal::FileLock::Acquire(fd.get(), LOCK_SH, path);
  if (!lock.ok()) {
    return lock.status();
  }
  Result<std::string> data = audit_internal::ReadAll(fd.get(), path);
  if (!data.ok()) {
    return data.status();
  }
  // Read under the same lock: Append replaces the head while it holds the exclusive one.
  Result<std::optional<AuditHead>> head = ReadAuditHead(path);
  uint64_t head_seq = head.ok() && head->has_value() ? (*head)->seq : 0;
  Walk walk = WalkChain(*data, head_seq);
  if (walk.report.ok) {
    REKEY_RETURN_IF_ERROR(CheckHead(head, walk));
  }
  return walk.report;
}

}  // namespace rekey
