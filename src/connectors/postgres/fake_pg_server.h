// A PostgreSQL server of a test's own on loopback that plays one script on every connection,
// for what the real test server cannot be made to do: let a role in over TCP without a
// password, forge a SCRAM server signature, ask for md5, offer TLS, send an absurd length.
// Test-only, header-only.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>

#include "base/file_descriptor.h"
#include "connectors/postgres/pg_wire.h"

namespace rekey::postgres::pg_testing {

// Serves one connection at a time, each with SCRIPT.
class FakePgServer {
 public:
  enum class Script {
    kTrust,            // AuthenticationOk at once
    kMd5,              // asks for an md5 password, then refuses it (28P01)
    kTls,              // answers the SSLRequest 'S', and a plain startup 28000 (hostssl only)
    kForgedSignature,  // runs SCRAM with a server signature it cannot know, then lets the role in
    kHugeMessage,      // an authentication request 2 GB long
  };

  explicit FakePgServer(Script script) : script_(script) {
    listener_.Reset(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof a;
    EXPECT_EQ(bind(listener_.get(), reinterpret_cast<sockaddr*>(&a), size), 0);
    EXPECT_EQ(listen(listener_.get(), 8), 0);
    EXPECT_EQ(getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&a), &size), 0);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakePgServer() { Stop(); }

  // Ends the server once the connection it serves has ended (the client hung up).
  void Stop() {
    if (thread_.joinable()) {
      shutdown(listener_.get(), SHUT_RDWR);  // ends the accept
      thread_.join();
    }
  }

  int port() const { return port_; }
  std::string Dsn() const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=postgres";
  }
  int startups() const { return startups_; }
  int connections() const { return connections_; }
  // The type bytes of the messages the clients sent after their startup messages.
  std::string sent() const {
    std::lock_guard lock(mu_);
    return sent_;
  }

 private:
  static std::string Auth(int32_t code, std::string_view data = "") {
    std::string body;
    AppendInt32(&body, static_cast<uint32_t>(code));
    return TypedMessage('R', std::string(body) + std::string(data));
  }

  static std::string Error(std::string_view sqlstate, std::string_view message) {
    std::string fields;
    AppendCString(&fields, "SFATAL");
    AppendCString(&fields, "C" + std::string(sqlstate));
    AppendCString(&fields, "M" + std::string(message));
    fields.push_back('\0');
    return TypedMessage('E', fields);
  }

  void Serve() {
    for (;;) {
      FileDescriptor client(accept(listener_.get(), nullptr, nullptr));
      if (!client.valid()) {
        return;
      }
      ++connections_;
      timeval five{5, 0};
      setsockopt(client.get(), SOL_SOCKET, SO_RCVTIMEO, &five, sizeof five);
      Handle(client.get());
    }
  }

  // One untyped packet (SSLRequest, StartupMessage): its body.
  static std::string Packet(int fd) {
    std::string length = Bytes(fd, 4);
    if (length.size() < 4) {
      return "";
    }
    int32_t n = 0;
    BodyReader(length).TakeInt32(&n);
    return Bytes(fd, n > 4 && n < 10000 ? n - 4 : 0);
  }

  // One typed message from the client: its body.
  std::string Typed(int fd) {
    std::string type = Bytes(fd, 1);
    std::lock_guard lock(mu_);
    sent_ += type;
    return Packet(fd);
  }

  static std::string Bytes(int fd, size_t n) {
    std::string out(n, '\0');
    size_t got = 0;
    while (got < n) {
      ssize_t r = recv(fd, out.data() + got, n - got, 0);
      if (r <= 0) {
        break;
      }
      got += static_cast<size_t>(r);
    }
    out.resize(got);
    return out;
  }

  // Best effort: the client may have hung up already, as it should after some scripts.
  static void Write(int fd, const std::string& bytes) {
    ssize_t sent = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    (void)sent;
  }

  void Handle(int fd) {
    std::string first = Packet(fd);
    int32_t code = 0;
    BodyReader(first).TakeInt32(&code);
    if (code == 80877103) {  // SSLRequest
      Write(fd, script_ == Script::kTls ? "S" : "N");
      if (script_ == Script::kTls) {
        return;
      }
      Packet(fd);
    }
    ++startups_;
    std::string ready = TypedMessage('Z', "I");
    switch (script_) {
      case Script::kTrust:
        Write(fd, Auth(0) + ready);
        break;
      case Script::kMd5:
        Write(fd, Auth(5, "salt"));
        Typed(fd);
        Write(fd, Error("28P01", "password authentication failed"));
        break;
      case Script::kTls:
        Write(fd, Error("28000", "no pg_hba.conf entry for host \"127.0.0.1\", no encryption"));
        break;
      case Script::kForgedSignature: {
        Write(fd, Auth(10, std::string("SCRAM-SHA-256\0\0", 15)));
        std::string initial = Typed(fd);
        std::string nonce = initial.substr(initial.find("r=") + 2);
        Write(fd, Auth(11, "r=" + nonce + "server,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"));
        Typed(fd);
        Write(fd, Auth(12, "v=" + std::string(43, 'A') + "=") + Auth(0) + ready);
        break;
      }
      case Script::kHugeMessage:
        Write(fd, "R\x7f\xff\xff\xff" + std::string(100, '\0'));
        break;
    }
    Typed(fd);  // Terminate, or nothing when the client hangs up
  }

  const Script script_;
  FileDescriptor listener_;
  int port_ = 0;
  std::atomic<int> startups_{0};
  std::atomic<int> connections_{0};
  mutable std::mutex mu_;
  std::string sent_;
  std::thread thread_;
};

}  // namespace rekey::postgres::pg_testing
