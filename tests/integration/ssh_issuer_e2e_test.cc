// The real binary against the real sshd that scripts/test-services starts: a rotate and a
// contain of an ssh_key identity end to end, editing authorized_keys on this machine and over
// SSH as the admin, checked with the OpenSSH client (`ssh -i`), which shares no code with rekey:
// the old key rejected, the new one (as the holder received it) accepted, a session opened with
// the old key before the run ended, every line rekey does not own untouched, byte for byte, and
// the file's mode and owner kept.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "harness.h"
#include "testing/services.h"
#include "testing/ssh_account.h"

namespace rekey::it {
namespace {

namespace services = testing_services;
using Clock = std::chrono::steady_clock;

// A session logged in with KEY_FILE running `sleep 20`, in the background.
class OldSession {
 public:
  OldSession(const std::string& user, const std::string& key_file)
      : thread_([this, user, key_file] {
          auto start = Clock::now();
          outcome_ = services::SshAs(user, key_file, "echo up; sleep 20");
          seconds_ = std::chrono::duration<double>(Clock::now() - start).count();
        }) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // logged in by then
  }
  // Waits for the session to end; true when it ended early (ended by rekey), not after 20 s.
  bool EndedEarly() {
    thread_.join();
    return seconds_ < 15 && outcome_.out == "up\n";
  }

 private:
  services::SshOutcome outcome_;
  double seconds_ = 0;
  std::thread thread_;
};

class SshE2eTest : public ::testing::TestWithParam<bool> {
 protected:
  SshE2eTest() {
    services::NewSshKeyPair(box_.dir() + "/other", "alice@laptop");
    std::string old_public = services::NewSshKeyPair(OldKey(), "deploy@ci");
    std::string other = ReadFileOr(box_.dir() + "/other.pub");
    head_ = "# keys of the team\n" + other + "\n";
    tail_ = "restrict " + other;
    WriteFile(account_.authorized_keys(), head_ + old_public + "\n" + tail_);
    attributes_ = services::ModeAndOwner(account_.authorized_keys());
    WriteFile(HolderFile(), ReadFileOr(OldKey()));
    WriteFile(box_.dir() + "/admin", services::ReadFileNamedBy("REKEY_SSH_ADMIN_KEY_FILE"));
    WriteInventory();
  }

  std::string OldKey() const { return box_.dir() + "/old"; }
  std::string HolderFile() const { return box_.dir() + "/app/id_ed25519"; }

  void WriteInventory() const {
    std::string system = "  host: { type: ssh, port: " + account_.port() +
                         ", known_hosts: " + account_.known_hosts() +
                         (GetParam() ? ", local: true }\n"
                                     : ", host: " + account_.host() +
                                           ", admin_key: { file: " + box_.dir() + "/admin } }\n");
    std::string text = "version: 1\nsystems:\n" + system +
                       "  files: { type: file }\n"
                       "identities:\n  svc:\n    kind: ssh_key\n"
                       "    issuers: [{ system: host, user: " +
                       account_.user() + ", end_sessions: [pkill, -KILL, -u, " + account_.user() +
                       "] }]\n"
                       "    holders: [{ name: key-file, system: files, path: " +
                       HolderFile() + " }]\n";
    WriteFile(box_.inventory(), text);
  }

  ::testing::AssertionResult InitAndAdopt() const {
    Outcome init = box_.Rekey({"init"});
    Outcome adopt = box_.Rekey({"adopt", "-i", box_.inventory(), "svc"}, {}, ReadFileOr(OldKey()));
    if (init.exit_code != 0 || adopt.exit_code != 0) {
      return ::testing::AssertionFailure() << Describe(init) << Describe(adopt);
    }
    return ::testing::AssertionSuccess();
  }

  // The end state every successful run leaves: only the holder's new key accepted, and the file
  // as it was but for rekey's one line, which names the identity and the key's version.
  void ExpectOnlyTheNewKey() const {
    EXPECT_FALSE(services::SshAccepts(OldKey()));
    EXPECT_TRUE(services::SshAccepts(HolderFile()));
    std::string new_public = services::SshPublicLine(HolderFile());
    new_public = new_public.substr(0, new_public.find(' ', new_public.find(' ') + 1));
    std::string text = ReadFileOr(account_.authorized_keys());
    std::string fingerprint = Fingerprint(HolderFile());
    EXPECT_EQ(text, head_ + new_public + " rekey:svc version=" + fingerprint + "\n" + tail_);
    EXPECT_EQ(services::ModeAndOwner(account_.authorized_keys()), attributes_);
    EXPECT_TRUE(AuditVerifies(box_));
  }

  // "SHA256:..." of the key file PATH, from ssh-keygen -l.
  static std::string Fingerprint(const std::string& path) {
    Outcome o = RunProgram({"ssh-keygen", "-l", "-f", path});
    size_t start = o.out.find("SHA256:");
    return o.out.substr(start, o.out.find(' ', start) - start);
  }

  services::SshAccount account_;
  Sandbox box_;
  std::string head_, tail_, attributes_;
};

TEST_P(SshE2eTest, RotateEndsWithOnlyTheNewKeyAcceptedAndTheOldSessionEnded) {
  ASSERT_TRUE(InitAndAdopt());
  ASSERT_TRUE(services::SshAccepts(OldKey()));
  OldSession session(account_.user(), OldKey());

  Outcome run = box_.Run("rotate");
  ASSERT_EQ(run.exit_code, 0) << Describe(run);

  ExpectOnlyTheNewKey();
  EXPECT_TRUE(session.EndedEarly());
  EXPECT_NE(ReadFileOr(HolderFile()), ReadFileOr(OldKey()));
  EXPECT_EQ(ReadFileOr(HolderFile()).rfind("-----BEGIN OPENSSH PRIVATE KEY-----\n", 0), 0u);
}

TEST_P(SshE2eTest, ContainEndsWithOnlyTheNewKeyAcceptedAndTheOldSessionEnded) {
  ASSERT_TRUE(InitAndAdopt());
  OldSession session(account_.user(), OldKey());

  Outcome run = box_.Run("contain");
  ASSERT_EQ(run.exit_code, 0) << Describe(run);

  ExpectOnlyTheNewKey();
  EXPECT_TRUE(session.EndedEarly());
  nlohmann::json status = box_.Status();
  EXPECT_EQ(status.value("state", ""), "succeeded") << status.dump();
  EXPECT_TRUE(status.contains("contained_ms")) << status.dump();
}

// A second rotate starts from the key the first one installed: rekey's own line is replaced.
TEST_P(SshE2eTest, TwoRotationsInARowLeaveOneRekeyLine) {
  ASSERT_TRUE(InitAndAdopt());
  ASSERT_EQ(box_.Run("rotate").exit_code, 0);
  WriteFile(OldKey(), ReadFileOr(HolderFile()));
  Outcome again = box_.Run("rotate");
  ASSERT_EQ(again.exit_code, 0) << Describe(again);
  ExpectOnlyTheNewKey();
}

INSTANTIATE_TEST_SUITE_P(Modes, SshE2eTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "local" : "remote"; });

}  // namespace
}  // namespace rekey::it
