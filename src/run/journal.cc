#include "run/journal.h"

namespace rekey {

Status Journal::Audit(nlohmann::json event, AuditLog::Anchor anchor) {
  std::string what = "audit " + event.value("event", std::string("?"));
  Point point(failpoints_, what);
  Result<uint64_t> seq = audit_->Append(std::move(event), anchor);
  return seq.status();  // its messages already name the audit log
}

}  // namespace rekey
