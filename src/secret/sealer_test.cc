// Sealer: round trips and every way a blob can be wrong.
#include "secret/sealer.h"

#include <gtest/gtest.h>

#include <string>

#include "secret/key_test_util.h"

namespace rekey {
namespace {

constexpr char kAuthFailure[] =
    "corruption: sealed value for billing-svc/pending failed authentication: it was tampered "
    "with, or sealed under another master key or context";

class SealerTest : public testing::Test {
 protected:
  Sealer sealer_{MasterKeyFromBytes(KnownMasterKeyBytes())};
};

TEST_F(SealerTest, RoundTrips) {
  for (const std::string& value :
       {std::string(), std::string("hunter2"), std::string(10000, 'x')}) {
    std::string sealed = sealer_.Seal(SecretBytes(value), "billing-svc/pending");
    EXPECT_EQ(sealed.size(), value.size() + 41);
    EXPECT_EQ(sealed[0], '\x01');
    Result<SecretBytes> opened = sealer_.Open(sealed, "billing-svc/pending");
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(opened->Expose(), value);
  }
}

TEST_F(SealerTest, EachSealUsesAFreshNonce) {
  SecretBytes value("hunter2");
  std::string a = sealer_.Seal(value, "ctx");
  std::string b = sealer_.Seal(value, "ctx");
  EXPECT_NE(a.substr(1, 24), b.substr(1, 24));
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find("hunter2"), std::string::npos);
}

TEST_F(SealerTest, AnotherSealerUnderTheSameKeyOpensIt) {
  std::string sealed = sealer_.Seal(SecretBytes("hunter2"), "billing-svc/pending");
  Sealer other(MasterKeyFromBytes(KnownMasterKeyBytes()));
  Result<SecretBytes> opened = other.Open(sealed, "billing-svc/pending");
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_EQ(opened->Expose(), "hunter2");
}

TEST_F(SealerTest, DetectsEveryFlippedByte) {
  std::string sealed = sealer_.Seal(SecretBytes("hunter2"), "billing-svc/pending");
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string tampered = sealed;
    tampered[i] ^= 0x01;
    Status s = sealer_.Open(tampered, "billing-svc/pending").status();
    EXPECT_EQ(s.ToString(), i == 0 ? "corruption: sealed value has unknown format version 0"
                                   : std::string(kAuthFailure))
        << "byte " << i;
  }
}

TEST_F(SealerTest, DetectsTruncationAndExtension) {
  std::string sealed = sealer_.Seal(SecretBytes("hunter2"), "billing-svc/pending");
  for (size_t size = 0; size < sealed.size(); ++size) {
    Status s = sealer_.Open(sealed.substr(0, size), "billing-svc/pending").status();
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << size;
  }
  EXPECT_EQ(sealer_.Open("", "billing-svc/pending").status().ToString(),
            "corruption: sealed value is too short (0 bytes)");
  EXPECT_EQ(sealer_.Open(sealed.substr(0, 40), "billing-svc/pending").status().ToString(),
            "corruption: sealed value is too short (40 bytes)");
  EXPECT_EQ(sealer_.Open(sealed.substr(0, 41), "billing-svc/pending").status().ToString(),
            kAuthFailure);
  EXPECT_EQ(sealer_.Open(sealed + "x", "billing-svc/pending").status().ToString(), kAuthFailure);
}

TEST_F(SealerTest, RejectsAnotherContext) {
  std::string sealed = sealer_.Seal(SecretBytes("hunter2"), "billing-svc/current");
  EXPECT_EQ(sealer_.Open(sealed, "billing-svc/pending").status().ToString(), kAuthFailure);
}

TEST_F(SealerTest, RejectsAnotherMasterKey) {
  std::string sealed = Sealer(NewMasterKey()).Seal(SecretBytes("hunter2"), "billing-svc/pending");
  EXPECT_EQ(sealer_.Open(sealed, "billing-svc/pending").status().ToString(), kAuthFailure);
}

TEST_F(SealerTest, RejectsAnUnknownVersion) {
  std::string sealed = sealer_.Seal(SecretBytes("hunter2"), "ctx");
  sealed[0] = '\x02';
  EXPECT_EQ(sealer_.Open(sealed, "ctx").status().ToString(),
            "corruption: sealed value has unknown format version 2");
}

}  // namespace
}  // namespace rekey
