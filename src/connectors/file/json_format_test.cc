#include "connectors/file/json_format.h"

#include <gtest/gtest.h>

namespace rekey::file {
namespace {

std::string Replace(std::string_view text, std::string_view key, std::string_view value) {
  Result<std::string> out = JsonReplace(text, key, value);
  return out.ok() ? *out : out.status().ToString();
}

std::string Read(std::string_view text, std::string_view key) {
  Result<SecretBytes> value = JsonRead(text, key);
  return value.ok() ? std::string(value->Expose()) : value.status().ToString();
}

TEST(JsonFormatTest, FollowsTheKeyPathAndSkipsArrays) {
  std::string text =
      "{\"list\": [\"password\", {\"password\": \"in array\"}], \"a\": {\"b\": {\"c\": "
      "\"deep\"}, \"x\": [1, 2.5e3, true, null]}, \"password\": \"top\"}";
  EXPECT_EQ(Read(text, "password"), "top");
  EXPECT_EQ(Read(text, "a.b.c"), "deep");
  EXPECT_EQ(Replace(text, "a.b.c", "new"),
            "{\"list\": [\"password\", {\"password\": \"in array\"}], \"a\": {\"b\": {\"c\": "
            "\"new\"}, \"x\": [1, 2.5e3, true, null]}, \"password\": \"top\"}");
}

TEST(JsonFormatTest, ComparesKeysUnescapedAndDecodesValues) {
  std::string text = "\xef\xbb\xbf{\"pass\\u0077ord\": \"caf\\u00e9 \\\"q\\\" \\\\ \\/\"}";
  EXPECT_EQ(Read(text, "password"), "caf\u00e9 \"q\" \\ /");
}

TEST(JsonFormatTest, EscapesTheNewValue) {
  EXPECT_EQ(Replace("{\"k\": \"old\"}", "k", "q\"b\\n\nt\t\x01\u00e9/"),
            "{\"k\": \"q\\\"b\\\\n\\nt\\t\\u0001\u00e9/\"}");
  EXPECT_EQ(Read(Replace("{\"k\": \"old\"}", "k", "q\"b\\n\nt\t\x01"), "k"), "q\"b\\n\nt\t\x01");
}

TEST(JsonFormatTest, ReplacesARepeatedKeyEverywhereAndReadsTheLast) {
  EXPECT_EQ(Read("{\"k\": \"one\", \"k\": \"two\"}", "k"), "two");
  EXPECT_EQ(Replace("{\"k\": \"one\", \"k\": \"two\"}", "k", "v"), "{\"k\": \"v\", \"k\": \"v\"}");
}

TEST(JsonFormatTest, ReportsWhatIsWrongWithoutQuotingTheFile) {
  EXPECT_EQ(Read("{\"k\": [\"secret\"]}", "k"),
            "invalid_argument: the value at key k is not a string; rekey writes only string "
            "values");
  EXPECT_EQ(Read("{\"k\": \"secret\",}", "k"),
            "invalid_argument: not valid JSON; rekey edits only well-formed files");
  EXPECT_EQ(Read("[\"k\"]", "k"),
            "not_found: no key k; add it with a placeholder string (\"\") and run again: rekey "
            "does not restructure JSON files");
  EXPECT_EQ(Read("{\"a\": \"x\"}", "a.b"),
            "not_found: no key a.b; add it with a placeholder string (\"\") and run again: rekey "
            "does not restructure JSON files");
  EXPECT_EQ(Replace("{\"k\": \"old\"}", "k", "\xff"),
            "invalid_argument: the new value is not valid UTF-8, which a JSON string cannot hold");
}

TEST(JsonFormatTest, RefusesAbsurdNesting) {
  std::string text = std::string(600, '[') + std::string(600, ']');
  EXPECT_EQ(Read(text, "k"), "invalid_argument: not valid JSON");
}

}  // namespace
}  // namespace rekey::file
