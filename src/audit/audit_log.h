// AuditLog: the append-only, hash-chained audit log (audit.log in the state directory). Each line
// is one JSON record holding the SHA-256 of the previous line, so any edit, deletion or reordering
// shows; a head file beside it shows records cut from the end. Format: doc/audit-format.md.
// Records carry fingerprints, never credential values: callers must not put a secret in an event.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "base/file_descriptor.h"
#include "base/group_commit.h"
#include "base/result.h"

namespace rekey {

class AuditLog {
 public:
  // Opens the log at PATH, creating it with mode 0600 if absent (its directory must exist). The
  // head file PATH + ".head" is created by the first Append. Errors as the file system reports
  // them (not_found for a missing directory, permission_denied, unavailable).
  static Result<std::unique_ptr<AuditLog>> Open(const std::string& path);

  struct PrivateKey {
    explicit PrivateKey() = default;
  };
  // Use Open. Public only so that Open can use std::make_unique.
  AuditLog(PrivateKey, std::string path, FileDescriptor fd)
      : path_(std::move(path)), fd_(std::move(fd)) {}
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;

  // Whether an append moves the head file up to it. kNo saves a file replacement (an fsync) for
  // records that a later anchored one will cover (a run's step outcomes, covered by its
  // run_finished): until then, cutting them from the end is caught by the chain only if
  // something follows them. See doc/audit-format.md.
  enum class Anchor { kYes, kNo };

  // Appends one record: EVENT's fields after the ones the log adds, "seq" (1-based), "time"
  // (RFC 3339 UTC, milliseconds, system clock) and "prev" (hex SHA-256 of the previous line, 64
  // zeros for the first). Returns the new record's seq once the line is durable and, when ANCHOR
  // is kYes (or another record of its batch is anchored), the head names it or a later record.
  //
  // Thread-safe, and safe against other processes appending to the same PATH: it holds an
  // exclusive flock while it reads the last line afresh, writes and fsyncs. A torn last line
  // (a writer crashed mid-write) is truncated away first. Group commit: appends from several
  // threads that arrive while one is being made durable are written together by the next
  // writer, in one write, one fsync and one head update; each still returns only once its own
  // record is durable.
  //
  // invalid_argument if EVENT is not an object with a non-empty string "event", sets seq, time
  // or prev, or holds invalid UTF-8. corruption, appending nothing, if the last record does not
  // parse or the log disagrees with its head (records removed from the end): appending would
  // hide the damage; `rekey audit verify` reports it. If the head cannot be replaced after the
  // line is durable, returns that error although the record was appended.
  //
  // Not for use across fork(): the child shares the parent's lock; it must Open its own.
  Result<uint64_t> Append(nlohmann::json event, Anchor anchor = Anchor::kYes);

  // Appends EVENTS as consecutive records, in their order, in one write: all of them or, if one
  // is invalid, none (invalid_argument). Returns the last one's seq; otherwise as Append.
  // REQUIRES: EVENTS is not empty.
  Result<uint64_t> AppendAll(std::vector<nlohmann::json> events, Anchor anchor = Anchor::kYes);

 private:
  struct Last;     // the last complete record, as Append needs it
  struct Waiting;  // one Append's events, and its outcome once written

  void WriteBatch(const std::vector<Waiting*>& batch);
  // EVENTS' lines, numbered from AFTER + 1 and chained from *HASH, which becomes the last
  // line's hash; *HASH is left as it was when an event is invalid.
  static Result<std::string> FormatRecords(const std::vector<nlohmann::json>& events,
                                           uint64_t after, std::string* hash);
  Result<Last> ReadLast();
  Status CheckHead(const Last& last);
  Status WriteLines(const std::string& lines, off_t rollback_size);

  const std::string path_;
  FileDescriptor fd_;  // O_RDWR | O_APPEND

  // One batch written at a time (flock does not exclude threads sharing fd_).
  GroupCommit<Waiting> commits_;
};

}  // namespace rekey
