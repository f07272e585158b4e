#include "connectors/file/yaml_format.h"

#include <gtest/gtest.h>

namespace rekey::file {
namespace {

std::string Replace(std::string_view text, std::string_view key, std::string_view value) {
  Result<std::string> out = YamlReplace(text, key, value);
  return out.ok() ? *out : out.status().ToString();
}

std::string Read(std::string_view text, std::string_view key) {
  Result<SecretBytes> value = YamlRead(text, key);
  return value.ok() ? std::string(value->Expose()) : value.status().ToString();
}

TEST(YamlFormatTest, KeepsTheQuotingStyleWhereItCan) {
  EXPECT_EQ(Replace("k: 'old' # c\n", "k", "it's"), "k: 'it''s' # c\n");
  EXPECT_EQ(Replace("k: \"old\"\n", "k", "plain"), "k: \"plain\"\n");
  EXPECT_EQ(Replace("k: old\n", "k", "abc123/x+y=="), "k: abc123/x+y==\n");
  EXPECT_EQ(Replace("k: 'old'\n", "k", "line\nbreak"), "k: \"line\\nbreak\"\n");
}

TEST(YamlFormatTest, QuotesWhatAPlainScalarWouldMisread) {
  for (std::string_view value : {"yes", "Off", "NULL", "12345", "0x1F", "2024-01-02", "1e3",
                                 "-dash", "a: b", "a #b", "", " lead", "@at", "*star", "[x]"}) {
    std::string out = Replace("k: old\n", "k", value);
    EXPECT_EQ(out.substr(0, 4), "k: \"") << value;
    EXPECT_EQ(Read(out, "k"), value) << out;
  }
  EXPECT_EQ(Replace("k: old\n", "k", "tab\tctl\x01\x7f\\\""),
            "k: \"tab\\tctl\\x01\\x7F\\\\\\\"\"\n");
}

TEST(YamlFormatTest, FindsTheScalarPastTagsAnchorsAndFlowSyntax) {
  EXPECT_EQ(Replace("k: !!str old # c\n", "k", "new"), "k: !!str new # c\n");
  EXPECT_EQ(Replace("k: &anchor old\n", "k", "new"), "k: &anchor new\n");
  EXPECT_EQ(Replace("a: {k: old, j: 2}\n", "a.k", "new"), "a: {k: new, j: 2}\n");
  EXPECT_EQ(Replace("a: {k: old}\n", "a.k", "new"), "a: {k: new}\n");
  EXPECT_EQ(Replace("k: a#b\n", "k", "new"), "k: new\n");
  EXPECT_EQ(Replace("\xef\xbb\xbf"
                    "x: \xc3\xa9t\xc3\xa9\r\nk: old\r\n",
                    "k", "new"),
            "\xef\xbb\xbf"
            "x: \xc3\xa9t\xc3\xa9\r\nk: new\r\n");
  EXPECT_EQ(Replace("k: \"multi\n  line\"\nj: 1\n", "k", "new"), "k: \"new\"\nj: 1\n");
}

TEST(YamlFormatTest, RefusesEditsItCannotMakeExactly) {
  EXPECT_EQ(Replace("k: |\n  block\n", "k", "new"),
            "invalid_argument: the value at key k is not a single-line scalar; rekey replaces "
            "only those");
  EXPECT_EQ(Replace("k: multi\n  line\n", "k", "new"),
            "invalid_argument: the value at key k is not a single-line scalar; rekey replaces "
            "only those");
  EXPECT_EQ(Replace("a: &p old\nk: *p\n", "k", "new"),
            "invalid_argument: replacing the value at key k would change more than that value "
            "(is it an anchor?); edit the file by hand");
}

TEST(YamlFormatTest, ReportsMissingAndMisplacedValues) {
  EXPECT_EQ(Read("a:\n  b: 1\n", "a.c"),
            "not_found: no key a.c; add it with a placeholder value (\"\") and run again: rekey "
            "does not restructure YAML files");
  EXPECT_EQ(Read("a: scalar\n", "a.b"),
            "not_found: no key a.b; add it with a placeholder value (\"\") and run again: rekey "
            "does not restructure YAML files");
  EXPECT_EQ(Read("k:\n", "k"), "not_found: key k has no value; give it a placeholder (\"\")");
  EXPECT_EQ(Read("k: [1]\n", "k"), "invalid_argument: the value at key k is not a scalar");
  EXPECT_EQ(Read("k: \"secret\\q\"\n", "k"),
            "invalid_argument: not valid YAML (line 1, column 13: unknown escape character)");
}

}  // namespace
}  // namespace rekey::file
