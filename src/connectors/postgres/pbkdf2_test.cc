#include "connectors/postgres/pbkdf2.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <string>

#include "connectors/postgres/scram_keys.h"

namespace rekey::postgres {
namespace {

// Against OpenSSL's own PBKDF2 (an independent implementation): short and long passwords (a key
// longer than SHA-256's block is hashed first) and salts, one and several iterations.
TEST(Pbkdf2Test, AgreesWithOpenSsl) {
  const std::string long_password(100, 'k');
  for (const std::string& password : {std::string("pencil"), std::string(64, 'p'), long_password}) {
    for (const std::string& salt :
         {std::string("s"), std::string(16, '\x07'), std::string(70, 'z')}) {
      for (int iterations : {1, 2, 4096}) {
        unsigned char ours[32];
        unsigned char openssl[32];
        Pbkdf2HmacSha256(password, reinterpret_cast<const unsigned char*>(salt.data()), salt.size(),
                         iterations, ours);
        ASSERT_EQ(PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                                    reinterpret_cast<const unsigned char*>(salt.data()),
                                    static_cast<int>(salt.size()), iterations, EVP_sha256(),
                                    sizeof openssl, openssl),
                  1);
        EXPECT_EQ(Base64(ours, 32), Base64(openssl, 32))
            << password.size() << " " << salt.size() << " " << iterations;
      }
    }
  }
}

// RFC 7914 section 11: PBKDF2-HMAC-SHA-256 ("passwd", "salt", 1), its first 32 bytes.
TEST(Pbkdf2Test, GivesTheVectorOfRfc7914) {
  unsigned char out[32];
  Pbkdf2HmacSha256("passwd", reinterpret_cast<const unsigned char*>("salt"), 4, 1, out);
  char hex[65];
  sodium_bin2hex(hex, sizeof hex, out, sizeof out);
  EXPECT_EQ(std::string(hex), "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
}

}  // namespace
}  // namespace rekey::postgres
