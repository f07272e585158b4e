#include "connectors/ssh/authorized_keys.h"

#include <gtest/gtest.h>

#include "secret/generator.h"

namespace rekey::ssh {
namespace {

PublicKey NewKey() {
  Result<SecretBytes> value = GenerateSshPrivateKey("test");
  EXPECT_TRUE(value.ok());
  Result<PublicKey> key = PublicKeyOf(*value);
  EXPECT_TRUE(key.ok());
  return *key;
}

std::string Line(const PublicKey& k, const std::string& rest = "") {
  return k.type + " " + k.base64 + rest;
}

class AuthorizedKeysTest : public ::testing::Test {
 protected:
  PublicKey old_ = NewKey(), new_ = NewKey(), other_ = NewKey();
  std::string Mark(const PublicKey& k) { return RekeyComment("svc", k); }
};

TEST_F(AuthorizedKeysTest, FingerprintIsWhatSshKeygenPrints) {
  // `ssh-keygen -lf` of this key prints SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU.
  PublicKey k{"ssh-ed25519",
              "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"};
  EXPECT_EQ(k.Fingerprint(), "SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU");
  EXPECT_EQ(RekeyComment("billing", k),
            "rekey:billing version=SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU");
}

TEST_F(AuthorizedKeysTest, AddGoesAfterTheOldKeyWithItsOptionsAndKeepsEveryOtherByte) {
  std::string text = "# team keys\r\n" + Line(other_, " alice@laptop") + "\n\n" +
                     "from=\"10.0.0.0/8\",command=\"/bin/backup --x \\\"y z\\\"\" " +
                     Line(old_, " svc") + "\n" + Line(other_, "  bob") + "\n";
  std::optional<std::string> added = AddKey(text, new_, &old_, "svc", Mark(new_));
  ASSERT_TRUE(added.has_value());
  std::string want = "# team keys\r\n" + Line(other_, " alice@laptop") + "\n\n" +
                     "from=\"10.0.0.0/8\",command=\"/bin/backup --x \\\"y z\\\"\" " +
                     Line(old_, " svc") + "\n" +
                     "from=\"10.0.0.0/8\",command=\"/bin/backup --x \\\"y z\\\"\" " +
                     Line(new_, " " + Mark(new_)) + "\n" + Line(other_, "  bob") + "\n";
  EXPECT_EQ(*added, want);
  EXPECT_TRUE(HasKey(*added, new_));
  EXPECT_FALSE(AddKey(*added, new_, &old_, "svc", Mark(new_)).has_value());  // idempotent
}

TEST_F(AuthorizedKeysTest, AddWithoutTheOldKeyAppendsAfterAFinalLineBreak) {
  EXPECT_EQ(AddKey(Line(other_), new_, &old_, "svc", "c"),
            Line(other_) + "\n" + Line(new_, " c\n"));
  EXPECT_EQ(AddKey("", new_, nullptr, "svc", "c"), Line(new_, " c\n"));
}

TEST_F(AuthorizedKeysTest, RemoveTakesOnlyTheLinesOfThatKey) {
  std::string text = Line(other_, " a\n") + Line(old_, " one\n") + "# " + Line(old_) + "\n" +
                     Line(other_, " b") + "\n" + Line(new_, "\n") + Line(old_, " two");
  std::optional<std::string> removed = RemoveKey(text, old_, &new_, "svc");
  ASSERT_TRUE(removed.has_value());
  // A commented-out key is not a key: it stays.
  EXPECT_EQ(*removed, Line(other_, " a\n") + "# " + Line(old_) + "\n" + Line(other_, " b") + "\n" +
                          Line(new_, "\n"));
  EXPECT_FALSE(RemoveKey(*removed, old_, &new_, "svc").has_value());
  EXPECT_FALSE(HasKey(*removed, old_));
}

TEST_F(AuthorizedKeysTest, AKeyMentionedInAnotherLinesOptionsOrCommentIsNotThatLinesKey) {
  std::string text = Line(other_, " see " + old_.type + " " + old_.base64) + "\n" +
                     "command=\"echo " + old_.type + " " + old_.base64 + "\" " + Line(other_) +
                     "\n";
  EXPECT_TRUE(HasKey(text, other_));
  EXPECT_FALSE(HasKey(text, old_));
  EXPECT_FALSE(RemoveKey(text, old_, &new_, "svc").has_value());
}

// Contain removes the old key before the new one is installed: its options wait in a note line
// that the next key replaces, so a restricted key never comes back unrestricted.
TEST_F(AuthorizedKeysTest, OptionsOfARemovedKeyPassToTheNextOneThroughANote) {
  std::string text = Line(other_, " a\n") + "restrict,from=\"127.0.0.1\" " + Line(old_, " svc\n") +
                     Line(other_, " b\n");
  std::optional<std::string> removed = RemoveKey(text, old_, &new_, "svc");
  ASSERT_TRUE(removed.has_value());
  EXPECT_EQ(*removed, Line(other_, " a\n") + "# rekey:svc removed " + old_.Fingerprint() +
                          "; options for the next key: restrict,from=\"127.0.0.1\"\n" +
                          Line(other_, " b\n"));
  EXPECT_FALSE(HasKey(*removed, old_));
  std::optional<std::string> added = AddKey(*removed, new_, &old_, "svc", "m");
  EXPECT_EQ(added, Line(other_, " a\n") + "restrict,from=\"127.0.0.1\" " + Line(new_, " m\n") +
                       Line(other_, " b\n"));
}

TEST_F(AuthorizedKeysTest, TheNoteKeepsThePlaceAlsoWithoutOptionsAndIsLeftOutWhenTheNextIsThere) {
  std::string plain = Line(other_, "\n") + Line(old_, " svc\n") + Line(other_, " b\n");
  std::optional<std::string> removed = RemoveKey(plain, old_, &new_, "svc");
  EXPECT_EQ(removed, Line(other_, "\n") + "# rekey:svc removed " + old_.Fingerprint() +
                         "; options for the next key:\n" + Line(other_, " b\n"));
  EXPECT_EQ(AddKey(*removed, new_, &old_, "svc", "m"),
            Line(other_, "\n") + Line(new_, " m\n") + Line(other_, " b\n"));
  std::string both = "restrict " + Line(old_, "\n") + "restrict " + Line(new_, "\n");
  EXPECT_EQ(RemoveKey(both, old_, &new_, "svc"), "restrict " + Line(new_, "\n"));
}

}  // namespace
}  // namespace rekey::ssh
