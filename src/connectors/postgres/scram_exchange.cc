#include "connectors/postgres/scram_exchange.h"

#include <sodium.h>

#include <charconv>

#include "connectors/postgres/scram_keys.h"

namespace rekey::postgres {
namespace {

// The value of the next attribute "NAME=value" of MESSAGE, consuming it and the ',' after it.
// Attributes come in a fixed order, as libpq reads them: anything else is malformed.
bool TakeAttribute(std::string_view* message, char name, std::string_view* value) {
  if (message->size() < 2 || (*message)[0] != name || (*message)[1] != '=') {
    return false;
  }
  size_t comma = message->find(',');
  *value = message->substr(2, comma == std::string_view::npos ? std::string_view::npos : comma - 2);
  *message = comma == std::string_view::npos ? std::string_view() : message->substr(comma + 1);
  return true;
}

bool Printable(std::string_view s) {
  for (char c : s) {
    if (c < 0x21 || c > 0x7e) {
      return false;
    }
  }
  return true;
}

}  // namespace

ScramExchange::ScramExchange(std::string_view password, std::string client_nonce,
                             std::string_view user)
    : password_(password),
      client_nonce_(std::move(client_nonce)),
      client_first_bare_("n=" + std::string(user) + ",r=" + client_nonce_) {}

ScramExchange::~ScramExchange() { sodium_memzero(server_signature_, sizeof server_signature_); }

Result<SecretBytes> ScramExchange::ClientFinal(std::string_view server_first) {
  std::string_view rest = server_first;
  std::string_view nonce, salt64, count;
  if (!TakeAttribute(&rest, 'r', &nonce) || !TakeAttribute(&rest, 's', &salt64) ||
      !TakeAttribute(&rest, 'i', &count) || !rest.empty() || server_first.back() == ',') {
    return Status::InvalidArgument("malformed SCRAM server-first message");
  }
  if (nonce.size() <= client_nonce_.size() ||
      nonce.substr(0, client_nonce_.size()) != client_nonce_ || !Printable(nonce)) {
    return Status::InvalidArgument("SCRAM nonce mismatch");
  }
  unsigned char salt[256];
  size_t salt_size = 0;
  if (!DecodeBase64(salt64, salt, sizeof salt, &salt_size) || salt_size == 0) {
    return Status::InvalidArgument("malformed SCRAM salt");
  }
  int iterations = 0;
  auto [end, error] = std::from_chars(count.data(), count.data() + count.size(), iterations);
  if (error != std::errc() || end != count.data() + count.size() || iterations < 1 ||
      iterations > kMaxScramIterations) {
    return Status::InvalidArgument("SCRAM iteration count out of range: " + std::string(count));
  }
  ScramKeys keys(password_, salt, salt_size, iterations);
  std::string without_proof = "c=biws,r=" + std::string(nonce);
  std::string auth_message =
      client_first_bare_ + "," + std::string(server_first) + "," + without_proof;
  unsigned char proof[32];
  HmacSha256(keys.stored_key, sizeof keys.stored_key, auth_message, proof);  // ClientSignature
  for (size_t i = 0; i < sizeof proof; ++i) {
    proof[i] ^= keys.client_key[i];
  }
  HmacSha256(keys.server_key, sizeof keys.server_key, auth_message, server_signature_);
  std::string final_message = without_proof + ",p=" + Base64(proof, sizeof proof);
  sodium_memzero(proof, sizeof proof);
  return SecretBytes::Take(final_message);
}

Status ScramExchange::CheckServerFinal(std::string_view server_final) const {
  if (server_final.substr(0, 2) == "e=") {
    return Status::InvalidArgument("the server ended the SCRAM exchange: " +
                                   std::string(server_final.substr(2)));
  }
  unsigned char signature[32];
  size_t size = 0;
  if (server_final.substr(0, 2) != "v=" ||
      !DecodeBase64(server_final.substr(2), signature, sizeof signature, &size) ||
      size != sizeof signature) {
    return Status::InvalidArgument("malformed SCRAM server-final message");
  }
  if (sodium_memcmp(signature, server_signature_, sizeof signature) != 0) {
    return Status::InvalidArgument("incorrect SCRAM server signature");
  }
  return Status::Ok();
}

}  // namespace rekey::postgres
