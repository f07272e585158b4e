// Redaction of text that a program outside rekey produced (a command's stderr, a server's error
// body) before any of it enters a Status, a log or the journal: the program may echo the values
// it was given.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "secret/secret_bytes.h"

namespace rekey::exec {

// The longest text Redact returns, in bytes.
inline constexpr size_t kMaxRedactedSize = 200;

// TEXT with every occurrence of each non-empty value in SECRETS replaced by "[REDACTED]", and
// likewise its hex (lower and upper case) and base64 (standard and URL-safe, padded or not)
// encodings; overlapping occurrences become one marker. The result is then cut to
// kMaxRedactedSize bytes. Null entries in SECRETS are ignored. Thread-safe.
std::string Redact(std::string_view text, std::initializer_list<const SecretBytes*> secrets);

}  // namespace rekey::exec
