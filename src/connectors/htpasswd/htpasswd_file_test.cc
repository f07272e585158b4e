#include "connectors/htpasswd/htpasswd_file.h"

#include <gtest/gtest.h>

#include "connectors/htpasswd/bcrypt.h"

namespace rekey::htpasswd {
namespace {

SecretBytes Value(std::string_view text) { return SecretBytes(text); }

TEST(HtpasswdFileTest, HashOfIsTheFirstLineOfTheUserOnly) {
  std::string text = "# svc:commented\nsvcx:longer\nsvc:first:a comment\r\nother:o\nsvc:second\n";
  EXPECT_EQ(HashOf(text, "svc"), "first");
  EXPECT_EQ(HashOf(text, "svcx"), "longer");
  EXPECT_EQ(HashOf(text, "sv"), std::nullopt);
  EXPECT_EQ(HashOf("", "svc"), std::nullopt);
  EXPECT_EQ(HashOf("svc:last-without-newline", "svc"), "last-without-newline");
}

TEST(HtpasswdFileTest, WithHashReplacesOnlyTheUsersHashAndKeepsEveryOtherByte) {
  std::string text = "# keep me\nalice:a\r\nsvc:old:its comment\nbob:b\nsvc:stale\n\nlast:l";
  EXPECT_EQ(WithHash(text, "svc", "NEW"),
            "# keep me\nalice:a\r\nsvc:NEW:its comment\nbob:b\n\nlast:l");
}

TEST(HtpasswdFileTest, WithHashAppendsAUserWithoutALine) {
  EXPECT_EQ(WithHash("alice:a\n", "svc", "NEW"), "alice:a\nsvc:NEW\n");
  EXPECT_EQ(WithHash("alice:a", "svc", "NEW"), "alice:a\nsvc:NEW\n");
  EXPECT_EQ(WithHash("", "svc", "NEW"), "svc:NEW\n");
}

TEST(BcryptTest, AHashMatchesItsValueAndNoOther) {
  Result<std::string> hash = BcryptHash(Value("correct horse"), kDefaultCost);
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_TRUE(hash->starts_with("$2y$05$")) << *hash;
  EXPECT_EQ(hash->size(), 60u);
  EXPECT_TRUE(HashMatches(Value("correct horse"), *hash));
  EXPECT_FALSE(HashMatches(Value("correct horsf"), *hash));
  EXPECT_FALSE(HashMatches(Value(""), *hash));
  // A fresh salt each time: the same value never gives the same line twice.
  EXPECT_NE(*BcryptHash(Value("correct horse"), kDefaultCost), *hash);
}

TEST(BcryptTest, HashesOfOtherSchemesAndLockedLinesMatchNothingTheyShouldNot) {
  // SHA-512 crypt of "secret" (as `openssl passwd -6 -salt saltsalt secret` prints it).
  std::string sha512 =
      "$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H9"
      "1p5hVO1";
  EXPECT_TRUE(HashMatches(Value("secret"), sha512));
  EXPECT_FALSE(HashMatches(Value("secret"), "!" + sha512));
  EXPECT_FALSE(HashMatches(Value("secret"), ""));
  EXPECT_FALSE(HashMatches(Value("secret"), "*"));
}

TEST(BcryptTest, RefusesValuesBcryptWouldTruncateAndCostsOutOfRange) {
  EXPECT_TRUE(BcryptHash(Value(std::string(72, 'a')), kMinCost).ok());
  EXPECT_EQ(BcryptHash(Value(std::string(73, 'a')), kMinCost).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(BcryptHash(Value(std::string("a\0b", 3)), kMinCost).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(BcryptHash(Value("v"), kMinCost - 1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BcryptHash(Value("v"), kMaxCost + 1).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace rekey::htpasswd
