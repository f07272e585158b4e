// SshAccount: the test user of the sshd that scripts/test-services started, held exclusively by
// one test at a time (its authorized_keys is one file, shared by every test of the run), and an
// independent client to check it with: the OpenSSH `ssh` binary, which shares no code with
// rekey's libssh-based issuer.
#pragma once

#include <string>
#include <vector>

namespace rekey::testing_services {

class SshAccount {
 public:
  // Waits for the account's lock (an flock in the sshd instance's directory) and empties its
  // authorized_keys. The lock is held until destruction.
  SshAccount();
  ~SshAccount();
  SshAccount(const SshAccount&) = delete;
  SshAccount& operator=(const SshAccount&) = delete;

  std::string user() const;
  std::string host() const;
  std::string port() const;
  std::string authorized_keys() const;
  std::string known_hosts() const;

 private:
  int lock_fd_ = -1;
};

// A fresh ed25519 key pair from ssh-keygen at PATH (private, mode 0600) and PATH.pub; returns
// the public line ("ssh-ed25519 AAAA... COMMENT").
std::string NewSshKeyPair(const std::string& path, const std::string& comment = "test");

// The public line of the private key file PATH (`ssh-keygen -y`).
std::string SshPublicLine(const std::string& path);

struct SshOutcome {
  int exit_code = -1;
  std::string out, err;
};
// `ssh -i KEY_FILE` as the account's user running COMMAND: BatchMode, IdentitiesOnly, no host
// key checks (StrictHostKeyChecking=no, UserKnownHostsFile=/dev/null). Exit 255 when the login
// was refused or the connection failed.
SshOutcome SshAs(const std::string& user, const std::string& key_file,
                 const std::string& command = "true", int timeout_s = 30);

// Whether sshd lets the account in with KEY_FILE, as `ssh` sees it: exit 0 (true) or the
// "Permission denied (publickey)" refusal (false); anything else fails the test.
bool SshAccepts(const std::string& key_file);

// The file's mode (permission bits), owner uid and gid, as "0600 1001:1001".
std::string ModeAndOwner(const std::string& path);

}  // namespace rekey::testing_services
