// The client's side of a SCRAM-SHA-256 exchange (RFC 5802, RFC 7677) without channel binding
// (gs2 header "n,,", as libpq sends it without TLS): the messages it sends, and the checks of
// the server's, the server's signature included. No I/O: scram_login.cc carries the messages.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "base/status.h"
#include "secret/secret_bytes.h"

namespace rekey::postgres {

class ScramExchange {
 public:
  // An exchange for PASSWORD, which must outlive it, with CLIENT_NONCE (printable ASCII, no
  // ','), as USER (PostgreSQL sends "": the role is in the startup message).
  // REQUIRES: PASSWORD is ASCII (SASLprep leaves it unchanged); USER holds no ',' or '='.
  ScramExchange(std::string_view password, std::string client_nonce, std::string_view user = "");
  ScramExchange(const ScramExchange&) = delete;
  ScramExchange& operator=(const ScramExchange&) = delete;
  ~ScramExchange();

  // "n,,n=USER,r=NONCE".
  std::string ClientFirst() const { return "n,," + client_first_bare_; }

  // The client-final message "c=biws,r=NONCE,p=PROOF" answering SERVER_FIRST
  // ("r=NONCE,s=SALT,i=ITERATIONS"), or InvalidArgument naming what is wrong with it: not that
  // form, a nonce that does not extend ours, a salt that is not base64, iterations outside
  // 1..kMaxScramIterations.
  Result<SecretBytes> ClientFinal(std::string_view server_first);

  // Ok if SERVER_FINAL is "v=" and the server's signature of this exchange, which only a server
  // holding the role's verifier can make; else InvalidArgument ("e=" carries the server's
  // reason). REQUIRES: ClientFinal succeeded.
  Status CheckServerFinal(std::string_view server_final) const;

 private:
  std::string_view password_;
  std::string client_nonce_;
  std::string client_first_bare_;
  unsigned char server_signature_[32] = {};
};

}  // namespace rekey::postgres
