#include "connectors/file/dotenv_format.h"

#include <gtest/gtest.h>

namespace rekey::file {
namespace {

std::string Replace(std::string_view text, std::string_view key, std::string_view value) {
  Result<std::string> out = DotenvReplace(text, key, value);
  return out.ok() ? *out : out.status().ToString();
}

std::string Read(std::string_view text, std::string_view key) {
  Result<SecretBytes> value = DotenvRead(text, key);
  return value.ok() ? std::string(value->Expose()) : value.status().ToString();
}

TEST(DotenvFormatTest, FindsTheValueInEveryLineShape) {
  std::string text =
      "# K=commented\n"
      "K_OLD=not-this\n"
      "\texport\tA = spaced  \n"
      "B=a#b # comment\n"
      "C=\n"
      "D= # only a comment\n"
      "E=\"dq \\\"x\\\" \\$y \\\\ \\n \\q\" # c\n"
      "F='sq \\n $x'\r\n";
  EXPECT_EQ(Read(text, "K"), "not_found: no variable K");
  EXPECT_EQ(Read(text, "A"), "spaced");
  EXPECT_EQ(Read(text, "B"), "a#b");
  EXPECT_EQ(Read(text, "C"), "");
  EXPECT_EQ(Read(text, "D"), "");
  EXPECT_EQ(Read(text, "E"), "dq \"x\" $y \\ \n \\q");
  EXPECT_EQ(Read(text, "F"), "sq \\n $x");
}

TEST(DotenvFormatTest, ReplacesOnlyTheValueBytes) {
  EXPECT_EQ(Replace("\texport\tA = old  # c\n", "A", "new"), "\texport\tA = new  # c\n");
  EXPECT_EQ(Replace("C=\nD=1\n", "C", "new"), "C=new\nD=1\n");
  EXPECT_EQ(Replace("D= # c\n", "D", "new"), "D=new # c\n");
  EXPECT_EQ(Replace("K=old\r\nL=1\r\n", "K", "new"), "K=new\r\nL=1\r\n");
  EXPECT_EQ(Replace("K=old", "K", "new"), "K=new");
}

TEST(DotenvFormatTest, ReplacesEveryAssignmentAndReadsTheLast) {
  std::string out = Replace("K=one\nX=1\nexport K='two'\n", "K", "new");
  EXPECT_EQ(out, "K=new\nX=1\nexport K='new'\n");
  EXPECT_EQ(Read("K=one\nK=two\n", "K"), "two");
}

TEST(DotenvFormatTest, AppendsAMissingVariableWithTheFilesLineBreak) {
  EXPECT_EQ(Replace("", "K", "v"), "K=v\n");
  EXPECT_EQ(Replace("A=1\n", "K", "v"), "A=1\nK=v\n");
  EXPECT_EQ(Replace("A=1", "K", "v w"), "A=1\nK='v w'\n");
  EXPECT_EQ(Replace("A=1\r\n", "K", "v"), "A=1\r\nK=v\r\n");
}

TEST(DotenvFormatTest, KeepsQuotingWhereTheValueAllowsIt) {
  EXPECT_EQ(Replace("K=old\n", "K", "a b"), "K='a b'\n");
  EXPECT_EQ(Replace("K=old\n", "K", "$HOME"), "K='$HOME'\n");
  EXPECT_EQ(Replace("K=\"old\"\n", "K", "a b"), "K=\"a b\"\n");
  EXPECT_EQ(Replace("K=\"old\"\n", "K", "a$b"), "K='a$b'\n");
  EXPECT_EQ(Replace("K='old'\n", "K", "plain"), "K='plain'\n");
  EXPECT_EQ(Replace("K='old'\n", "K", "it's"), "K=\"it's\"\n");
  EXPECT_EQ(Replace("K=old\n", "K", "l1\nl2\t\"`\\"), "K=\"l1\\nl2\\t\\\"\\`\\\\\"\n");
}

TEST(DotenvFormatTest, EveryValueReadsBackAsWritten) {
  for (std::string_view original : {"K=old\n", "K='old'\n", "K=\"old\"\n"}) {
    for (std::string_view value : {"", "plain", "a b", "#x", "it's", "\"q\"", "$x `y` \\z",
                                   "l1\nl2\r\n", " lead", "trail ", "\\n"}) {
      Result<std::string> out = DotenvReplace(original, "K", value);
      ASSERT_TRUE(out.ok());
      EXPECT_EQ(Read(*out, "K"), value) << original << " -> " << *out;
    }
  }
}

TEST(DotenvFormatTest, QuotedValuesMaySpanLines) {
  std::string text = "CERT=\"line1\nK=inside\nline3\"\nK=real\n";
  EXPECT_EQ(Read(text, "K"), "real");
  EXPECT_EQ(Replace(text, "K", "new"), "CERT=\"line1\nK=inside\nline3\"\nK=new\n");
}

TEST(DotenvFormatTest, AnUnterminatedQuoteIsAnError) {
  EXPECT_EQ(Read("K=\"never closed\n", "K"),
            "invalid_argument: the value of K opens a quote that is never closed");
  EXPECT_EQ(Replace("K='never closed\n", "K", "v"),
            "invalid_argument: the value of K opens a quote that is never closed");
  EXPECT_EQ(Read("A=\"open\nK=v\n", "K"), "v");
}

TEST(DotenvFormatTest, NamesAreShellVariableNames) {
  EXPECT_TRUE(IsDotenvName("DB_PASSWORD"));
  EXPECT_TRUE(IsDotenvName("_x1"));
  EXPECT_FALSE(IsDotenvName(""));
  EXPECT_FALSE(IsDotenvName("1X"));
  EXPECT_FALSE(IsDotenvName("A-B"));
  EXPECT_FALSE(IsDotenvName("A.B"));
}

}  // namespace
}  // namespace rekey::file
