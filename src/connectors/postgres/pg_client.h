// Bounded libpq: logins and queries in nonblocking mode, where every wait is a poll(2) on the
// connection's socket that ends at a Deadline, plus the SQLSTATE of a refused login, which libpq
// has no function for, and what a SQLSTATE means to a caller (RetryableState,
// RefusedCredentials). Header-only, for the postgres connector's own files.
#pragma once

#include <libpq-fe.h>
#include <poll.h>
#include <sodium.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/connector.h"
#include "secret/secret_bytes.h"

namespace rekey::postgres {

struct PgConnDeleter {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
using PgConnPtr = std::unique_ptr<PGconn, PgConnDeleter>;

struct PgResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResultPtr = std::unique_ptr<PGresult, PgResultDeleter>;

// A string libpq allocated (PQencryptPasswordConn, PQescapeLiteral, PQescapeIdentifier): zeroed,
// then released with PQfreemem.
struct PgStringDeleter {
  void operator()(char* s) const {
    sodium_memzero(s, std::strlen(s));
    PQfreemem(s);
  }
};
using PgString = std::unique_ptr<char, PgStringDeleter>;

// A NUL-terminated copy of a secret, for libpq; wiped when it goes.
class CString {
 public:
  explicit CString(std::string_view s) : s_(s) {}
  CString(const CString&) = delete;
  CString& operator=(const CString&) = delete;
  ~CString() { WipeString(s_); }
  const char* get() const { return s_.c_str(); }

 private:
  std::string s_;
};

// An admin connection, as a ConnectionPool holds it.
struct PgConnection {
  PgConnPtr conn;
};

// Waits until CONN's socket is readable (or writable) or DEADLINE passes; false on the deadline.
// An error of poll itself returns true: libpq's next call then reports the broken socket.
inline bool WaitForSocket(PGconn* conn, bool for_write, Deadline deadline) {
  for (;;) {
    auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return false;
    }
    pollfd fd{PQsocket(conn), static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
    if (fd.fd < 0) {
      return true;
    }
    int n = poll(&fd, 1, static_cast<int>(std::min<int64_t>(left.count(), 1 << 30)));
    if (n > 0 || (n < 0 && errno != EINTR)) {
      return true;
    }
  }
}

// libpq's error text on one line: "LOCATION:" lines (a VERBOSE detail) dropped, line breaks and
// tabs turned into single spaces, no trailing blank. It may still echo conninfo parts and names:
// redact before keeping it.
inline std::string TidyMessage(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.rfind("LOCATION:", 0) == 0) {
      continue;
    }
    for (char c : line) {
      c = c == '\t' ? ' ' : c;
      if (c != ' ' || (!out.empty() && out.back() != ' ')) {
        out.push_back(c);
      }
    }
    if (!out.empty() && out.back() != ' ') {
      out.push_back(' ');
    }
  }
  while (!out.empty() && out.back() == ' ') {
    out.pop_back();
  }
  return out;
}

// The SQLSTATE of the last server error in a failed login's PQerrorMessage, or "" when the server
// sent none (the failure was libpq's own: refused, unreachable, timed out, TLS). libpq keeps the
// server's ErrorResponse to itself during a login, but with PQERRORS_VERBOSE it renders each one
// as "SEVERITY:  SQLSTATE: message" on its own line (after libpq's "connection to server ...
// failed: " prefix). So: on each line, the text after the first ":  " (two blanks: only the
// severity is printed so) is a SQLSTATE if it is five digits or capitals followed by ": ".
inline std::string SqlStateOfLoginFailure(std::string_view message) {
  std::string found;
  while (!message.empty()) {
    size_t end = message.find('\n');
    std::string_view line = message.substr(0, end);
    message = end == std::string_view::npos ? std::string_view() : message.substr(end + 1);
    size_t at = line.find(":  ");
    if (at == std::string_view::npos || line.size() < at + 3 + 7) {
      continue;
    }
    std::string_view code = line.substr(at + 3, 5);
    bool valid = std::all_of(code.begin(), code.end(), [](char c) {
      return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
    });
    if (valid && line.substr(at + 8, 2) == ": ") {
      found = code;
    }
  }
  return found;
}

// How a login ended.
struct Login {
  PgConnPtr conn;          // the open connection, when the login succeeded
  bool timed_out = false;  // DEADLINE passed first
  std::string sqlstate;    // of the server's refusal; "" when the server sent none
  std::string message;     // libpq's (tidied), when it failed
};

// Logs in with KEYWORDS/VALUES (null-terminated, as PQconnectStartParams takes them; a first
// "dbname" holding a conninfo string is expanded, and later keywords override what it sets).
// Bounded by DEADLINE throughout (libpq's connect_timeout applies only to its blocking calls).
// The connection comes back in nonblocking mode with notices discarded (libpq would print them
// on stderr). Thread-safe.
inline Login LogIn(const char* const* keywords, const char* const* values, Deadline deadline) {
  Login login;
  PgConnPtr conn(PQconnectStartParams(keywords, values, /*expand_dbname=*/1));
  if (conn == nullptr) {
    login.message = "out of memory";
    return login;
  }
  PQsetErrorVerbosity(conn.get(), PQERRORS_VERBOSE);  // puts the SQLSTATE into the message
  PQsetNoticeProcessor(
      conn.get(), [](void*, const char*) {}, nullptr);
  PostgresPollingStatusType state =
      PQstatus(conn.get()) == CONNECTION_BAD ? PGRES_POLLING_FAILED : PGRES_POLLING_WRITING;
  while (state == PGRES_POLLING_READING || state == PGRES_POLLING_WRITING) {
    if (!WaitForSocket(conn.get(), state == PGRES_POLLING_WRITING, deadline)) {
      login.timed_out = true;
      login.message = "no answer before the deadline";
      return login;
    }
    state = PQconnectPoll(conn.get());
  }
  if (state != PGRES_POLLING_OK || PQsetnonblocking(conn.get(), 1) != 0) {
    std::string text = PQerrorMessage(conn.get());
    login.sqlstate = SqlStateOfLoginFailure(text);
    login.message = TidyMessage(text);
    return login;
  }
  PQsetErrorVerbosity(conn.get(), PQERRORS_DEFAULT);
  login.conn = std::move(conn);
  return login;
}

inline bool Succeeded(const PGresult* result) {
  ExecStatusType status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

// How a query ended.
struct Query {
  PgResultPtr result;      // the first failed result, else the last; null if none arrived
  bool timed_out = false;  // DEADLINE passed first: the connection is out of step, close it
};

// Sends SQL (one statement; $1... are PARAMS, as text) on CONN, a nonblocking connection, and
// reads every result until DEADLINE. After a null result or a failed one, PQstatus(CONN) tells
// whether the connection itself broke.
inline Query RunQuery(PGconn* conn, const std::string& sql, const std::vector<const char*>& params,
                      Deadline deadline) {
  Query query;
  if (PQsendQueryParams(conn, sql.c_str(), static_cast<int>(params.size()), nullptr, params.data(),
                        nullptr, nullptr, 0) == 0) {
    return query;
  }
  for (int pending; (pending = PQflush(conn)) != 0;) {
    if (pending < 0) {
      return query;
    }
    if (!WaitForSocket(conn, /*for_write=*/true, deadline)) {
      query.timed_out = true;
      return query;
    }
  }
  for (;;) {
    while (PQisBusy(conn) != 0) {
      if (!WaitForSocket(conn, /*for_write=*/false, deadline)) {
        query.timed_out = true;
        return query;
      }
      if (PQconsumeInput(conn) == 0) {
        return query;
      }
    }
    PgResultPtr next(PQgetResult(conn));
    if (next == nullptr) {
      return query;
    }
    if (query.result == nullptr || Succeeded(query.result.get())) {
      query.result = std::move(next);
    }
  }
}

// SQLSTATEs that a later attempt may not see: "" (libpq's own failure: refused, unreachable,
// TLS), connection exceptions (08), insufficient resources (53: too many connections),
// shutdown and startup (57P01-57P03), serialization failure and deadlock (40), and XX000, which
// is how PostgreSQL reports two ALTER ROLEs of one role at once ("tuple concurrently updated").
inline bool RetryableState(const std::string& sqlstate) {
  return sqlstate.empty() || sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("53", 0) == 0 ||
         sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03" ||
         sqlstate.rfind("40", 0) == 0 || sqlstate == "XX000";
}

// A login the server refused because of the credentials or the role: wrong password, no such
// role (PostgreSQL answers both 28P01), NOLOGIN or no pg_hba.conf entry (28000).
inline bool RefusedCredentials(const std::string& sqlstate) {
  return sqlstate == "28P01" || sqlstate == "28000";
}

}  // namespace rekey::postgres
