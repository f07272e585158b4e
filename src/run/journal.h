// Journal: every durable write a run makes (store updates and audit records) goes through here,
// numbered, with the failpoints around it. The executor never writes the store or the audit log
// directly, so "kill -9 at every journal write" covers every write it makes.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "audit/audit_log.h"
#include "run/failpoints.h"
#include "store/store.h"

namespace rekey {

class Journal {
 public:
  // Pointers must outlive the journal. Thread-safe as the store and audit log are.
  Journal(Store* store, AuditLog* audit, Failpoints* failpoints)
      : store_(store), audit_(audit), failpoints_(failpoints) {}

  Store* store() const { return store_; }

  // Runs WRITE (a store call) as one numbered durable write described by WHAT.
  template <typename F>
  Status Write(std::string_view what, F write) {
    Point point(failpoints_, what);
    return write();
  }
  // Appends EVENT to the audit log as one numbered durable write (ANCHOR: see AuditLog).
  Status Audit(nlohmann::json event, AuditLog::Anchor anchor = AuditLog::Anchor::kYes);
  // Appends EVENTS, in order, as one numbered durable write (AuditLog::AppendAll).
  Status AuditAll(std::vector<nlohmann::json> events,
                  AuditLog::Anchor anchor = AuditLog::Anchor::kYes);

 private:
  // Brackets one write with the failpoints, also when it returns early.
  class Point {
   public:
    Point(Failpoints* f, std::string_view what) : f_(f) { f_->BeforeWrite(what); }
    ~Point() { f_->AfterWrite(); }
    Point(const Point&) = delete;
    Point& operator=(const Point&) = delete;

   private:
    Failpoints* f_;
  };

  Store* store_;
  AuditLog* audit_;
  Failpoints* failpoints_;
};

}  // namespace rekey
