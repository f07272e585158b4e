// SecretBytes: copies, moves, comparison and printing.
#include "secret/secret_bytes.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace rekey {
namespace {

TEST(SecretBytesTest, HoldsACopyOfTheBytes) {
  std::string source = "hunter2";
  SecretBytes s(source);
  source[0] = 'X';
  EXPECT_EQ(s.Expose(), "hunter2");
  EXPECT_EQ(s.size(), 7u);
  EXPECT_FALSE(s.empty());
}

TEST(SecretBytesTest, DefaultIsEmpty) {
  SecretBytes s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.Expose(), "");
}

TEST(SecretBytesTest, TakeWipesTheSource) {
  std::string source = "a value longer than the small-string buffer";
  SecretBytes s = SecretBytes::Take(source);
  EXPECT_EQ(s.Expose(), "a value longer than the small-string buffer");
  EXPECT_TRUE(source.empty());
}

TEST(SecretBytesTest, MoveConstructionEmptiesTheSource) {
  SecretBytes a("hunter2");
  SecretBytes b(std::move(a));
  EXPECT_EQ(b.Expose(), "hunter2");
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from state is specified
  EXPECT_EQ(a.Expose(), "");
}

TEST(SecretBytesTest, MoveAssignmentReplacesAndEmptiesTheSource) {
  SecretBytes a("new");
  SecretBytes b("old value");
  b = std::move(a);
  EXPECT_EQ(b.Expose(), "new");
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move)
}

TEST(SecretBytesTest, SelfMoveAssignmentKeepsTheValue) {
  SecretBytes a("hunter2");
  SecretBytes& alias = a;
  a = std::move(alias);
  EXPECT_EQ(a.Expose(), "hunter2");
}

TEST(SecretBytesTest, MovedFromObjectIsReusable) {
  SecretBytes a("first");
  SecretBytes b(std::move(a));
  a = SecretBytes("second");
  EXPECT_EQ(a.Expose(), "second");
  EXPECT_EQ(b.Expose(), "first");
}

TEST(SecretBytesTest, CloneIsAnIndependentEqualCopy) {
  SecretBytes a("hunter2");
  SecretBytes b = a.Clone();
  EXPECT_TRUE(a.Equals(b));
  EXPECT_NE(a.Expose().data(), b.Expose().data());
}

TEST(SecretBytesTest, EqualsComparesContentAndLength) {
  EXPECT_TRUE(SecretBytes("abc").Equals(SecretBytes("abc")));
  EXPECT_FALSE(SecretBytes("abc").Equals(SecretBytes("abd")));
  EXPECT_FALSE(SecretBytes("abc").Equals(SecretBytes("abcd")));
  EXPECT_TRUE(SecretBytes().Equals(SecretBytes("")));
}

TEST(SecretBytesTest, PrintShowsOnlyTheLength) {
  EXPECT_EQ(testing::PrintToString(SecretBytes("hunter2")), "<secret 7 bytes>");
  EXPECT_EQ(testing::PrintToString(SecretBytes()), "<secret 0 bytes>");
}

TEST(WipeStringTest, ZeroesAndClears) {
  std::string s = "hunter2";
  const char* data = s.data();
  WipeString(s);
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(std::string(data, 7), std::string(7, '\0'));
}

}  // namespace
}  // namespace rekey
