#include "connectors/postgres/pg_wire.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>

namespace rekey::postgres {
namespace {

Status SystemError(std::string_view what, int error) {
  return Status::Unavailable(std::string(what) + ": " + std::strerror(error));
}

// Waits until FD has one of EVENTS or DEADLINE passes (Timeout). A failure of poll itself is
// Ok: the next send or receive reports what is wrong with the socket.
Status WaitFor(int fd, short events, Deadline deadline) {
  for (;;) {
    auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return Status::Timeout("no answer before the deadline");
    }
    pollfd p{fd, events, 0};
    int n = poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1 << 30)));
    if (n > 0 || (n < 0 && errno != EINTR)) {
      return Status::Ok();
    }
  }
}

// A nonblocking connect of FD to ADDRESS, bounded by DEADLINE.
Status ConnectOne(int fd, const addrinfo& address, Deadline deadline) {
  if (connect(fd, address.ai_addr, address.ai_addrlen) == 0) {
    return Status::Ok();
  }
  if (errno != EINPROGRESS) {
    return Status::Unavailable(std::strerror(errno));  // as libpq words it
  }
  REKEY_RETURN_IF_ERROR(WaitFor(fd, POLLOUT, deadline));
  int error = 0;
  socklen_t size = sizeof error;
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) {
    error = errno;
  }
  return error == 0 ? Status::Ok() : Status::Unavailable(std::strerror(error));
}

}  // namespace

void AppendInt32(std::string* out, uint32_t n) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((n >> shift) & 0xff));
  }
}

void AppendCString(std::string* out, std::string_view s) {
  out->append(s);
  out->push_back('\0');
}

std::string SslRequest() {
  std::string out;
  AppendInt32(&out, 8);
  AppendInt32(&out, 80877103);  // 1234 << 16 | 5679
  return out;
}

std::string StartupMessage(
    std::initializer_list<std::pair<std::string_view, std::string_view>> parameters) {
  std::string body;
  AppendInt32(&body, 3 << 16);  // protocol 3.0
  for (const auto& [name, value] : parameters) {
    if (value.empty()) {
      continue;
    }
    AppendCString(&body, name);
    AppendCString(&body, value);
  }
  body.push_back('\0');
  std::string out;
  AppendInt32(&out, static_cast<uint32_t>(body.size() + 4));
  return out + body;
}

std::string TypedMessage(char type, std::string_view body) {
  std::string out(1, type);
  AppendInt32(&out, static_cast<uint32_t>(body.size() + 4));
  out.append(body);
  return out;
}

bool BodyReader::TakeByte(char* c) {
  if (rest_.empty()) {
    return false;
  }
  *c = rest_[0];
  rest_.remove_prefix(1);
  return true;
}

bool BodyReader::TakeInt32(int32_t* n) {
  if (rest_.size() < 4) {
    return false;
  }
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    v = v << 8 | static_cast<unsigned char>(rest_[i]);
  }
  *n = static_cast<int32_t>(v);
  rest_.remove_prefix(4);
  return true;
}

bool BodyReader::TakeCString(std::string_view* s) {
  size_t nul = rest_.find('\0');
  if (nul == std::string_view::npos) {
    return false;
  }
  *s = rest_.substr(0, nul);
  rest_.remove_prefix(nul + 1);
  return true;
}

Result<PgWire> PgWire::Connect(const std::string& host, const std::string& port,
                               Deadline deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int error = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); error != 0) {
    return Status::Unavailable("could not translate host name \"" + host +
                               "\" to address: " + gai_strerror(error));
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, &freeaddrinfo);
  Status last = Status::Unavailable("no address for host \"" + host + "\"");
  for (const addrinfo* a = addresses.get(); a != nullptr; a = a->ai_next) {
    FileDescriptor fd(socket(a->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) {
      last = SystemError("socket", errno);
      continue;
    }
    int one = 1;  // each message is one write; let none wait for the next (libpq does the same)
    setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    last = ConnectOne(fd.get(), *a, deadline);
    if (last.ok()) {
      return PgWire(std::move(fd));
    }
    if (last.code() == StatusCode::kTimeout) {
      return last;
    }
  }
  return last;
}

Status PgWire::Send(std::string_view bytes, Deadline deadline) {
  while (!bytes.empty()) {
    ssize_t n = send(fd_.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      REKEY_RETURN_IF_ERROR(WaitFor(fd_.get(), POLLOUT, deadline));
    } else if (errno != EINTR) {
      return SystemError("could not send data to server", errno);
    }
  }
  return Status::Ok();
}

Status PgWire::Fill(Deadline deadline) {
  for (;;) {
    char chunk[8192];
    ssize_t n = recv(fd_.get(), chunk, sizeof chunk, 0);
    if (n > 0) {
      buffer_.append(chunk, static_cast<size_t>(n));
      return Status::Ok();
    }
    if (n == 0) {
      return Status::Unavailable("server closed the connection unexpectedly");
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      REKEY_RETURN_IF_ERROR(WaitFor(fd_.get(), POLLIN, deadline));
    } else if (errno != EINTR) {
      return SystemError("could not receive data from server", errno);
    }
  }
}

Result<char> PgWire::ReadByte(Deadline deadline) {
  if (buffer_.empty()) {
    REKEY_RETURN_IF_ERROR(Fill(deadline));
  }
  char c = buffer_[0];
  buffer_.erase(0, 1);
  return c;
}

Result<BackendMessage> PgWire::Read(Deadline deadline) {
  while (buffer_.size() < 5) {
    REKEY_RETURN_IF_ERROR(Fill(deadline));
  }
  int32_t length = 0;
  BodyReader header(std::string_view(buffer_).substr(1, 4));
  header.TakeInt32(&length);
  if (length < 4 || static_cast<size_t>(length) - 4 > kMaxBackendMessage) {
    return Status::Unavailable("invalid message length " + std::to_string(length) +
                               " from the server");
  }
  size_t total = 1 + static_cast<size_t>(length);
  while (buffer_.size() < total) {
    REKEY_RETURN_IF_ERROR(Fill(deadline));
  }
  BackendMessage message{buffer_[0], buffer_.substr(5, total - 5)};
  buffer_.erase(0, total);
  return message;
}

}  // namespace rekey::postgres
