#include "run/journal.h"

namespace rekey {

Status Journal::Audit(nlohmann::json event, AuditLog::Anchor anchor) {
  std::string what = "audit " + event.value("event", std::string("?"));
  Point point(failpoints_, what);
  Result<uint64_t> seq = audit_->Append(std::move(event), anchor);
  return seq.status();  // its messages already name the audit log
}

Status Journal::AuditAll(std::vector<nlohmann::json> events, AuditLog::Anchor anchor) {
  std::string what = "audit";
  for (const nlohmann::json& event : events) {
    what += " " + event.value("event", std::string("?"));
  }
  Point point(failpoints_, what);
  return audit_->AppendAll(std::move(events), anchor).status();
}

}  // namespace rekey
