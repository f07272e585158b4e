// The audit record format (record.h). The line is built by hand around the event's own dump so
// that the key order seq, time, prev is fixed without converting to nlohmann::ordered_json.
#include "audit/record.h"

#include <cstdio>
#include <ctime>

#include "base/sha256.h"

namespace rekey {
namespace {

Status CheckEvent(const nlohmann::json& event) {
  if (!event.is_object()) {
    return Status::InvalidArgument("audit event must be a JSON object");
  }
  auto name = event.find("event");
  if (name == event.end() || !name->is_string() || name->get_ref<const std::string&>().empty()) {
    return Status::InvalidArgument("audit event must have a non-empty string field \"event\"");
  }
  for (const char* reserved : {"seq", "time", "prev"}) {
    if (event.contains(reserved)) {
      return Status::InvalidArgument(std::string("audit event must not set \"") + reserved +
                                     "\": the log adds it");
    }
  }
  return Status::Ok();
}

// nlohmann's dump throws type_error on a string that is not UTF-8; it must not escape.
Result<std::string> DumpEvent(const nlohmann::json& event) {
  try {
    return event.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::exception&) {
    return Status::InvalidArgument("audit event holds a string that is not valid UTF-8");
  }
}

}  // namespace

std::string AuditHash(std::string_view bytes) { return Sha256Hex(bytes); }

std::string FormatAuditTime(SystemTime time) {
  auto millis = std::chrono::floor<Millis>(time);
  auto seconds = std::chrono::floor<std::chrono::seconds>(millis);
  std::time_t t = std::chrono::system_clock::to_time_t(seconds);
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[96];  // room for any int the compiler cannot rule out
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>((millis - seconds).count()));
  return buf;
}

Result<std::string> FormatAuditRecord(uint64_t seq, SystemTime time, std::string_view prev,
                                      const nlohmann::json& event) {
  REKEY_RETURN_IF_ERROR(CheckEvent(event));
  Result<std::string> fields = DumpEvent(event);
  if (!fields.ok()) {
    return fields.status();
  }
  // FIELDS is "{...}" and not empty (it has "event"): splice ours in after its brace.
  return "{\"seq\":" + std::to_string(seq) + ",\"time\":\"" + FormatAuditTime(time) +
         "\",\"prev\":\"" + std::string(prev) + "\"," + fields->substr(1);
}

Result<nlohmann::json> ParseAuditObject(std::string_view text) {
  nlohmann::json value = nlohmann::json::parse(text.begin(), text.end(), nullptr,
                                               /*allow_exceptions=*/false);
  if (!value.is_object()) {
    return Status::InvalidArgument("not a JSON object");
  }
  return value;
}

}  // namespace rekey
