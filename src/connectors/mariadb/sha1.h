// SHA-1 (FIPS 180-4), only for the mysql_native_password hash the server stores:
// "*" + upper-hex SHA1(SHA1(password)). Not for anything new: SHA-1 is broken for collisions,
// which this use does not rely on. Header-only; every buffer that held input is wiped.
#pragma once

#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "secret/secret_bytes.h"

namespace rekey::mariadb {

using Sha1Digest = std::array<uint8_t, 20>;

// Incremental SHA-1. Not thread-safe; one object per message.
class Sha1 {
 public:
  Sha1() = default;
  Sha1(const Sha1&) = delete;
  Sha1& operator=(const Sha1&) = delete;
  ~Sha1() {
    sodium_memzero(block_, sizeof block_);
    sodium_memzero(h_, sizeof h_);
  }

  void Update(std::string_view data) {
    for (char c : data) {
      block_[used_++] = static_cast<uint8_t>(c);
      if (used_ == sizeof block_) {
        Compress();
        used_ = 0;
      }
    }
    length_ += data.size();
  }

  // The digest of everything given to Update. REQUIRES: called once.
  void Final(Sha1Digest* out) {
    const uint64_t bits = length_ * 8;
    block_[used_++] = 0x80;
    if (used_ > 56) {
      std::memset(block_ + used_, 0, sizeof block_ - used_);
      Compress();
      used_ = 0;
    }
    std::memset(block_ + used_, 0, 56 - used_);
    for (int i = 0; i < 8; ++i) {
      block_[56 + i] = static_cast<uint8_t>(bits >> (56 - 8 * i));
    }
    Compress();
    for (int i = 0; i < 20; ++i) {
      (*out)[i] = static_cast<uint8_t>(h_[i / 4] >> (24 - 8 * (i % 4)));
    }
  }

 private:
  static uint32_t Rotl(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

  void Compress() {
    uint32_t w[80];
    for (int i = 0; i < 16; ++i) {
      w[i] = uint32_t{block_[4 * i]} << 24 | uint32_t{block_[4 * i + 1]} << 16 |
             uint32_t{block_[4 * i + 2]} << 8 | uint32_t{block_[4 * i + 3]};
    }
    for (int i = 16; i < 80; ++i) {
      w[i] = Rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    }
    uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4];
    for (int i = 0; i < 80; ++i) {
      uint32_t f, k;
      if (i < 20) {
        f = (b & c) | (~b & d), k = 0x5a827999;
      } else if (i < 40) {
        f = b ^ c ^ d, k = 0x6ed9eba1;
      } else if (i < 60) {
        f = (b & c) | (b & d) | (c & d), k = 0x8f1bbcdc;
      } else {
        f = b ^ c ^ d, k = 0xca62c1d6;
      }
      uint32_t t = Rotl(a, 5) + f + e + k + w[i];
      e = d, d = c, c = Rotl(b, 30), b = a, a = t;
    }
    h_[0] += a, h_[1] += b, h_[2] += c, h_[3] += d, h_[4] += e;
    sodium_memzero(w, sizeof w);
  }

  uint32_t h_[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
  uint8_t block_[64] = {};
  size_t used_ = 0;
  uint64_t length_ = 0;
};

inline Sha1Digest Sha1Of(std::string_view data) {
  Sha1 sha;
  sha.Update(data);
  Sha1Digest out;
  sha.Final(&out);
  return out;
}

// "*" + 40 upper-case hex digits: what MariaDB's PASSWORD(VALUE) returns and what
// mysql.global_priv keeps for a mysql_native_password account. The intermediate SHA1(VALUE),
// which is enough to log in, is wiped. The result is not the clear value but lets anyone test
// guesses offline: callers wipe it too.
inline std::string NativePasswordHash(const SecretBytes& value) {
  Sha1Digest stage1 = Sha1Of(value.Expose());
  Sha1Digest stage2 =
      Sha1Of(std::string_view(reinterpret_cast<const char*>(stage1.data()), stage1.size()));
  sodium_memzero(stage1.data(), stage1.size());
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string hash;
  hash.reserve(41);  // no reallocation leaves a copy behind
  hash += '*';
  for (uint8_t byte : stage2) {
    hash += kHex[byte >> 4];
    hash += kHex[byte & 0xf];
  }
  sodium_memzero(stage2.data(), stage2.size());
  return hash;
}

}  // namespace rekey::mariadb
