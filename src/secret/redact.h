// Redaction of text that a program outside rekey produced (a command's stderr, a server's error
// message) before any of it is kept in a Status, a log, the journal or the audit log: the
// program may echo a value it was given, or one it knows, in any of the forms programs print.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "secret/secret_bytes.h"

namespace rekey {

inline constexpr std::string_view kRedactedMarker = "[REDACTED]";

// TEXT with every occurrence of each non-empty value in SECRETS replaced by "[REDACTED]":
// the raw bytes, hex (either case), percent-encoding (either case), and base64 (standard or
// URL-safe, padded or not), including base64 of a longer text that contains the value at any
// offset (an HTTP Basic header is base64 of "user:value"): there the whole base64 word goes.
// Overlapping occurrences become one marker. The result is then cut to MAX_SIZE bytes. Null
// entries in SECRETS are ignored. Thread-safe.
std::string Redact(std::string_view text, std::initializer_list<const SecretBytes*> secrets,
                   size_t max_size = std::string::npos);

}  // namespace rekey
