#include "testing/ssh_account.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "base/subprocess.h"
#include "testing/services.h"

namespace rekey::testing_services {
namespace {

SshOutcome Run(std::vector<std::string> argv, int timeout_s = 30) {
  ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.timeout = std::chrono::seconds(timeout_s);
  auto r = RunProcess(spec);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) {
    return {};
  }
  return {r->exit_code, r->stdout_data, r->stderr_data};
}

}  // namespace

SshAccount::SshAccount() {
  std::string lock = Dir() + "/sshd/rekey-test.lock";
  lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  EXPECT_GE(lock_fd_, 0) << "cannot open " << lock << ": is sshd running?";
  if (lock_fd_ >= 0) {
    EXPECT_EQ(::flock(lock_fd_, LOCK_EX), 0);
  }
  std::ofstream(authorized_keys(), std::ios::trunc);  // keeps the file's mode and owner
}

SshAccount::~SshAccount() {
  // As test-services made it: empty, 0600, owned by the user (a test may have changed that).
  std::string path = authorized_keys();
  struct stat dir {};
  std::ofstream(path, std::ios::trunc);
  if (::stat(path.substr(0, path.rfind('/')).c_str(), &dir) == 0) {
    EXPECT_EQ(::chown(path.c_str(), dir.st_uid, dir.st_gid), 0);
  }
  ::chmod(path.c_str(), 0600);
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);
  }
}

std::string SshAccount::user() const { return Get("REKEY_SSH_USER"); }
std::string SshAccount::host() const { return Get("REKEY_SSH_HOST"); }
std::string SshAccount::port() const { return Get("REKEY_SSH_PORT"); }
std::string SshAccount::authorized_keys() const { return Get("REKEY_SSH_AUTHORIZED_KEYS"); }
std::string SshAccount::known_hosts() const { return Get("REKEY_SSH_KNOWN_HOSTS"); }

std::string NewSshKeyPair(const std::string& path, const std::string& comment) {
  std::remove(path.c_str());
  std::remove((path + ".pub").c_str());
  SshOutcome o = Run({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  std::string line;
  std::getline(std::ifstream(path + ".pub"), line);
  return line;
}

std::string SshPublicLine(const std::string& path) {
  SshOutcome o = Run({"ssh-keygen", "-y", "-f", path});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  while (!o.out.empty() && o.out.back() == '\n') {
    o.out.pop_back();
  }
  return o.out;
}

SshOutcome SshAs(const std::string& user, const std::string& key_file, const std::string& command,
                 int timeout_s) {
  return Run({"ssh",
              "-F",
              "none",
              "-i",
              key_file,
              "-p",
              Get("REKEY_SSH_PORT"),
              "-o",
              "BatchMode=yes",
              "-o",
              "IdentitiesOnly=yes",
              "-o",
              "StrictHostKeyChecking=no",
              "-o",
              "UserKnownHostsFile=/dev/null",
              "-o",
              "LogLevel=ERROR",
              "-o",
              "ConnectTimeout=10",
              user + "@" + Get("REKEY_SSH_HOST"),
              command},
             timeout_s);
}

bool SshAccepts(const std::string& key_file) {
  SshOutcome o = SshAs(Get("REKEY_SSH_USER"), key_file, "echo in");
  if (o.exit_code == 0) {
    EXPECT_EQ(o.out, "in\n");
    return true;
  }
  EXPECT_EQ(o.exit_code, 255) << o.err;
  EXPECT_NE(o.err.find("Permission denied (publickey)"), std::string::npos) << o.err;
  return false;
}

std::string ModeAndOwner(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return "missing";
  }
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
  return std::string(mode) + " " + std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid);
}

}  // namespace rekey::testing_services
