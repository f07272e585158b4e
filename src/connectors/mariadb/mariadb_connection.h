// MariadbConnection: one libmariadb connection (MYSQL*), owned, with every blocking call bounded
// by a deadline: libmariadb waits for its socket through our MARIADB_OPT_IO_WAIT hook, which
// gives up at the deadline of the call in progress on the calling thread. Failures keep the
// server's or the library's error number, because callers classify by number, never by text.
// Header-only, so it needs no build rule of its own.
#pragma once

#include <mariadb/errmsg.h>
#include <mariadb/mysql.h>
#include <mariadb/mysqld_error.h>
#include <poll.h>
#include <sodium.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/check.h"
#include "base/result.h"
#include "connectors/connector.h"
#include "secret/secret_bytes.h"

namespace rekey::mariadb {

// Where a server is and how to talk to it.
struct Endpoint {
  std::string host;
  unsigned int port = 3306;
  bool tls = false;     // require TLS and verify the server's certificate
  std::string ca_file;  // with tls: the CA to verify it against ("" = the library's default)
  unsigned int io_timeout_s = 30;  // the library's own bound on one read or write (a backstop)
};

// The failure of the last call on a connection; number 0 when it succeeded.
struct SqlError {
  unsigned int number = 0;
  std::string message;           // the library's text: callers redact it
  bool deadline_passed = false;  // our wait gave up at the deadline (the library says 2013)
};

using Row = std::vector<std::string>;  // one result row; NULL reads as ""

namespace internal {

// The deadline of the libmariadb call in progress on this thread. A MYSQL is used by one thread
// at a time, and the library calls WaitIo on the thread that made the call.
inline thread_local Deadline io_deadline = Deadline::max();
inline thread_local bool io_deadline_passed = false;

// libmariadb's MARIADB_OPT_IO_WAIT hook: waits like poll(2) for FD to become readable (IS_READ)
// or writable, for at most TIMEOUT_MS (the library's own timeout; -1 for none), and never past
// io_deadline. Returns poll's answer: > 0 ready, 0 timed out (errno ETIMEDOUT), < 0 error.
inline int WaitIo(my_socket fd, my_bool is_read, int timeout_ms) {
  for (;;) {
    auto left =
        std::chrono::ceil<std::chrono::milliseconds>(io_deadline - std::chrono::steady_clock::now())
            .count();
    if (left <= 0) {
      io_deadline_passed = true;
      errno = ETIMEDOUT;
      return 0;
    }
    int wait = left > INT_MAX ? INT_MAX : static_cast<int>(left);
    bool library_limit = timeout_ms >= 0 && timeout_ms < wait;
    pollfd p = {fd, static_cast<short>(is_read ? POLLIN : POLLOUT), 0};
    int rc = ::poll(&p, 1, library_limit ? timeout_ms : wait);
    if (rc < 0 && errno == EINTR) {
      continue;
    }
    if (rc != 0 || library_limit) {
      if (rc == 0) {
        errno = ETIMEDOUT;
      }
      return rc;
    }
    // Timed out at the deadline: the next turn marks it passed.
  }
}

// Sets io_deadline for one blocking call on this thread.
class IoDeadline {
 public:
  explicit IoDeadline(Deadline deadline) : saved_(io_deadline) {
    io_deadline = deadline;
    io_deadline_passed = false;
  }
  ~IoDeadline() { io_deadline = saved_; }
  IoDeadline(const IoDeadline&) = delete;
  IoDeadline& operator=(const IoDeadline&) = delete;
  bool passed() const { return io_deadline_passed; }

 private:
  Deadline saved_;
};

struct CloseMysql {
  void operator()(MYSQL* mysql) const {
    IoDeadline no_waiting(std::chrono::steady_clock::now());  // COM_QUIT is best effort
    mysql_close(mysql);
  }
};
struct FreeResult {
  void operator()(MYSQL_RES* result) const { mysql_free_result(result); }
};

// Whole seconds covering the time left until DEADLINE, at least 1 (the library's unit).
inline unsigned int SecondsLeft(Deadline deadline) {
  auto left = std::chrono::ceil<std::chrono::seconds>(deadline - std::chrono::steady_clock::now());
  return left.count() < 1 ? 1u
                          : static_cast<unsigned int>(std::min<long long>(left.count(), 86400));
}

}  // namespace internal

// The code for a failed call: timeout past the deadline; unavailable when the server could not
// be reached, went away or asked to come back (too many connections, shutting down, lock wait,
// deadlock, max_statement_time); permission_denied for refused logins, missing privileges and TLS
// failures; not_found for an account that does not exist (1396); internal for anything else.
inline StatusCode CodeFor(const SqlError& e) {
  if (e.deadline_passed) {
    return StatusCode::kTimeout;
  }
  switch (e.number) {
    case CR_CONNECTION_ERROR:   // 2002: can't connect (refused, unreachable)
    case CR_CONN_HOST_ERROR:    // 2003
    case CR_SERVER_GONE_ERROR:  // 2006
    case CR_SERVER_LOST:        // 2013
    case ER_CON_COUNT_ERROR:    // 1040: too many connections
    case ER_SERVER_SHUTDOWN:    // 1053
    case ER_CONNECTION_KILLED:  // 1927
    case ER_LOCK_WAIT_TIMEOUT:  // 1205
    case ER_LOCK_DEADLOCK:      // 1213
    case ER_STATEMENT_TIMEOUT:  // 1969: max_statement_time ended it
      return StatusCode::kUnavailable;
    case ER_ACCESS_DENIED_ERROR:              // 1045
    case ER_DBACCESS_DENIED_ERROR:            // 1044
    case ER_SPECIFIC_ACCESS_DENIED_ERROR:     // 1227: e.g. no CREATE USER privilege
    case ER_KILL_DENIED_ERROR:                // 1095
    case ER_HOST_NOT_PRIVILEGED:              // 1130
    case ER_ACCESS_DENIED_NO_PASSWORD_ERROR:  // 1698
    case ER_ACCOUNT_HAS_BEEN_LOCKED:          // 4151
    case CR_SSL_CONNECTION_ERROR:             // 2026
      return StatusCode::kPermissionDenied;
    case ER_CANNOT_USER:  // 1396: no such account
      return StatusCode::kNotFound;
    default:
      return StatusCode::kInternal;
  }
}

// "MESSAGE (error N)" with CodeFor's code; callers add context and redact.
inline Status StatusFor(const SqlError& e) {
  std::string text =
      e.deadline_passed ? "the server did not answer before the deadline" : e.message;
  return Status(CodeFor(e), text + " (error " + std::to_string(e.number) + ")");
}

// Not thread-safe: one thread at a time (a pool hands each to one caller).
class MariadbConnection {
 public:
  // A connection to ENDPOINT, not yet logged in (options only, nothing sent). internal when the
  // library cannot allocate or refuses an option. Thread-safe.
  static Result<std::unique_ptr<MariadbConnection>> Create(const Endpoint& endpoint) {
    static std::once_flag once;
    std::call_once(once, [] {
      REKEY_CHECK(mysql_library_init(0, nullptr, nullptr) == 0);
      REKEY_CHECK(mysql_thread_safe() == 1);
    });
    std::unique_ptr<MYSQL, internal::CloseMysql> mysql(mysql_init(nullptr));
    if (mysql == nullptr) {
      return Status::Internal("mysql_init failed (out of memory)");
    }
    auto conn = std::make_unique<MariadbConnection>(endpoint, std::move(mysql));
    REKEY_RETURN_IF_ERROR(conn->SetOptions());
    return conn;
  }

  // Logs in as USER with PASSWORD, within DEADLINE. On failure: StatusFor(error()), or
  // invalid_argument for a password with a NUL byte (the protocol cannot carry it). REQUIRES:
  // called once. The library's copy of PASSWORD is zeroed after a successful login (it frees
  // the copy of a failed one without zeroing it).
  Status Connect(std::string_view user, const SecretBytes& password, Deadline deadline) {
    if (password.Expose().find('\0') != std::string_view::npos) {
      return Status::InvalidArgument("the password contains a NUL byte");
    }
    unsigned int connect_s = internal::SecondsLeft(deadline);
    mysql_optionsv(mysql_.get(), MYSQL_OPT_CONNECT_TIMEOUT, &connect_s);
    if (deadline <= std::chrono::steady_clock::now()) {
      return TooLate();
    }
    std::string user_z(user);
    std::string password_z(password.Expose());  // NUL-terminated for the library
    internal::IoDeadline scope(deadline);
    MYSQL* ok = mysql_real_connect(mysql_.get(), endpoint_.host.c_str(), user_z.c_str(),
                                   password_z.c_str(), nullptr, endpoint_.port, nullptr, 0);
    WipeString(password_z);
    if (ok == nullptr) {
      return Failed(scope.passed());
    }
    if (mysql_->passwd != nullptr) {
      // Kept by the library for a reconnect, which rekey never asks for.
      sodium_memzero(mysql_->passwd, std::strlen(mysql_->passwd));
    }
    is_mariadb_ = std::strstr(mysql_get_server_info(mysql_.get()), "MariaDB") != nullptr;
    return Status::Ok();
  }

  // Runs SQL, which returns no rows, within DEADLINE. The statement text is not kept.
  Status Execute(std::string_view sql, Deadline deadline) { return Query(sql, deadline).status(); }

  // Runs SQL within DEADLINE and returns its rows (none for a statement without a result).
  Result<std::vector<Row>> Query(std::string_view sql, Deadline deadline) {
    if (deadline <= std::chrono::steady_clock::now()) {
      return TooLate();
    }
    internal::IoDeadline scope(deadline);
    if (mysql_real_query(mysql_.get(), sql.data(), sql.size()) != 0) {
      return Failed(scope.passed());
    }
    std::unique_ptr<MYSQL_RES, internal::FreeResult> result(mysql_store_result(mysql_.get()));
    if (result == nullptr) {
      if (mysql_field_count(mysql_.get()) != 0) {
        return Failed(scope.passed());
      }
      error_ = {};
      return std::vector<Row>();
    }
    std::vector<Row> rows;
    unsigned int fields = mysql_num_fields(result.get());
    while (MYSQL_ROW row = mysql_fetch_row(result.get())) {
      unsigned long* lengths = mysql_fetch_lengths(result.get());
      Row& out = rows.emplace_back();
      for (unsigned int i = 0; i < fields; ++i) {
        out.emplace_back(row[i] != nullptr ? std::string(row[i], lengths[i]) : std::string());
      }
    }
    error_ = {};
    return rows;
  }

  // TEXT as an SQL string literal, quotes included, escaped for this connection's character set
  // and SQL mode. REQUIRES: connected.
  std::string Quote(std::string_view text) const {
    std::string out(2 * text.size() + 3, '\0');
    unsigned long n =
        mysql_real_escape_string(mysql_.get(), out.data() + 1, text.data(), text.size());
    REKEY_CHECK(n <= 2 * text.size());
    out[0] = '\'';
    out[n + 1] = '\'';
    out.resize(n + 2);
    return out;
  }

  // Whether the server is MariaDB (else MySQL). REQUIRES: connected.
  bool is_mariadb() const { return is_mariadb_; }
  // The server's id of this connection (CONNECTION_ID()).
  unsigned long id() const { return mysql_thread_id(mysql_.get()); }
  // The last call's failure; number 0 after a success.
  const SqlError& error() const { return error_; }
  // Whether the last failure left the connection unusable (the client library's errors, a
  // deadline mid-call, a connection the server ended): discard it.
  bool broken() const {
    unsigned int n = error_.number;
    return error_.deadline_passed || (n >= CR_MIN_ERROR && n <= CR_MAX_ERROR) ||
           (n >= CER_MIN_ERROR && n <= CER_MAX_ERROR) || n == ER_CONNECTION_KILLED ||
           n == ER_SERVER_SHUTDOWN;
  }

  // Use Create.
  MariadbConnection(const Endpoint& endpoint, std::unique_ptr<MYSQL, internal::CloseMysql> mysql)
      : endpoint_(endpoint), mysql_(std::move(mysql)) {}

 private:
  Status SetOptions() {
    MYSQL* m = mysql_.get();
    unsigned int tcp = MYSQL_PROTOCOL_TCP;  // "localhost" too: the port always counts
    my_bool on = 1, off = 0;
    unsigned int no_local_files = 0;
    unsigned int io_s = endpoint_.io_timeout_s;
    int (*wait)(my_socket, my_bool, int) = internal::WaitIo;
    bool failed = mysql_optionsv(m, MARIADB_OPT_IO_WAIT, wait) != 0 ||
                  mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &tcp) != 0 ||
                  mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4") != 0 ||
                  mysql_optionsv(m, MYSQL_OPT_RECONNECT, &off) != 0 ||
                  mysql_optionsv(m, MYSQL_OPT_LOCAL_INFILE, &no_local_files) != 0 ||
                  mysql_optionsv(m, MYSQL_OPT_READ_TIMEOUT, &io_s) != 0 ||
                  mysql_optionsv(m, MYSQL_OPT_WRITE_TIMEOUT, &io_s) != 0;
    if (!failed && endpoint_.tls) {
      failed = mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on) != 0 ||
               mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on) != 0 ||
               (!endpoint_.ca_file.empty() &&
                mysql_optionsv(m, MYSQL_OPT_SSL_CA, endpoint_.ca_file.c_str()) != 0);
    }
    return failed ? Status::Internal("libmariadb refused a connection option") : Status::Ok();
  }

  // Nothing was sent: the connection stays usable.
  Status TooLate() {
    error_ = {};
    return Status::Timeout("the deadline passed before the call");
  }

  Status Failed(bool deadline_passed) {
    error_ = {mysql_errno(mysql_.get()), mysql_error(mysql_.get()), deadline_passed};
    if (deadline_passed && error_.number == 0) {
      error_.number = CR_SERVER_LOST;
    }
    return StatusFor(error_);
  }

  const Endpoint endpoint_;
  std::unique_ptr<MYSQL, internal::CloseMysql> mysql_;
  bool is_mariadb_ = false;
  SqlError error_;
};

}  // namespace rekey::mariadb
