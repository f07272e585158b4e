#include "connectors/postgres/scram_exchange.h"

#include <gtest/gtest.h>

#include <string>

namespace rekey::postgres {
namespace {

// RFC 7677 section 3: user "user", password "pencil".
constexpr std::string_view kClientNonce = "rOprNGfwEbeRWgbNEkqO";
constexpr std::string_view kServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";

TEST(ScramExchangeTest, RunsTheExchangeOfRfc7677) {
  ScramExchange scram("pencil", std::string(kClientNonce), "user");
  EXPECT_EQ(scram.ClientFirst(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  Result<SecretBytes> final_message = scram.ClientFinal(kServerFirst);
  ASSERT_TRUE(final_message.ok()) << final_message.status().ToString();
  EXPECT_EQ(final_message->Expose(),
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  EXPECT_TRUE(scram.CheckServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=").ok());
}

TEST(ScramExchangeTest, ABadServerSignatureOrAServerErrorIsRefused) {
  ScramExchange scram("pencil", std::string(kClientNonce), "user");
  ASSERT_TRUE(scram.ClientFinal(kServerFirst).ok());
  // The signature another password would give: a server that does not hold the verifier.
  EXPECT_EQ(scram.CheckServerFinal("v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=").ToString(),
            "invalid_argument: incorrect SCRAM server signature");
  EXPECT_EQ(scram.CheckServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4").ToString(),
            "invalid_argument: malformed SCRAM server-final message");
  EXPECT_EQ(scram.CheckServerFinal("").ToString(),
            "invalid_argument: malformed SCRAM server-final message");
  EXPECT_EQ(scram.CheckServerFinal("e=invalid-proof").ToString(),
            "invalid_argument: the server ended the SCRAM exchange: invalid-proof");
}

TEST(ScramExchangeTest, AMalformedServerFirstMessageIsRefused) {
  const std::string nonce = "r=rOprNGfwEbeRWgbNEkqOxyz";
  const std::pair<std::string, std::string> cases[] = {
      {"", "malformed SCRAM server-first message"},
      {nonce + ",s=W22ZaJ0SNY7soEsUEjb6gQ==", "malformed SCRAM server-first message"},
      {nonce + ",i=4096,s=W22ZaJ0SNY7soEsUEjb6gQ==", "malformed SCRAM server-first message"},
      {nonce + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,", "malformed SCRAM server-first message"},
      {nonce + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,x=1", "malformed SCRAM server-first message"},
      {"m=ext," + nonce + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
       "malformed SCRAM server-first message"},
      {"r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "SCRAM nonce mismatch"},
      {"r=XOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "SCRAM nonce mismatch"},
      {"r=rOprNGfwEbeRWgbNEkqOx\x01y,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "SCRAM nonce mismatch"},
      {nonce + ",s=W22Z!!!,i=4096", "malformed SCRAM salt"},
      {nonce + ",s=,i=4096", "malformed SCRAM salt"},
      {nonce + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0", "SCRAM iteration count out of range: 0"},
      {nonce + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=10000001",
       "SCRAM iteration count out of range: 10000001"},
      {nonce + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096x", "SCRAM iteration count out of range: 4096x"},
      {nonce + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-1", "SCRAM iteration count out of range: -1"},
  };
  for (const auto& [server_first, error] : cases) {
    ScramExchange scram("pencil", std::string(kClientNonce));
    EXPECT_EQ(scram.ClientFinal(server_first).status().ToString(), "invalid_argument: " + error)
        << server_first;
  }
}

}  // namespace
}  // namespace rekey::postgres
