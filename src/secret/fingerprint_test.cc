// Fingerprinter: pinned value, stability, keying, format.
#include "secret/fingerprint.h"

#include <gtest/gtest.h>

#include <string>

#include "secret/key_test_util.h"

namespace rekey {
namespace {

TEST(FingerprintTest, IsHmacSha256UnderTheFingerprintSubkey) {
  // Computed independently with Python's hashlib and hmac from the same master key bytes.
  Fingerprinter f(MasterKeyFromBytes(KnownMasterKeyBytes()));
  EXPECT_EQ(f.Fingerprint(SecretBytes("hunter2")),
            "09aa69de8f9ae60a3bece72d933ad4ab8652f80ed1b743b5a6d423499a9ebf52");
}

TEST(FingerprintTest, IsStableForTheSameKeyAndValue) {
  Fingerprinter a(MasterKeyFromBytes(KnownMasterKeyBytes()));
  Fingerprinter b(MasterKeyFromBytes(KnownMasterKeyBytes()));
  EXPECT_EQ(a.Fingerprint(SecretBytes("v")), b.Fingerprint(SecretBytes("v")));
}

TEST(FingerprintTest, DependsOnValueAndKey) {
  Fingerprinter a(MasterKeyFromBytes(KnownMasterKeyBytes()));
  Fingerprinter b(NewMasterKey());
  EXPECT_NE(a.Fingerprint(SecretBytes("v1")), a.Fingerprint(SecretBytes("v2")));
  EXPECT_NE(a.Fingerprint(SecretBytes("v1")), b.Fingerprint(SecretBytes("v1")));
}

TEST(FingerprintTest, IsSixtyFourLowerCaseHexCharacters) {
  std::string fp = Fingerprinter(NewMasterKey()).Fingerprint(SecretBytes());
  ASSERT_EQ(fp.size(), 64u);
  EXPECT_EQ(fp.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST(FingerprintTest, ShortIsTheFirstTwelveCharacters) {
  EXPECT_EQ(
      Fingerprinter::Short("09aa69de8f9ae60a3bece72d933ad4ab8652f80ed1b743b5a6d423499a9ebf52"),
      "09aa69de8f9a");
  EXPECT_EQ(Fingerprinter::Short("09aa"), "09aa");
}

}  // namespace
}  // namespace rekey
