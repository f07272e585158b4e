// A PostgreSQL connection at the level of the v3 frontend/backend protocol's messages, over TCP,
// for rekey's own logins (scram_login.h): connect, send bytes, receive whole messages, each wait
// a poll(2) that ends at a Deadline. Nothing the server sends is trusted for a size: a message
// longer than kMaxBackendMessage ends the connection.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/file_descriptor.h"
#include "base/result.h"
#include "connectors/connector.h"

namespace rekey::postgres {

// Larger than any message a login brings (authentication requests, parameter statuses, an
// error); libpq's own bound on such messages is 30000 bytes.
inline constexpr size_t kMaxBackendMessage = 30000;

// One backend message: its type byte and its body (after the length).
struct BackendMessage {
  char type = 0;
  std::string body;
};

// Frontend messages. StartupMessage: protocol 3.0 and each NAME/VALUE pair of PARAMETERS (no
// NULs in them) whose value is not empty (libpq sends none of those). Typed: TYPE, the length,
// BODY.
std::string SslRequest();
std::string StartupMessage(
    std::initializer_list<std::pair<std::string_view, std::string_view>> parameters);
std::string TypedMessage(char type, std::string_view body);

// Appends big-endian N / S and its NUL, as messages carry them.
void AppendInt32(std::string* out, uint32_t n);
void AppendCString(std::string* out, std::string_view s);

// Reads a message body front to back; each Take fails (false) past its end.
class BodyReader {
 public:
  explicit BodyReader(std::string_view body) : rest_(body) {}
  bool TakeByte(char* c);
  bool TakeInt32(int32_t* n);
  bool TakeCString(std::string_view* s);
  std::string_view rest() const { return rest_; }

 private:
  std::string_view rest_;
};

// A connected TCP socket speaking the protocol. Errors: Timeout when DEADLINE passed,
// Unavailable otherwise (refused, reset, closed, a message too long), with the reason as text.
class PgWire {
 public:
  // Connects to HOST (a name or a numeric address; each address getaddrinfo gives, in turn) on
  // PORT. Name resolution is not bounded by DEADLINE (libpq's is not either).
  static Result<PgWire> Connect(const std::string& host, const std::string& port,
                                Deadline deadline);

  Status Send(std::string_view bytes, Deadline deadline);
  // The one byte that answers an SSLRequest.
  Result<char> ReadByte(Deadline deadline);
  Result<BackendMessage> Read(Deadline deadline);

 private:
  explicit PgWire(FileDescriptor fd) : fd_(std::move(fd)) {}
  // Reads more into buffer_; REQUIRES a wait first if nothing is there yet.
  Status Fill(Deadline deadline);

  FileDescriptor fd_;
  std::string buffer_;  // received, not yet returned
};

}  // namespace rekey::postgres
