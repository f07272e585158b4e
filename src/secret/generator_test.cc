// GenerateSecret: alphabets, required classes over many samples, impossible policies.
#include "secret/generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

namespace rekey {
namespace {

constexpr int kSamples = 300;

std::string AllOf(Alphabet alphabet) {
  switch (alphabet) {
    case Alphabet::kAlnum:
      return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    case Alphabet::kHex:
      return "0123456789abcdef";
    case Alphabet::kBase64Url:
      return "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    case Alphabet::kAscii:
      return "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
             "abcdefghijklmnopqrstuvwxyz{|}~";
  }
  return "";
}

bool InClass(char c, CharClass cls) {
  bool lower = c >= 'a' && c <= 'z';
  bool upper = c >= 'A' && c <= 'Z';
  bool digit = c >= '0' && c <= '9';
  switch (cls) {
    case CharClass::kLower:
      return lower;
    case CharClass::kUpper:
      return upper;
    case CharClass::kDigit:
      return digit;
    case CharClass::kSymbol:
      return !lower && !upper && !digit;
  }
  return false;
}

GeneratePolicy Policy(int length, Alphabet alphabet, std::vector<CharClass> require = {}) {
  GeneratePolicy p;
  p.length = length;
  p.alphabet = alphabet;
  p.require = std::move(require);
  return p;
}

std::string Error(const GeneratePolicy& policy) {
  return GenerateSecret(policy).status().ToString();
}

struct Case {
  Alphabet alphabet;
  std::vector<CharClass> require;  // every class the alphabet has
};

const std::vector<Case>& Cases() {
  using C = CharClass;
  static const std::vector<Case> cases = {
      {Alphabet::kAlnum, {C::kLower, C::kUpper, C::kDigit}},
      {Alphabet::kHex, {C::kLower, C::kDigit}},
      {Alphabet::kBase64Url, {C::kLower, C::kUpper, C::kDigit, C::kSymbol}},
      {Alphabet::kAscii, {C::kLower, C::kUpper, C::kDigit, C::kSymbol}},
  };
  return cases;
}

TEST(GenerateSecretTest, UsesExactlyTheAlphabetAtTheRequestedLength) {
  for (const Case& c : Cases()) {
    std::string alphabet = AllOf(c.alphabet);
    std::set<char> seen;
    for (int i = 0; i < kSamples; ++i) {
      Result<SecretBytes> s = GenerateSecret(Policy(64, c.alphabet));
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      ASSERT_EQ(s->size(), 64u);
      for (char ch : s->Expose()) {
        ASSERT_NE(alphabet.find(ch), std::string::npos) << AlphabetName(c.alphabet) << ": " << ch;
        seen.insert(ch);
      }
    }
    // 19200 draws miss a given one of at most 94 characters with probability below 1e-80.
    EXPECT_EQ(seen.size(), alphabet.size()) << AlphabetName(c.alphabet);
  }
}

// Every character equally likely: a chi-square test of 128,000 characters per alphabet. Taking a
// random byte modulo 62 (alnum) or 94 (ascii) without rejecting the top of the range makes the
// first characters 25% (alnum) or 50% (ascii) likelier, a chi-square in the hundreds; a uniform
// source exceeds the bound with probability below 1e-6 for every alphabet here.
TEST(GenerateSecretTest, EveryCharacterOfTheAlphabetIsEquallyLikely) {
  constexpr int kValues = 2000;
  constexpr int kLength = 64;
  for (const Case& c : Cases()) {
    std::string alphabet = AllOf(c.alphabet);
    std::vector<int> counts(alphabet.size());
    for (int i = 0; i < kValues; ++i) {
      Result<SecretBytes> s = GenerateSecret(Policy(kLength, c.alphabet));
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      for (char ch : s->Expose()) {
        counts[alphabet.find(ch)] += 1;
      }
    }
    double expected = double{kValues} * kLength / static_cast<double>(alphabet.size());
    double chi2 = 0;
    for (int n : counts) {
      chi2 += (n - expected) * (n - expected) / expected;
    }
    // The chi-square distribution's 1 - 1e-6 quantile (Wilson-Hilferty; z = 4.753): 128.9 for
    // alnum's 61 degrees of freedom, 173.0 for ascii's 93.
    double df = static_cast<double>(alphabet.size() - 1);
    double h = 2 / (9 * df);
    EXPECT_LT(chi2, df * std::pow(1 - h + 4.753 * std::sqrt(h), 3)) << AlphabetName(c.alphabet);
  }
}

TEST(GenerateSecretTest, EveryRequiredClassAppearsEvenAtTheShortestLength) {
  for (const Case& c : Cases()) {
    for (int i = 0; i < kSamples; ++i) {
      Result<SecretBytes> s = GenerateSecret(Policy(8, c.alphabet, c.require));
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      ASSERT_EQ(s->size(), 8u);
      for (CharClass cls : c.require) {
        std::string_view v = s->Expose();
        EXPECT_TRUE(std::any_of(v.begin(), v.end(), [&](char ch) { return InClass(ch, cls); }))
            << AlphabetName(c.alphabet) << " lacks " << CharClassName(cls);
      }
    }
  }
}

TEST(GenerateSecretTest, AcceptsTheLengthBoundsAndRepeatedClasses) {
  using C = CharClass;
  EXPECT_EQ(GenerateSecret(Policy(8, Alphabet::kHex))->size(), 8u);
  EXPECT_EQ(GenerateSecret(Policy(4096, Alphabet::kAscii))->size(), 4096u);
  EXPECT_TRUE(GenerateSecret(Policy(8, Alphabet::kHex, std::vector<C>(9, C::kDigit))).ok());
}

TEST(GenerateSecretTest, ValuesDiffer) {
  Result<SecretBytes> a = GenerateSecret(Policy(32, Alphabet::kAlnum));
  Result<SecretBytes> b = GenerateSecret(Policy(32, Alphabet::kAlnum));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_FALSE(a->Equals(*b));
}

TEST(GenerateSecretTest, RejectsLengthsOutOfRange) {
  EXPECT_EQ(Error(Policy(7, Alphabet::kAlnum)),
            "invalid_argument: secret length 7 is out of range: it must be between 8 and 4096");
  EXPECT_EQ(Error(Policy(4097, Alphabet::kAlnum)),
            "invalid_argument: secret length 4097 is out of range: it must be between 8 and 4096");
  EXPECT_EQ(Error(Policy(-1, Alphabet::kAlnum)),
            "invalid_argument: secret length -1 is out of range: it must be between 8 and 4096");
}

TEST(GenerateSecretTest, RejectsClassesTheAlphabetLacks) {
  using C = CharClass;
  EXPECT_EQ(Error(Policy(32, Alphabet::kHex, {C::kDigit, C::kUpper})),
            "invalid_argument: alphabet hex has no upper-case letters");
  EXPECT_EQ(Error(Policy(32, Alphabet::kHex, {C::kSymbol})),
            "invalid_argument: alphabet hex has no symbols");
  EXPECT_EQ(Error(Policy(32, Alphabet::kAlnum, {C::kSymbol})),
            "invalid_argument: alphabet alnum has no symbols");
}

TEST(GenerateSecretTest, RejectsMoreClassesThanCharacters) {
  using C = CharClass;
  EXPECT_EQ(Error(Policy(3, Alphabet::kAscii, {C::kLower, C::kUpper, C::kDigit, C::kSymbol})),
            "invalid_argument: a secret of length 3 cannot hold 4 required character classes");
  EXPECT_EQ(Error(Policy(0, Alphabet::kHex, {C::kDigit})),
            "invalid_argument: a secret of length 0 cannot hold 1 required character class");
}

}  // namespace
}  // namespace rekey
