#include "secret/redact.h"

#include <gtest/gtest.h>
#include <sodium.h>

namespace rekey {
namespace {

TEST(RedactTest, ReplacesTheValueAndItsEncodings) {
  SecretBytes secret("hunter2!");
  // hex 68756e74657232 21, base64 aHVudGVyMiE=, base64url the same here.
  EXPECT_EQ(Redact("login failed for hunter2! (len 8)", {&secret}),
            "login failed for [REDACTED] (len 8)");
  EXPECT_EQ(Redact("hex=68756e7465723221 HEX=68756E7465723221", {&secret}),
            "hex=[REDACTED] HEX=[REDACTED]");
  EXPECT_EQ(Redact("b64=aHVudGVyMiE= raw b64=aHVudGVyMiE", {&secret}),
            "b64=[REDACTED] raw b64=[REDACTED]");
}

TEST(RedactTest, UsesTheUrlSafeAlphabetToo) {
  SecretBytes secret("\xfb\xff\xbf");  // base64 "+/+/", base64url "-_-_"
  EXPECT_EQ(Redact("std +/+/ url -_-_", {&secret}), "std [REDACTED] url [REDACTED]");
}

TEST(RedactTest, HandlesSeveralSecretsNullsAndEmptyValues) {
  SecretBytes old_value("old-pass"), new_value("new-pass"), empty;
  EXPECT_EQ(Redact("from old-pass to new-pass", {&old_value, nullptr, &empty, &new_value}),
            "from [REDACTED] to [REDACTED]");
  EXPECT_EQ(Redact("nothing secret here", {}), "nothing secret here");
  EXPECT_EQ(Redact("nothing secret here", {&empty}), "nothing secret here");
}

TEST(RedactTest, MergesOverlappingAndAdjacentOccurrences) {
  SecretBytes a("abcd"), b("cdef");
  EXPECT_EQ(Redact("x abcdef y abcdabcd z", {&a, &b}), "x [REDACTED] y [REDACTED] z");
}

TEST(RedactTest, CapsTheResultAfterRedacting) {
  SecretBytes secret("s3cr3t-value");
  std::string text(190, 'x');
  text += "s3cr3t-value";
  std::string out = Redact(text, {&secret}, 200);
  EXPECT_EQ(out.size(), 200u);
  EXPECT_EQ(out, std::string(190, 'x') + "[REDACTED]");
  EXPECT_EQ(Redact(std::string(500, 'y'), {&secret}, 200), std::string(200, 'y'));
  EXPECT_EQ(Redact(std::string(500, 'y'), {&secret}), std::string(500, 'y'));
}

TEST(RedactTest, ASecretSplitByTheCapIsStillRedacted) {
  SecretBytes secret("0123456789");
  std::string text = std::string(195, '.') + "0123456789";
  EXPECT_EQ(Redact(text, {&secret}, 200), std::string(195, '.') + "[REDA");
}

TEST(RedactTest, FindsTheValueInsideAPercentEncodedUrl) {
  SecretBytes secret("p@ss/w rd");
  EXPECT_EQ(Redact("GET https://svc:p%40ss%2Fw%20rd@host/ failed", {&secret}),
            "GET https://svc:[REDACTED]@host/ failed");
  EXPECT_EQ(Redact("GET https://svc:p%40ss%2fw%20rd@host/ failed", {&secret}),
            "GET https://svc:[REDACTED]@host/ failed");
}

// base64("svc:" + value) at every alignment of the value: the whole base64 word goes, so no
// partial group around the value is left either.
TEST(RedactTest, FindsTheValueInsideBase64OfALongerText) {
  SecretBytes secret("correct-horse-battery");
  for (std::string user : {"a", "ab", "abc", "svc"}) {
    std::string plain = user + ":" + std::string(secret.Expose()) + "!";
    std::string b64(sodium_base64_encoded_len(plain.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(plain.data()),
                      plain.size(), sodium_base64_VARIANT_ORIGINAL);
    b64.resize(b64.find('\0'));
    EXPECT_EQ(Redact("Authorization: Basic " + b64 + " (401)", {&secret}),
              "Authorization: Basic [REDACTED] (401)")
        << user;
  }
}

TEST(RedactTest, LeavesTextThatMerelySharesCharactersAlone) {
  SecretBytes secret("correct-horse-battery");
  EXPECT_EQ(Redact("Y29ycmVj is not enough of it", {&secret}), "Y29ycmVj is not enough of it");
}

}  // namespace
}  // namespace rekey
