// The audit record: one line of audit.log, `{"seq":N,"time":"...","prev":"<hex>",<event fields>}`,
// and the SHA-256 that chains each line to the next. The format is specified in
// doc/audit-format.md; this file is its one implementation, shared by the writer and the verifier.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/env.h"
#include "base/result.h"

namespace rekey {

// The "prev" of record 1: 64 zeros.
inline constexpr std::string_view kAuditGenesisPrev =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Lower-case hex SHA-256 of BYTES (64 characters). Thread-safe.
std::string AuditHash(std::string_view bytes);

// TIME as RFC 3339 UTC with milliseconds: "2024-05-01T12:34:56.789Z".
std::string FormatAuditTime(SystemTime time);

// The line (without "\n") for record SEQ: seq, time and prev first, then EVENT's fields in
// nlohmann's (sorted) order. invalid_argument unless EVENT is an object with a string "event" and
// none of the reserved keys seq, time, prev, or if it holds a string that is not valid UTF-8.
Result<std::string> FormatAuditRecord(uint64_t seq, SystemTime time, std::string_view prev,
                                      const nlohmann::json& event);

// Parses TEXT as one JSON value, without exceptions: the one place src/audit calls
// nlohmann::json::parse. invalid_argument unless TEXT is exactly one JSON object.
Result<nlohmann::json> ParseAuditObject(std::string_view text);

}  // namespace rekey
