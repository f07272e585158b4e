// SshSession: one libssh client session, owned (RAII), connected to a server whose host key has
// been verified, with every blocking call bounded by a deadline. It can authenticate with a
// private key (the answer "denied" kept apart from failures) and run commands in channels.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "connectors/connector.h"
#include "secret/secret_bytes.h"

struct ssh_session_struct;
struct ssh_channel_struct;

namespace rekey::ssh {

// Where a server is and how its host key is verified.
struct SshTarget {
  std::string host;
  int port = 22;
  // The host key must match this "SHA256:..." fingerprint when set; else it must be listed in
  // KNOWN_HOSTS (a file) when set; else in libssh's defaults (~/.ssh/known_hosts and
  // /etc/ssh/ssh_known_hosts).
  std::string host_key;
  std::string known_hosts;

  std::string Describe() const { return host + ":" + std::to_string(port); }
};

// A command running on the server in its own channel.
class SshChannel {
 public:
  struct Free {
    void operator()(ssh_channel_struct* c) const;
  };
  explicit SshChannel(std::unique_ptr<ssh_channel_struct, Free> channel)
      : channel_(std::move(channel)) {}

  // Writes DATA to the command's stdin. unavailable when the channel failed.
  Status Write(std::string_view data);
  // Closes the command's stdin.
  Status CloseStdin();
  // Reads what the command printed until stdout holds at least WANT bytes or the command has
  // ended; what it printed is in out() and err(). timeout at DEADLINE.
  Status ReadUntil(size_t want, Deadline deadline);
  // Reads to the end and returns the command's exit status.
  Result<int> Wait(Deadline deadline);

  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }

 private:
  std::unique_ptr<ssh_channel_struct, Free> channel_;
  std::string out_, err_;
};

class SshSession {
 public:
  // Connects to TARGET as USER and verifies the server's host key, within DEADLINE. unavailable
  // when the server cannot be reached (refused, unreachable, closed during the handshake);
  // timeout at the deadline; permission_denied when the host key is unknown or does not match.
  // The key exchange is curve25519-sha256 (about half the cost of OpenSSH's default
  // post-quantum hybrid, measured in doc/connectors/ssh.md).
  static Result<std::unique_ptr<SshSession>> Connect(const SshTarget& target,
                                                     const std::string& user, Deadline deadline);

  // Authenticates with PRIVATE_KEY (an OpenSSH private key). True when the server accepts the
  // key (also when it asks for more methods: the key itself was accepted), false when it denies
  // it; unavailable when the connection fails; invalid_argument when the key cannot be read.
  Result<bool> AuthenticateWithKey(const SecretBytes& private_key, Deadline deadline);

  // Starts COMMAND (a shell command line, run by the user's login shell) in a new channel.
  Result<std::unique_ptr<SshChannel>> Exec(const std::string& command, Deadline deadline);

  // True after a failure that leaves the session unusable: do not reuse it.
  bool broken() const { return broken_; }

  struct Free {
    void operator()(ssh_session_struct* s) const;
  };
  // Use Connect.
  SshSession(std::unique_ptr<ssh_session_struct, Free> session, SshTarget target)
      : session_(std::move(session)), target_(std::move(target)) {}

 private:
  Status Failure(const std::string& what, Deadline deadline);

  std::unique_ptr<ssh_session_struct, Free> session_;
  SshTarget target_;
  bool broken_ = false;
};

// S quoted for a POSIX shell: 'S', with each ' written as '\''.
std::string ShellQuote(std::string_view s);

}  // namespace rekey::ssh
