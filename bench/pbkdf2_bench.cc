// The CPU one SCRAM-SHA-256 login or verifier costs the client: PBKDF2-HMAC-SHA-256 with 4096
// iterations, by rekey's own (src/connectors/postgres/pbkdf2.cc), by OpenSSL's
// PKCS5_PBKDF2_HMAC, by libsodium's HMAC state copied per iteration (rekey's before), and by
// libpq (PQencryptPasswordConn: its PBKDF2, an OpenSSL 3 HMAC set up per iteration, plus a salt
// and two HMACs), from 1 and 8 threads at once (libpq's and OpenSSL's take a global lock).
// Prints CPU milliseconds per derivation. Run: build/release/bench/pbkdf2_bench
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "connectors/postgres/pbkdf2.h"

namespace rekey {
namespace {

constexpr int kIterations = 4096;
constexpr char kPassword[] = "Xk3vQ9mPz2Lr7Tn4Wc8Yb6Hd";  // 24 characters, as rekey generates
constexpr unsigned char kSalt[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

void Ours(unsigned char out[32]) {
  postgres::Pbkdf2HmacSha256(kPassword, kSalt, sizeof kSalt, kIterations, out);
}

void OpenSsl(unsigned char out[32]) {
  PKCS5_PBKDF2_HMAC(kPassword, sizeof kPassword - 1, kSalt, sizeof kSalt, kIterations, EVP_sha256(),
                    32, out);
}

void Sodium(unsigned char out[32]) {
  crypto_auth_hmacsha256_state key;
  crypto_auth_hmacsha256_init(&key, reinterpret_cast<const unsigned char*>(kPassword),
                              sizeof kPassword - 1);
  crypto_auth_hmacsha256_state state = key;
  const unsigned char index[4] = {0, 0, 0, 1};
  unsigned char u[32];
  crypto_auth_hmacsha256_update(&state, kSalt, sizeof kSalt);
  crypto_auth_hmacsha256_update(&state, index, sizeof index);
  crypto_auth_hmacsha256_final(&state, u);
  std::memcpy(out, u, 32);
  for (int i = 1; i < kIterations; ++i) {
    state = key;
    crypto_auth_hmacsha256_update(&state, u, sizeof u);
    crypto_auth_hmacsha256_final(&state, u);
    for (int j = 0; j < 32; ++j) {
      out[j] ^= u[j];
    }
  }
}

void Libpq(unsigned char out[32]) {
  static PGconn* conn = PQconnectStart("");  // PQencryptPasswordConn wants one; never connects
  char* verifier = PQencryptPasswordConn(conn, kPassword, "bench", "scram-sha-256");
  out[0] = verifier != nullptr ? static_cast<unsigned char>(verifier[20]) : 0;
  PQfreemem(verifier);
}

// CPU milliseconds per call of F, with THREADS threads calling it N times each.
double CpuPerCall(const std::function<void(unsigned char*)>& f, int threads, int n) {
  std::clock_t start = std::clock();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      unsigned char out[32];
      for (int i = 0; i < n; ++i) {
        f(out);
      }
    });
  }
  for (std::thread& w : workers) {
    w.join();
  }
  return 1000.0 * static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC / (threads * n);
}

int Main() {
  if (sodium_init() < 0) {
    return 1;
  }
  unsigned char a[32], b[32], c[32];
  Ours(a);
  OpenSsl(b);
  Sodium(c);
  if (std::memcmp(a, b, 32) != 0 || std::memcmp(a, c, 32) != 0) {
    std::fprintf(stderr, "the derivations disagree\n");
    return 1;
  }
  const std::pair<const char*, void (*)(unsigned char*)> ways[] = {
      {"rekey (OpenSSL SHA256_*, pad states)", Ours},
      {"OpenSSL PKCS5_PBKDF2_HMAC", OpenSsl},
      {"libsodium HMAC state copies", Sodium},
      {"libpq PQencryptPasswordConn", Libpq}};
  std::printf("PBKDF2-HMAC-SHA-256, %d iterations: CPU ms per derivation\n", kIterations);
  std::printf("%-40s %10s %10s\n", "", "1 thread", "8 threads");
  for (const auto& [name, f] : ways) {
    std::printf("%-40s %10.3f %10.3f\n", name, CpuPerCall(f, 1, 200), CpuPerCall(f, 8, 50));
  }
  return 0;
}

}  // namespace
}  // namespace rekey

int main() { return rekey::Main(); }
