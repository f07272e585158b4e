#include "testing/http_test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace rekey::testing_http {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

bool SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) {
      return false;
    }
    off += static_cast<size_t>(n);
  }
  return true;
}

// Reads from FD into BUF until it holds at least N bytes. False at end of stream or error.
bool ReadUntilSize(int fd, std::string& buf, size_t n) {
  char chunk[16384];
  while (buf.size() < n) {
    ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
    if (got <= 0) {
      return false;
    }
    buf.append(chunk, static_cast<size_t>(got));
  }
  return true;
}

// Reads one request's head from FD (BUF keeps what came after it). False when the peer closed.
bool ReadHead(int fd, std::string& buf, std::string& head) {
  char chunk[16384];
  size_t end;
  while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
    ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
    if (got <= 0) {
      return false;
    }
    buf.append(chunk, static_cast<size_t>(got));
  }
  head = buf.substr(0, end);
  buf.erase(0, end + 4);
  return true;
}

Request ParseHead(const std::string& head) {
  Request r;
  size_t line_end = head.find("\r\n");
  std::string first = head.substr(0, line_end);
  size_t sp1 = first.find(' ');
  size_t sp2 = first.find(' ', sp1 + 1);
  r.method = first.substr(0, sp1);
  r.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t next = head.find("\r\n", pos);
    std::string line = head.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      size_t v = line.find_first_not_of(' ', colon + 1);
      r.headers[Lower(line.substr(0, colon))] = v == std::string::npos ? "" : line.substr(v);
    }
    pos = next == std::string::npos ? head.size() : next + 2;
  }
  return r;
}

std::string Serialize(const Response& response) {
  std::string out =
      "HTTP/1.1 " + std::to_string(response.status) + " " + Reason(response.status) + "\r\n";
  for (const auto& [name, value] : response.headers) {
    out += name + ": " + value + "\r\n";
  }
  out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n\r\n";
  out += response.body;
  return out;
}

}  // namespace

std::string Request::Header(const std::string& name) const {
  auto it = headers.find(Lower(name));
  return it == headers.end() ? "" : it->second;
}

HttpTestServer::HttpTestServer(Handler handler) : handler_(std::move(handler)) {
  listener_.Reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (!listener_.valid() ||
      ::bind(listener_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener_.get(), 64) != 0 ||
      ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error(std::string("HttpTestServer: ") + std::strerror(errno));
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { Accept(); });
}

HttpTestServer::~HttpTestServer() {
  stopping_ = true;
  ::shutdown(listener_.get(), SHUT_RDWR);
  acceptor_.join();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mu_);
    for (int fd : open_fds_) {
      ::shutdown(fd, SHUT_RDWR);
    }
    threads.swap(threads_);
  }
  for (std::thread& t : threads) {
    t.join();
  }
}

void HttpTestServer::Accept() {
  while (!stopping_) {
    int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      continue;  // EINTR, or the listener was shut down (stopping_ is then set)
    }
    std::lock_guard lock(mu_);
    if (stopping_) {
      ::close(fd);
      break;
    }
    ++connections_;
    open_fds_.push_back(fd);
    threads_.emplace_back([this, fd] { Serve(fd); });
  }
}

void HttpTestServer::Serve(int fd) {
  FileDescriptor owned(fd);
  std::string buf;
  std::string head;
  while (ReadHead(fd, buf, head)) {
    Request request = ParseHead(head);
    Response response;
    if (request.Header("transfer-encoding") != "") {
      response = {411, {}, "chunked request bodies are not supported here\n"};
    } else {
      size_t length = std::strtoul(request.Header("content-length").c_str(), nullptr, 10);
      if (!ReadUntilSize(fd, buf, length)) {
        break;
      }
      request.body = buf.substr(0, length);
      buf.erase(0, length);
      response = handler_(request);
    }
    ++requests_;
    if (!SendAll(fd, Serialize(response)) || Lower(request.Header("connection")) == "close") {
      break;
    }
  }
  std::lock_guard lock(mu_);
  open_fds_.erase(std::find(open_fds_.begin(), open_fds_.end(), fd));
}

}  // namespace rekey::testing_http
