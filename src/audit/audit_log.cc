// AuditLog (audit_log.h). Every append re-reads the tail under an exclusive flock instead of
// trusting a cached seq and hash: other processes append to the same file.
#include "audit/audit_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>
#include <utility>
#include <vector>

#include "audit/fd_io.h"
#include "audit/file_lock.h"
#include "audit/head.h"
#include "audit/log_tail.h"
#include "audit/record.h"
#include "base/check.h"
#include "base/env.h"

namespace rekey {

namespace {

// The seq and prev of the record LINE, or nullopt if LINE is not a valid record.
std::optional<std::pair<uint64_t, std::string>> SeqAndPrev(const std::string& line) {
  Result<nlohmann::json> record = ParseAuditObject(line);
  if (!record.ok()) {
    return std::nullopt;
  }
  auto seq = record->find("seq");
  auto prev = record->find("prev");
  if (seq == record->end() || !seq->is_number_unsigned() || prev == record->end() ||
      !prev->is_string()) {
    return std::nullopt;
  }
  return std::make_pair(seq->get<uint64_t>(), prev->get<std::string>());
}

}  // namespace

struct AuditLog::Last {
  uint64_t seq = 0;                     // 0 for an empty log
  std::string hash{kAuditGenesisPrev};  // AuditHash of its line: the next record's prev
  std::string prev;                     // its own prev; empty for an empty log
  off_t end = 0;                        // file size after it: where the next line goes
};

Result<std::unique_ptr<AuditLog>> AuditLog::Open(const std::string& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
  if (!fd.valid()) {
    return ErrnoStatus("open audit log " + path, errno);
  }
  // The log may have just been created: make its directory entry durable too.
  REKEY_RETURN_IF_ERROR(audit_internal::SyncParentDir(path));
  return std::make_unique<AuditLog>(PrivateKey(), path, std::move(fd));
}

struct AuditLog::Waiting {
  std::vector<nlohmann::json> events;
  Anchor anchor = Anchor::kYes;
  Result<uint64_t> seq = Status::Internal("not written");
};

Result<uint64_t> AuditLog::Append(nlohmann::json event, Anchor anchor) {
  std::vector<nlohmann::json> events;
  events.push_back(std::move(event));
  return AppendAll(std::move(events), anchor);
}

Result<uint64_t> AuditLog::AppendAll(std::vector<nlohmann::json> events, Anchor anchor) {
  REKEY_CHECK(!events.empty());
  Waiting me{std::move(events), anchor};
  commits_.Submit(&me, [this](const std::vector<Waiting*>& batch) noexcept { WriteBatch(batch); });
  return std::move(me.seq);
}

void AuditLog::WriteBatch(const std::vector<Waiting*>& batch) {
  auto fail_all = [&](const Status& s) {
    for (Waiting* w : batch) {
      w->seq = s;
    }
  };
  auto flock = audit_internal::FileLock::Acquire(fd_.get(), LOCK_EX, path_);
  if (!flock.ok()) {
    return fail_all(flock.status());
  }
  Result<Last> last = ReadLast();
  if (!last.ok()) {
    return fail_all(last.status());
  }
  if (Status head = CheckHead(*last); !head.ok()) {
    return fail_all(head);
  }
  // Chain the batch's records; an append with an invalid event fails alone and takes no seq.
  uint64_t seq = last->seq;
  std::string hash = last->hash;
  std::string lines;
  std::vector<Waiting*> written;
  for (Waiting* w : batch) {
    Result<std::string> own = FormatRecords(w->events, seq, &hash);
    if (!own.ok()) {
      w->seq = own.status();
      continue;
    }
    seq += w->events.size();
    w->seq = seq;
    lines += *own;
    written.push_back(w);
  }
  if (written.empty()) {
    return;
  }
  if (Status s = WriteLines(lines, last->end); !s.ok()) {
    for (Waiting* w : written) {
      w->seq = s;
    }
    return;
  }
  bool anchor = std::any_of(written.begin(), written.end(),
                            [](const Waiting* w) { return w->anchor == Anchor::kYes; });
  if (!anchor) {
    return;
  }
  Status head = WriteAuditHead(path_, AuditHead{seq, hash});
  if (!head.ok()) {
    head = head.WithContext("audit record " + std::to_string(seq) + " was appended to " + path_ +
                            " but its head file was not updated");
    for (Waiting* w : written) {
      w->seq = head;
    }
  }
}

Result<std::string> AuditLog::FormatRecords(const std::vector<nlohmann::json>& events,
                                            uint64_t after, std::string* hash) {
  std::string lines;
  std::string chained = *hash;
  for (const nlohmann::json& event : events) {
    Result<std::string> line = FormatAuditRecord(++after, DefaultEnv()->Now(), chained, event);
    if (!line.ok()) {
      return line.status();
    }
    chained = AuditHash(*line);
    lines += *line + "\n";
  }
  *hash = std::move(chained);
  return lines;
}

Result<AuditLog::Last> AuditLog::ReadLast() {
  Result<audit_internal::LogTail> tail = audit_internal::ReadLogTail(fd_.get(), path_);
  if (!tail.ok()) {
    return tail.status();
  }
  // A torn line was never acknowledged (Append had not returned): drop it.
  if (tail->torn() && ::ftruncate(fd_.get(), tail->complete_size) != 0) {
    return ErrnoStatus("truncate the torn last line of " + path_, errno);
  }
  Last last;
  last.end = tail->complete_size;
  if (tail->complete_size == 0) {
    return last;
  }
  std::optional<std::pair<uint64_t, std::string>> fields = SeqAndPrev(tail->last_line);
  if (!fields.has_value()) {
    return Status::Corruption("audit log " + path_ +
                              ": its last line is not a valid audit record; not appending: run "
                              "`rekey audit verify`");
  }
  last.seq = fields->first;
  last.prev = std::move(fields->second);
  last.hash = AuditHash(tail->last_line);
  return last;
}

Status AuditLog::CheckHead(const Last& last) {
  Result<std::optional<AuditHead>> head = ReadAuditHead(path_);
  if (!head.ok()) {
    return head.status().WithContext("audit log " + path_);
  }
  if (!head->has_value()) {
    return Status::Ok();
  }
  const AuditHead& h = **head;
  std::string problem;
  if (last.seq < h.seq) {
    problem = AuditHeadTruncatedProblem(last.seq, h.seq);
  } else if ((last.seq == h.seq && last.hash != h.hash) ||
             (last.seq == h.seq + 1 && last.prev != h.hash)) {
    problem = "its last records do not match the hash in the head file (edited or replaced)";
  }
  if (problem.empty()) {
    return Status::Ok();
  }
  return Status::Corruption("audit log " + path_ + ": " + problem +
                            "; not appending: run `rekey audit verify`");
}

Status AuditLog::WriteLines(const std::string& lines, off_t rollback_size) {
  Status s = WriteAll(fd_.get(), lines, path_);
  if (!s.ok()) {
    // Leave no partial line behind; if that fails too, the next Append drops it.
    if (::ftruncate(fd_.get(), rollback_size) != 0) {
      return s.WithContext("partial line left in place");
    }
    return s;
  }
  if (::fsync(fd_.get()) != 0) {
    return ErrnoStatus("fsync " + path_, errno);
  }
  return Status::Ok();
}

}  // namespace rekey
