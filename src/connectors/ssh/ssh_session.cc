// libssh in blocking mode: each call is bounded by the session's timeout, which is set to what
// is left of the deadline before every call. ~/.ssh/config is not read (SSH_OPTIONS_PROCESS_CONFIG
// off), so what rekey does does not depend on the home of whoever runs it, except for the default
// known_hosts files.
#include "connectors/ssh/ssh_session.h"

#include <libssh/libssh.h>

#include <algorithm>
#include <chrono>

namespace rekey::ssh {
namespace {

using Clock = std::chrono::steady_clock;

struct FreeKey {
  void operator()(ssh_key k) const { ssh_key_free(k); }
};

long long RemainingMs(Deadline deadline) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
}

// At least 1 ms, so that libssh never falls back to its own default.
void SetTimeout(ssh_session s, Deadline deadline) {
  long long ms = std::max<long long>(RemainingMs(deadline), 1);
  long sec = static_cast<long>(ms / 1000);
  long usec = static_cast<long>(ms % 1000) * 1000;
  ssh_options_set(s, SSH_OPTIONS_TIMEOUT, &sec);
  ssh_options_set(s, SSH_OPTIONS_TIMEOUT_USEC, &usec);
}

// The server's host key fingerprint, "SHA256:...", or "" when it cannot be had.
std::string ServerFingerprint(ssh_session s) {
  ssh_key raw = nullptr;
  if (ssh_get_server_publickey(s, &raw) != SSH_OK) {
    return "";
  }
  std::unique_ptr<ssh_key_struct, FreeKey> key(raw);
  unsigned char* hash = nullptr;
  size_t size = 0;
  if (ssh_get_publickey_hash(key.get(), SSH_PUBLICKEY_HASH_SHA256, &hash, &size) != 0) {
    return "";
  }
  char* text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, size);
  ssh_clean_pubkey_hash(&hash);
  std::string out = text != nullptr ? text : "";
  ssh_string_free_char(text);
  return out;
}

Status VerifyHostKey(ssh_session s, const SshTarget& target) {
  std::string fingerprint = ServerFingerprint(s);
  std::string who = "host key of " + target.Describe() + " (" + fingerprint + ")";
  if (!target.host_key.empty()) {
    return fingerprint == target.host_key
               ? Status::Ok()
               : Status::PermissionDenied(who + " is not the configured host_key " +
                                          target.host_key);
  }
  std::string where = target.known_hosts.empty() ? "known_hosts" : target.known_hosts;
  switch (ssh_session_is_known_server(s)) {
    case SSH_KNOWN_HOSTS_OK:
      return Status::Ok();
    case SSH_KNOWN_HOSTS_CHANGED:
      return Status::PermissionDenied(who + " does not match the key " + where +
                                      " lists for it: possible man-in-the-middle");
    case SSH_KNOWN_HOSTS_OTHER:
      return Status::PermissionDenied(who + " is of a type " + where + " lists no key of");
    case SSH_KNOWN_HOSTS_NOT_FOUND:
    case SSH_KNOWN_HOSTS_UNKNOWN:
      return Status::PermissionDenied(who + " is not in " + where +
                                      "; add it there or set host_key");
    default:
      return Status::PermissionDenied(who + " cannot be checked against " + where + ": " +
                                      ssh_get_error(s));
  }
}

// A copy of VALUE with a terminating NUL (libssh reads a C string), wiped when it goes.
class CString {
 public:
  explicit CString(std::string_view value) {
    text_.reserve(value.size() + 1);
    text_.append(value);
  }
  ~CString() { WipeString(text_); }
  const char* get() const { return text_.c_str(); }

 private:
  std::string text_;
};

}  // namespace

void SshSession::Free::operator()(ssh_session_struct* s) const {
  ssh_disconnect(s);
  ssh_free(s);
}

void SshChannel::Free::operator()(ssh_channel_struct* c) const { ssh_channel_free(c); }

Result<std::unique_ptr<SshSession>> SshSession::Connect(const SshTarget& target,
                                                        const std::string& user,
                                                        Deadline deadline) {
  if (Clock::now() >= deadline) {
    return Status::Timeout("the deadline passed before connecting to " + target.Describe());
  }
  std::unique_ptr<ssh_session_struct, Free> s(ssh_new());
  if (s == nullptr) {
    return Status::Internal("cannot allocate an SSH session");
  }
  int verbosity = SSH_LOG_NOLOG;
  bool process_config = false;
  int port = target.port;
  ssh_options_set(s.get(), SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
  ssh_options_set(s.get(), SSH_OPTIONS_PROCESS_CONFIG, &process_config);
  ssh_options_set(s.get(), SSH_OPTIONS_HOST, target.host.c_str());
  ssh_options_set(s.get(), SSH_OPTIONS_PORT, &port);
  ssh_options_set(s.get(), SSH_OPTIONS_USER, user.c_str());
  ssh_options_set(s.get(), SSH_OPTIONS_KEY_EXCHANGE,
                  "curve25519-sha256,curve25519-sha256@libssh.org");
  if (!target.known_hosts.empty()) {
    ssh_options_set(s.get(), SSH_OPTIONS_KNOWNHOSTS, target.known_hosts.c_str());
    ssh_options_set(s.get(), SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
  }
  SetTimeout(s.get(), deadline);
  auto session = std::make_unique<SshSession>(std::move(s), target);
  if (ssh_connect(session->session_.get()) != SSH_OK) {
    return session->Failure("connect", deadline);
  }
  REKEY_RETURN_IF_ERROR(VerifyHostKey(session->session_.get(), target));
  return session;
}

Result<bool> SshSession::AuthenticateWithKey(const SecretBytes& private_key, Deadline deadline) {
  ssh_key raw = nullptr;
  {
    CString pem(private_key.Expose());
    if (ssh_pki_import_privkey_base64(pem.get(), nullptr, nullptr, nullptr, &raw) != SSH_OK) {
      return Status::InvalidArgument("the private key is not one libssh can read");
    }
  }
  std::unique_ptr<ssh_key_struct, FreeKey> key(raw);
  SetTimeout(session_.get(), deadline);
  switch (ssh_userauth_publickey(session_.get(), nullptr, key.get())) {
    case SSH_AUTH_SUCCESS:
    case SSH_AUTH_PARTIAL:
      return true;
    case SSH_AUTH_DENIED:
      return false;
    default:
      return Failure("authenticate", deadline);
  }
}

Result<std::unique_ptr<SshChannel>> SshSession::Exec(const std::string& command,
                                                     Deadline deadline) {
  SetTimeout(session_.get(), deadline);
  std::unique_ptr<ssh_channel_struct, SshChannel::Free> c(ssh_channel_new(session_.get()));
  if (c == nullptr) {
    return Failure("open a channel", deadline);
  }
  if (ssh_channel_open_session(c.get()) != SSH_OK) {
    return Failure("open a channel", deadline);
  }
  if (ssh_channel_request_exec(c.get(), command.c_str()) != SSH_OK) {
    return Failure("start a command", deadline);
  }
  return std::make_unique<SshChannel>(std::move(c));
}

Status SshSession::Failure(const std::string& what, Deadline deadline) {
  broken_ = true;
  std::string message =
      "ssh " + target_.Describe() + ": cannot " + what + ": " + ssh_get_error(session_.get());
  return Clock::now() >= deadline ? Status::Timeout(message) : Status::Unavailable(message);
}

Status SshChannel::Write(std::string_view data) {
  if (!data.empty() &&
      ssh_channel_write(channel_.get(), data.data(), static_cast<uint32_t>(data.size())) !=
          static_cast<int>(data.size())) {
    return Status::Unavailable("ssh: writing to a remote command failed");
  }
  return Status::Ok();
}

Status SshChannel::CloseStdin() {
  return ssh_channel_send_eof(channel_.get()) == SSH_OK
             ? Status::Ok()
             : Status::Unavailable("ssh: closing a remote command's input failed");
}

Status SshChannel::ReadUntil(size_t want, Deadline deadline) {
  char buf[4096];
  while (out_.size() < want && !ssh_channel_is_eof(channel_.get())) {
    for (int n; (n = ssh_channel_read_nonblocking(channel_.get(), buf, sizeof buf, 1)) > 0;) {
      err_.append(buf, n);
    }
    long long ms = RemainingMs(deadline);
    if (ms <= 0) {
      return Status::Timeout("ssh: a remote command did not answer before the deadline");
    }
    int n = ssh_channel_read_timeout(channel_.get(), buf, sizeof buf, 0,
                                     static_cast<int>(std::min<long long>(ms, 1000)));
    if (n == SSH_ERROR) {
      return Status::Unavailable("ssh: reading from a remote command failed");
    }
    out_.append(buf, n);
  }
  for (int n; (n = ssh_channel_read_nonblocking(channel_.get(), buf, sizeof buf, 1)) > 0;) {
    err_.append(buf, n);
  }
  return Status::Ok();
}

Result<int> SshChannel::Wait(Deadline deadline) {
  REKEY_RETURN_IF_ERROR(ReadUntil(std::string::npos, deadline));
  int status = ssh_channel_get_exit_status(channel_.get());
  ssh_channel_close(channel_.get());
  return status;
}

std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out + "'";
}

}  // namespace rekey::ssh
