// For the tests against the real PostgreSQL server scripts/test-services starts
// (testing/services.h): the test's own libpq connections, independent of the code under test,
// and a fixture giving each test a role of its own. Test-only, header-only.
#pragma once

// This target does not get libpq's include directory (rekey_connectors links libpq privately),
// hence the path.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <postgresql/libpq-fe.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "connectors/connector.h"
#include "testing/services.h"

namespace rekey::postgres::pg_testing {

using Clock = std::chrono::steady_clock;

inline Deadline In(std::chrono::milliseconds d) { return Clock::now() + d; }
inline Deadline Soon() { return In(std::chrono::seconds(10)); }

struct ConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnCloser>;
struct ResultCloser {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultCloser>;

inline std::string Dsn() { return testing_services::Get("REKEY_PG_DSN"); }
inline std::string AdminPassword() {
  return testing_services::ReadFileNamedBy("REKEY_PG_ADMIN_PASSWORD_FILE");
}

// A login of the test's own as USER with PASSWORD.
inline Conn Connect(const std::string& user, const std::string& password,
                    const std::string& dsn = Dsn()) {
  const char* keywords[] = {"dbname", "user", "password", nullptr};
  const char* values[] = {dsn.c_str(), user.c_str(), password.c_str(), nullptr};
  Conn conn(PQconnectdbParams(keywords, values, 1));
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  return conn;
}

inline bool CanLogIn(const std::string& user, const std::string& password) {
  return PQstatus(Connect(user, password).get()) == CONNECTION_OK;
}

// The first column of each row of SQL (with $1 = PARAM if given); a failure fails the test.
inline std::vector<std::string> Column(PGconn* conn, const std::string& sql,
                                       const char* param = nullptr) {
  ResultPtr r(PQexecParams(conn, sql.c_str(), param ? 1 : 0, nullptr, &param, nullptr, nullptr, 0));
  std::vector<std::string> rows;
  ExecStatusType s = PQresultStatus(r.get());
  if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
    ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r.get());
    return rows;
  }
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    rows.push_back(PQgetisnull(r.get(), i, 0) ? "NULL" : PQgetvalue(r.get(), i, 0));
  }
  return rows;
}

inline std::string Verifier(PGconn* conn, const std::string& value, const std::string& role) {
  char* v = PQencryptPasswordConn(conn, value.c_str(), role.c_str(), "scram-sha-256");
  std::string out = v != nullptr ? v : "";
  PQfreemem(v);
  return out;
}

inline std::string RandomValue() {
  static std::mt19937_64 random(std::random_device{}());
  static std::mutex mu;
  std::lock_guard lock(mu);
  std::string s;
  for (int i = 0; i < 24; ++i) {
    s.push_back("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"[random() % 57]);
  }
  return s;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

inline size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

// Binds FD to a free port on 127.0.0.1 and returns the port.
inline int BindLoopback(int fd) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof a;
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), size), 0);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &size), 0);
  return ntohs(a.sin_port);
}

// A port on 127.0.0.1 where nothing listens (bound, then closed).
inline int ClosedPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int port = BindLoopback(fd);
  close(fd);
  return port;
}

// Each test gets a role of its own (tests run in parallel, one process each) with the value
// old_, set through a verifier so the test's own setup does not log it either.
class PgRoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    std::string tag = RandomValue().substr(0, 6);
    std::transform(tag.begin(), tag.end(), tag.begin(), [](char c) { return std::tolower(c); });
    role_ = "rekey_t_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" + tag;
    old_value_ = RandomValue();
    admin_ = Connect(testing_services::Get("REKEY_PG_ADMIN_USER"), AdminPassword());
    ASSERT_EQ(PQstatus(admin_.get()), CONNECTION_OK) << PQerrorMessage(admin_.get());
    Column(admin_.get(), "CREATE ROLE " + role_ + " LOGIN PASSWORD '" +
                             Verifier(admin_.get(), old_value_, role_) + "'");
  }

  void TearDown() override {
    if (admin_ != nullptr && PQstatus(admin_.get()) == CONNECTION_OK) {
      Column(admin_.get(),
             "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1",
             role_.c_str());
      Column(admin_.get(), "DROP ROLE IF EXISTS " + role_);
    }
  }

  Conn admin_;
  std::string role_;
  std::string old_value_;
};

}  // namespace rekey::postgres::pg_testing
