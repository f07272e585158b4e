// GenerateSecret. Rejection sampling (draw a whole candidate, keep it only if every required
// class appears) keeps the result uniform over the strings the policy allows; forcing one
// character of each class into place would make those characters more predictable.
#include "secret/generator.h"

#include <sodium.h>

#include <array>
#include <bit>
#include <string>

#include "secret/sodium_init.h"

namespace rekey {
namespace {

constexpr int kMinLength = 8;
constexpr int kMaxLength = 4096;
// The least likely policy allowed (8 base64url characters, all four classes) accepts about one
// candidate in seven, so failing this many times has a probability below 2^-230.
constexpr int kMaxAttempts = 1000;

constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kHex = "0123456789abcdef";
constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::array<char, 0x7e - 0x21 + 1> kAscii = [] {
  std::array<char, 0x7e - 0x21 + 1> chars{};
  for (size_t i = 0; i < chars.size(); ++i) {
    chars[i] = static_cast<char>(0x21 + i);
  }
  return chars;
}();

std::string_view Characters(Alphabet alphabet) {
  switch (alphabet) {
    case Alphabet::kAlnum:
      return kAlnum;
    case Alphabet::kHex:
      return kHex;
    case Alphabet::kBase64Url:
      return kBase64Url;
    case Alphabet::kAscii:
      return {kAscii.data(), kAscii.size()};
  }
  return kAlnum;
}

unsigned ClassBit(char c) {
  CharClass cls = CharClass::kSymbol;
  if (c >= 'a' && c <= 'z') {
    cls = CharClass::kLower;
  } else if (c >= 'A' && c <= 'Z') {
    cls = CharClass::kUpper;
  } else if (c >= '0' && c <= '9') {
    cls = CharClass::kDigit;
  }
  return 1u << static_cast<int>(cls);
}

std::string_view ClassNoun(CharClass c) {
  switch (c) {
    case CharClass::kLower:
      return "lower-case letters";
    case CharClass::kUpper:
      return "upper-case letters";
    case CharClass::kDigit:
      return "digits";
    case CharClass::kSymbol:
      return "symbols";
  }
  return "symbols";
}

Status CheckPolicy(const GeneratePolicy& policy, std::string_view chars, unsigned required) {
  unsigned available = 0;
  for (char c : chars) {
    available |= ClassBit(c);
  }
  for (CharClass c : policy.require) {
    if ((available & (1u << static_cast<int>(c))) == 0) {
      return Status::InvalidArgument("alphabet " + std::string(AlphabetName(policy.alphabet)) +
                                     " has no " + std::string(ClassNoun(c)));
    }
  }
  int classes = std::popcount(required);
  if (policy.length >= 0 && classes > policy.length) {
    return Status::InvalidArgument("a secret of length " + std::to_string(policy.length) +
                                   " cannot hold " + std::to_string(classes) + " required " +
                                   (classes == 1 ? "character class" : "character classes"));
  }
  if (policy.length < kMinLength || policy.length > kMaxLength) {
    return Status::InvalidArgument("secret length " + std::to_string(policy.length) +
                                   " is out of range: it must be between 8 and 4096");
  }
  return Status::Ok();
}

// Uniform indexes below N, drawn from the CSPRNG a block at a time: randombytes_uniform makes a
// getrandom call per character, 32 per value. A byte is kept only below the largest multiple of
// N that fits in a byte, so every index stays equally likely. The block decided the secret, so
// it is wiped. REQUIRES: 0 < N <= 256.
class UniformIndexes {
 public:
  explicit UniformIndexes(size_t n) : n_(n), limit_(256 - 256 % n) {}
  UniformIndexes(const UniformIndexes&) = delete;
  UniformIndexes& operator=(const UniformIndexes&) = delete;
  ~UniformIndexes() { sodium_memzero(block_.data(), block_.size()); }

  size_t Next() {
    for (;;) {
      if (used_ == block_.size()) {
        randombytes_buf(block_.data(), block_.size());
        used_ = 0;
      }
      size_t b = block_[used_++];
      if (b < limit_) {
        return b % n_;
      }
    }
  }

 private:
  const size_t n_;
  const size_t limit_;
  std::array<unsigned char, 256> block_{};
  size_t used_ = block_.size();
};

}  // namespace

Result<SecretBytes> GenerateSecret(const GeneratePolicy& policy) {
  REKEY_RETURN_IF_ERROR(InitSecretLibrary());
  std::string_view chars = Characters(policy.alphabet);
  unsigned required = 0;
  for (CharClass c : policy.require) {
    required |= 1u << static_cast<int>(c);
  }
  REKEY_RETURN_IF_ERROR(CheckPolicy(policy, chars, required));
  // Sized once and overwritten in place, so no copy of a candidate is left in freed memory.
  std::string candidate(static_cast<size_t>(policy.length), '\0');
  UniformIndexes indexes(chars.size());
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    unsigned seen = 0;
    for (char& c : candidate) {
      c = chars[indexes.Next()];
      seen |= ClassBit(c);
    }
    if ((seen & required) == required) {
      return SecretBytes::Take(candidate);
    }
  }
  WipeString(candidate);
  return Status::Internal("could not generate a secret satisfying the policy");
}

}  // namespace rekey
