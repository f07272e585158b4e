#include "connectors/postgres/scram_login.h"

#include <sodium.h>

#include "connectors/postgres/pg_client.h"
#include "connectors/postgres/pg_wire.h"
#include "connectors/postgres/scram_exchange.h"
#include "connectors/postgres/scram_keys.h"

namespace rekey::postgres {
namespace {

// Authentication request codes (protocol-message-formats: AuthenticationXXX).
constexpr int32_t kAuthOk = 0;
constexpr int32_t kAuthSasl = 10;
constexpr int32_t kAuthSaslContinue = 11;
constexpr int32_t kAuthSaslFinal = 12;

constexpr std::string_view kMechanism = "SCRAM-SHA-256";

// One login. Each step returns false once the login has ended, in outcome_ or to_libpq_.
class OwnLogin {
 public:
  OwnLogin(const ScramTarget& target, Deadline deadline) : target_(target), deadline_(deadline) {}

  ScramAttempt Run(const std::string& role, const SecretBytes& value) {
    if (Connect() && Negotiate() && Send(Startup(role)) && ReadAuthRequest()) {
      if (auth_code_ == kAuthOk) {
        AwaitReady(/*asked_password=*/false);
      } else if (auth_code_ == kAuthSasl && OffersScram()) {
        if (Authenticate(value)) {
          AwaitReady(/*asked_password=*/true);
        }
      } else {
        to_libpq_ = true;
      }
    }
    if (to_libpq_) {
      return {std::nullopt, server_does_tls_};
    }
    return {std::move(outcome_), false};
  }

 private:
  bool Fail(const Status& status) {
    outcome_.timed_out = status.code() == StatusCode::kTimeout;
    outcome_.message =
        outcome_.timed_out ? status.message() : ServerPrefix() + std::string(status.message());
    return false;
  }

  bool ProtocolError(std::string_view what) { return Fail(Status::Unavailable(std::string(what))); }

  std::string ServerPrefix() const {
    return "connection to server at " + target_.server + ", port " + target_.port + " failed: ";
  }

  // The server's ErrorResponse ends the login with its SQLSTATE, rendered as libpq renders it.
  bool Refused(const BackendMessage& error) {
    std::string severity, message;
    BodyReader fields(error.body);
    for (char field; fields.TakeByte(&field) && field != '\0';) {
      std::string_view value;
      if (!fields.TakeCString(&value)) {
        return ProtocolError("malformed error message from the server");
      }
      if (field == 'S') {
        severity = value;
      } else if (field == 'C') {
        outcome_.sqlstate = value;
      } else if (field == 'M') {
        message = value;
      }
    }
    outcome_.message =
        ServerPrefix() + TidyMessage(severity + ":  " + outcome_.sqlstate + ": " + message);
    return false;
  }

  bool Connect() {
    Result<PgWire> wire = PgWire::Connect(target_.address, target_.port, deadline_);
    if (!wire.ok()) {
      return Fail(wire.status());
    }
    wire_.emplace(std::move(*wire));
    return true;
  }

  // sslmode prefer/allow: a server that answers the SSLRequest 'S' would get TLS from libpq.
  bool Negotiate() {
    if (!target_.ssl_request) {
      return true;
    }
    if (!Send(SslRequest())) {
      return false;
    }
    Result<char> answer = wire_->ReadByte(deadline_);
    if (!answer.ok()) {
      return Fail(answer.status());
    }
    to_libpq_ = *answer != 'N';
    server_does_tls_ = *answer == 'S';
    return !to_libpq_;
  }

  std::string Startup(const std::string& role) const {
    return StartupMessage({{"user", role},
                           {"database", target_.dbname},
                           {"options", target_.options},
                           {"application_name", target_.application_name},
                           {"client_encoding", target_.client_encoding}});
  }

  bool Send(std::string_view bytes) {
    Status sent = wire_->Send(bytes, deadline_);
    return sent.ok() || Fail(sent);
  }

  // The next message that is not a notice (the server may send one at any time).
  bool Next(BackendMessage* message) {
    do {
      Result<BackendMessage> read = wire_->Read(deadline_);
      if (!read.ok()) {
        return Fail(read.status());
      }
      *message = std::move(*read);
    } while (message->type == 'N');
    return true;
  }

  // The first authentication request. An ErrorResponse before it goes to libpq (see the
  // header: the refusal of a plain connection need not be libpq's answer).
  bool ReadAuthRequest() {
    if (!Next(&request_)) {
      return false;
    }
    if (request_.type == 'E') {
      to_libpq_ = true;
      return false;
    }
    BodyReader body(request_.body);
    if (request_.type != 'R' || !body.TakeInt32(&auth_code_)) {
      return ProtocolError("expected authentication request from server");
    }
    return true;
  }

  // Whether the AuthenticationSASL request lists SCRAM-SHA-256.
  bool OffersScram() const {
    BodyReader body(request_.body);
    int32_t code = 0;
    body.TakeInt32(&code);
    for (std::string_view name; body.TakeCString(&name) && !name.empty();) {
      if (name == kMechanism) {
        return true;
      }
    }
    return false;
  }

  // The data of the authentication request CODE, which must come next.
  bool ReadAuth(int32_t code, std::string_view* data) {
    if (!Next(&request_)) {
      return false;
    }
    if (request_.type == 'E') {
      return Refused(request_);
    }
    BodyReader body(request_.body);
    int32_t got = 0;
    if (request_.type != 'R' || !body.TakeInt32(&got) || got != code) {
      return ProtocolError("unexpected message from the server during SASL authentication");
    }
    *data = body.rest();
    return true;
  }

  bool Authenticate(const SecretBytes& value) {
    unsigned char nonce[18];  // as libpq: 18 random bytes, 24 characters of base64
    randombytes_buf(nonce, sizeof nonce);
    ScramExchange scram(value.Expose(), Base64(nonce, sizeof nonce));
    std::string first = scram.ClientFirst();
    std::string initial;
    AppendCString(&initial, kMechanism);
    AppendInt32(&initial, static_cast<uint32_t>(first.size()));
    std::string_view data;
    if (!Send(TypedMessage('p', initial + first)) || !ReadAuth(kAuthSaslContinue, &data)) {
      return false;
    }
    Result<SecretBytes> client_final = scram.ClientFinal(data);
    if (!client_final.ok()) {
      return Fail(client_final.status());
    }
    std::string response = TypedMessage('p', client_final->Expose());
    bool sent = Send(response);
    WipeString(response);
    if (!sent || !ReadAuth(kAuthSaslFinal, &data)) {
      return false;
    }
    Status verified = scram.CheckServerFinal(data);
    if (!verified.ok()) {
      return Fail(verified);
    }
    return ReadAuth(kAuthOk, &data);
  }

  // After AuthenticationOk: the role is in at ReadyForQuery, unless the server refuses it yet
  // (a NOLOGIN role, no such database, too many connections: all checked after authentication).
  void AwaitReady(bool asked_password) {
    for (BackendMessage message; Next(&message);) {
      if (message.type == 'E') {
        Refused(message);
        return;
      }
      if (message.type == 'Z') {
        outcome_.logged_in = true;
        outcome_.asked_password = asked_password;
        (void)wire_->Send(TypedMessage('X', ""), deadline_);  // Terminate; closing would do too
        return;
      }
      if (message.type != 'S' && message.type != 'K') {
        ProtocolError("unexpected message from the server after authentication");
        return;
      }
    }
  }

  const ScramTarget& target_;
  const Deadline deadline_;
  std::optional<PgWire> wire_;
  BackendMessage request_;  // the last authentication request
  int32_t auth_code_ = -1;
  bool to_libpq_ = false;
  bool server_does_tls_ = false;
  LoginOutcome outcome_;
};

}  // namespace

ScramAttempt ScramLogin(const ScramTarget& target, const std::string& role,
                        const SecretBytes& value, Deadline deadline) {
  return OwnLogin(target, deadline).Run(role, value);
}

}  // namespace rekey::postgres
