// The head file (head.h).
#include "audit/head.h"

#include <unistd.h>

#include "audit/record.h"
#include "base/env.h"

namespace rekey {
namespace {

bool IsHexHash(const std::string& s) {
  return s.size() == kAuditGenesisPrev.size() &&
         s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

Result<AuditHead> ParseHead(const std::string& text) {
  Result<nlohmann::json> json = ParseAuditObject(text);
  if (!json.ok()) {
    return Status::Corruption(kAuditHeadMalformed);
  }
  auto seq = json->find("seq");
  auto hash = json->find("hash");
  if (seq == json->end() || !seq->is_number_unsigned() || seq->get<uint64_t>() == 0 ||
      hash == json->end() || !hash->is_string() || !IsHexHash(hash->get<std::string>())) {
    return Status::Corruption(kAuditHeadMalformed);
  }
  return AuditHead{seq->get<uint64_t>(), hash->get<std::string>()};
}

}  // namespace

std::string AuditHeadPath(const std::string& log_path) { return log_path + ".head"; }

Result<std::optional<AuditHead>> ReadAuditHead(const std::string& log_path) {
  Result<std::string> text = DefaultEnv()->ReadFile(AuditHeadPath(log_path));
  if (text.status().code() == StatusCode::kNotFound) {
    return std::optional<AuditHead>();
  }
  if (!text.ok()) {
    return text.status();
  }
  Result<AuditHead> head = ParseHead(*text);
  if (!head.ok()) {
    return head.status();
  }
  return std::optional<AuditHead>(std::move(*head));
}

Status WriteAuditHead(const std::string& log_path, const AuditHead& head) {
  std::string text = "{\"seq\":" + std::to_string(head.seq) + ",\"hash\":\"" + head.hash + "\"}\n";
  FileInfo attributes{0600, ::geteuid(), ::getegid(), 0};
  // The line it names is durable already; if a power loss undoes this rename, the older head is
  // still valid (the log reaches it), so the directory fsync is not worth its cost per record.
  return DefaultEnv()->WriteFileAtomic(AuditHeadPath(log_path), text, attributes,
                                       Env::RenameSync::kContentOnly);
}

std::string AuditHeadTruncatedProblem(uint64_t records, uint64_t head_seq) {
  return "log ends at record " + std::to_string(records) + " but its head records " +
         std::to_string(head_seq) + ": records were removed from the end";
}

std::string AuditHeadMismatchProblem(uint64_t seq) {
  return "line " + std::to_string(seq) + ": does not match the hash in the head file (record " +
         std::to_string(seq) + " was edited or replaced)";
}

}  // namespace rekey
