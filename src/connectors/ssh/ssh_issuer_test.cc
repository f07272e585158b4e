// Against the real sshd that scripts/test-services starts (testing/services.h), with its test
// account held by one test at a time (testing/ssh_account.h). What sshd accepts is checked with
// the OpenSSH `ssh` client, which shares no code with the issuer (libssh). Every test runs twice:
// editing authorized_keys on this machine (`local: true`) and over SSH as the admin.
#include "connectors/ssh/ssh_issuer.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "connectors/ssh/authorized_keys.h"
#include "inventory/loader.h"
#include "secret/generator.h"
#include "testing/services.h"
#include "testing/ssh_account.h"
#include "testing/temp_dir.h"

namespace rekey::ssh {
namespace {

namespace services = testing_services;
using Clock = std::chrono::steady_clock;

Deadline Soon() { return Clock::now() + std::chrono::seconds(10); }

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void Spit(const std::string& path, std::string_view data, mode_t mode = 0600) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
  ::chmod(path.c_str(), mode);
}

// The inode of PATH: an atomic replacement (rename) gives the file a new one.
ino_t Inode(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

// The names in DIR other than "." and "..".
std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

SecretBytes NewValue() { return std::move(*GenerateSshPrivateKey("rekey:svc")); }

// "ssh-ed25519 AAAA..." of VALUE, without its comment.
std::string PublicOf(const SecretBytes& value) {
  std::string line = *SshPublicKey(value);
  return line.substr(0, line.find(' ', line.find(' ') + 1));
}

class SshIssuerTest : public ::testing::TestWithParam<bool> {
 protected:
  bool local() const { return GetParam(); }

  SshIssuerTest() {
    Spit(dir_.File("old"), old_.Expose());
    Spit(dir_.File("new"), new_.Expose());
    Spit(dir_.File("admin"), services::ReadFileNamedBy("REKEY_SSH_ADMIN_KEY_FILE"));
  }

  // The system's options for this mode; EXTRA (", key: value...") is appended.
  std::string SystemOptions(const std::string& extra = "") const {
    std::string common =
        "port: " + account_.port() + (known_hosts_.empty() ? "" : ", known_hosts: " + known_hosts_);
    if (local()) {
      return "{ type: ssh, local: true, " + common + extra + " }";
    }
    return "{ type: ssh, host: " + account_.host() + ", " + common +
           ", admin_user: " + services::Get("REKEY_SSH_ADMIN_USER") +
           ", admin_key: { file: " + dir_.File("admin") + " }" + extra + " }";
  }

  std::unique_ptr<Issuer> Make(const std::string& system_extra = "",
                               const std::string& binding_extra = "",
                               const std::string& identity = "svc") {
    std::string text = "version: 1\nsystems:\n  host: " + SystemOptions(system_extra) +
                       "\nidentities:\n  " + identity + ":\n    kind: ssh_key\n" +
                       "    issuers: [{ system: host, user: " + account_.user() + binding_extra +
                       " }]\n";
    Diagnostics d("inv.yaml");
    auto inv = ParseInventory(text, "inv.yaml", &d);
    EXPECT_EQ(d.Format(), "");
    if (!inv.ok()) {
      return nullptr;
    }
    inventories_.push_back(std::make_unique<Inventory>(std::move(*inv)));
    const Inventory& inventory = *inventories_.back();
    const Identity& id = inventory.identities[0];
    ConnectorContext context{DefaultEnv(), inventory.FindSystem("host"), &id, &id.issuers[0],
                             resources_.back().get()};
    auto issuer = MakeSshIssuer(context);
    EXPECT_TRUE(issuer.ok()) << issuer.status().ToString();
    return issuer.ok() ? std::move(*issuer) : nullptr;
  }

  // Writes the account's authorized_keys: foreign lines around the old key's line.
  void SeedWithForeignLines() {
    std::string other = services::NewSshKeyPair(dir_.File("other"), "alice@laptop");
    foreign_head_ = "# keys of the team\n" + other + "\n\n";
    foreign_tail_ = "command=\"/bin/true\" " + other + "  second line\n";
    Spit(account_.authorized_keys(),
         foreign_head_ + PublicOf(old_) + " the-old-key\n" + foreign_tail_);
  }

  services::SshAccount account_;
  TempDir dir_{"ssh"};
  SecretBytes old_ = NewValue(), new_ = NewValue();
  std::string foreign_head_, foreign_tail_;
  std::string known_hosts_ = account_.known_hosts();
  // A new set, so that the next Make builds its system afresh (the old stay for older issuers).
  void NewResources() { resources_.push_back(std::make_unique<SystemResources>()); }

  std::vector<std::unique_ptr<SystemResources>> resources_ = [] {
    std::vector<std::unique_ptr<SystemResources>> v;
    v.push_back(std::make_unique<SystemResources>());
    return v;
  }();
  std::vector<std::unique_ptr<Inventory>> inventories_;
};

TEST_P(SshIssuerTest, InstallAddsBesideTheOldKeyAndRemoveTakesItAwayLeavingOtherLinesAlone) {
  SeedWithForeignLines();
  std::string attributes = services::ModeAndOwner(account_.authorized_keys());
  ino_t inode = Inode(account_.authorized_keys());
  ASSERT_TRUE(services::SshAccepts(dir_.File("old")));
  ASSERT_FALSE(services::SshAccepts(dir_.File("new")));
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);

  Status installed = issuer->Install(new_, &old_, Soon());
  ASSERT_TRUE(installed.ok()) << installed.ToString();
  // Replaced by a rename, not rewritten in place, and no temporary file left beside it.
  EXPECT_NE(Inode(account_.authorized_keys()), inode);
  std::string ssh_dir = account_.authorized_keys().substr(0, account_.authorized_keys().rfind('/'));
  EXPECT_EQ(Names(ssh_dir), std::vector<std::string>{"authorized_keys"});
  EXPECT_TRUE(services::SshAccepts(dir_.File("old")));  // overlap: both are accepted
  EXPECT_TRUE(services::SshAccepts(dir_.File("new")));
  EXPECT_EQ(Slurp(account_.authorized_keys()),
            foreign_head_ + PublicOf(old_) + " the-old-key\n" + PublicOf(new_) +
                " rekey:svc version=" + PublicKeyOf(new_)->Fingerprint() + "\n" + foreign_tail_);
  EXPECT_EQ(services::ModeAndOwner(account_.authorized_keys()), attributes);
  EXPECT_EQ(issuer->Accepts(old_, Soon()).value_or(false), true);
  EXPECT_EQ(issuer->Accepts(new_, Soon()).value_or(false), true);

  Status removed = issuer->Remove(old_, &new_, Soon());
  ASSERT_TRUE(removed.ok()) << removed.ToString();
  EXPECT_FALSE(services::SshAccepts(dir_.File("old")));
  EXPECT_TRUE(services::SshAccepts(dir_.File("new")));
  EXPECT_EQ(Slurp(account_.authorized_keys()), foreign_head_ + PublicOf(new_) + " " +
                                                   RekeyComment("svc", *PublicKeyOf(new_)) + "\n" +
                                                   foreign_tail_);
  EXPECT_EQ(services::ModeAndOwner(account_.authorized_keys()), attributes);
  EXPECT_EQ(issuer->Accepts(old_, Soon()).value_or(true), false);
  EXPECT_EQ(issuer->Accepts(new_, Soon()).value_or(false), true);
}

TEST_P(SshIssuerTest, InstallAndRemoveAreIdempotent) {
  SeedWithForeignLines();
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  for (int i = 0; i < 2; ++i) {
    Status s = issuer->Install(new_, &old_, Soon());
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  std::string after_install = Slurp(account_.authorized_keys());
  for (int i = 0; i < 2; ++i) {
    Status s = issuer->Remove(old_, &new_, Soon());
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  std::string text = Slurp(account_.authorized_keys());
  EXPECT_EQ(text.find(PublicOf(old_)), std::string::npos) << text;
  EXPECT_EQ(text.find(PublicOf(new_)), text.rfind(PublicOf(new_))) << "added once: " << text;
  EXPECT_TRUE(services::SshAccepts(dir_.File("new")));
  EXPECT_FALSE(services::SshAccepts(dir_.File("old")));
}

// Contain removes first and installs later: a restricted key stays restricted.
TEST_P(SshIssuerTest, TheNewKeyGetsTheOldKeysOptionsAlsoWhenTheOldWasRemovedFirst) {
  Spit(account_.authorized_keys(), "restrict,command=\"echo restricted\" " + PublicOf(old_) + "\n");
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  ASSERT_TRUE(issuer->Remove(old_, &new_, Soon()).ok());
  EXPECT_FALSE(services::SshAccepts(dir_.File("old")));
  ASSERT_TRUE(issuer->Install(new_, &old_, Soon()).ok());
  services::SshOutcome o = services::SshAs(account_.user(), dir_.File("new"), "echo free");
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "restricted\n");  // the forced command ran, not ours
  EXPECT_EQ(Slurp(account_.authorized_keys()), "restrict,command=\"echo restricted\" " +
                                                   PublicOf(new_) + " " +
                                                   RekeyComment("svc", *PublicKeyOf(new_)) + "\n");
}

TEST_P(SshIssuerTest, EndSessionsEndsASessionOpenedWithTheOldKey) {
  Spit(account_.authorized_keys(), PublicOf(old_) + "\n");
  auto issuer = Make("", ", end_sessions: [pkill, -KILL, -u, " + account_.user() + "]");
  ASSERT_NE(issuer, nullptr);
  double seconds = 0;
  services::SshOutcome session;
  std::thread old_session([&] {
    auto start = Clock::now();
    session = services::SshAs(account_.user(), dir_.File("old"), "echo up; sleep 20");
    seconds = std::chrono::duration<double>(Clock::now() - start).count();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // logged in by then
  ASSERT_TRUE(issuer->Remove(old_, &new_, Soon()).ok());
  EXPECT_FALSE(services::SshAccepts(dir_.File("old")));
  Status ended = issuer->EndSessions(old_, Soon());
  EXPECT_TRUE(ended.ok()) << ended.ToString();
  old_session.join();
  EXPECT_EQ(session.out, "up\n");
  EXPECT_LT(seconds, 15) << "the session outlived end_sessions";
}

TEST_P(SshIssuerTest, EndSessionsWithNoSessionToEndIsDone) {
  auto issuer = Make("", ", end_sessions: [pkill, -KILL, -u, " + account_.user() + "]");
  ASSERT_NE(issuer, nullptr);
  Status ended = issuer->EndSessions(old_, Soon());  // pkill exits 1: no process matched
  EXPECT_TRUE(ended.ok()) << ended.ToString();
}

TEST_P(SshIssuerTest, AnEndSessionsCommandThatFailsIsAPermanentErrorWithItsStderr) {
  auto issuer = Make("", ", end_sessions: [sh, -c, \"echo no such thing >&2; exit 4\"]");
  ASSERT_NE(issuer, nullptr);
  Status s = issuer->EndSessions(old_, Soon());
  EXPECT_EQ(s.code(), StatusCode::kInternal) << s.ToString();
  EXPECT_NE(s.message().find("exited 4: no such thing"), std::string::npos) << s.ToString();
}

TEST_P(SshIssuerTest, AMissingFileIsCreated0600OwnedByTheDirectorysOwner) {
  std::string dir_attributes = services::ModeAndOwner(account_.authorized_keys());
  ASSERT_EQ(::unlink(account_.authorized_keys().c_str()), 0);
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  Status s = issuer->Install(new_, &old_, Soon());
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(services::ModeAndOwner(account_.authorized_keys()), dir_attributes);
  EXPECT_TRUE(services::SshAccepts(dir_.File("new")));
}

TEST_P(SshIssuerTest, ConcurrentEditsOfOneFileAreNotLost) {
  constexpr int kIdentities = 6;
  std::vector<std::unique_ptr<Issuer>> issuers;
  std::vector<SecretBytes> values;
  for (int i = 0; i < kIdentities; ++i) {
    issuers.push_back(Make("", "", "id" + std::to_string(i)));
    ASSERT_NE(issuers.back(), nullptr);
    values.push_back(NewValue());
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < kIdentities; ++i) {
    threads.emplace_back([&, i] {
      Status s = issuers[i]->Install(values[i], nullptr, Soon());
      EXPECT_TRUE(s.ok()) << s.ToString();
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  std::string text = Slurp(account_.authorized_keys());
  for (int i = 0; i < kIdentities; ++i) {
    EXPECT_NE(text.find(PublicOf(values[i]) + " rekey:id" + std::to_string(i) + " "),
              std::string::npos)
        << i << ":\n"
        << text;
  }
}

TEST_P(SshIssuerTest, AServerThatCannotBeReachedIsUnavailableNeverARejection) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);  // a port nothing listens on: bound, never listened
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof addr;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), size), 0);
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size), 0);
  std::string text = "version: 1\nsystems:\n  gone: { type: ssh, local: true, port: " +
                     std::to_string(ntohs(addr.sin_port)) +
                     " }\nidentities:\n  svc:\n    kind: ssh_key\n"
                     "    issuers: [{ system: gone, user: nobody }]\n";
  Diagnostics d("inv.yaml");
  auto inv = ParseInventory(text, "inv.yaml", &d);
  ASSERT_TRUE(inv.ok()) << d.Format();
  const Identity& id = inv->identities[0];
  ConnectorContext context{DefaultEnv(), inv->FindSystem("gone"), &id, &id.issuers[0],
                           resources_.back().get()};
  auto gone = MakeSshIssuer(context);
  ASSERT_TRUE(gone.ok());
  Result<bool> accepted = (*gone)->Accepts(old_, Soon());
  EXPECT_EQ(accepted.status().code(), StatusCode::kUnavailable) << accepted.status().ToString();
  EXPECT_NE(accepted.status().message().find("ssh system \"gone\""), std::string::npos)
      << accepted.status().ToString();
  ::close(fd);
}

// libssh verifies the server: a host key that known_hosts lacks is refused before any key is
// offered, and a host_key fingerprint can stand in for a known_hosts file.
TEST_P(SshIssuerTest, AnUnknownHostKeyIsRefusedAndAFingerprintCanStandForKnownHosts) {
  Spit(account_.authorized_keys(), PublicOf(old_) + "\n");
  known_hosts_ = dir_.File("empty_known_hosts");
  Spit(known_hosts_, "");
  auto unknown = Make();
  ASSERT_NE(unknown, nullptr);
  Result<bool> accepted = unknown->Accepts(old_, Soon());
  EXPECT_EQ(accepted.status().code(), StatusCode::kPermissionDenied)
      << accepted.status().ToString();
  EXPECT_NE(accepted.status().message().find("is not in " + known_hosts_), std::string::npos)
      << accepted.status().ToString();
  if (!local()) {
    EXPECT_EQ(unknown->Install(new_, &old_, Soon()).code(), StatusCode::kPermissionDenied);
  }

  std::string host_line = services::SshPublicLine(services::Dir() + "/sshd/host_ed25519_key");
  size_t space = host_line.find(' ');
  PublicKey host{host_line.substr(0, space),
                 host_line.substr(space + 1, host_line.find(' ', space + 1) - space - 1)};
  known_hosts_.clear();
  NewResources();
  auto pinned = Make(", host_key: \"" + host.Fingerprint() + "\"");
  ASSERT_NE(pinned, nullptr);
  EXPECT_EQ(pinned->Accepts(old_, Soon()).value_or(false), true);
  EXPECT_TRUE(pinned->Install(new_, &old_, Soon()).ok());

  NewResources();
  auto wrong = Make(", host_key: \"SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"");
  ASSERT_NE(wrong, nullptr);
  Result<bool> refused = wrong->Accepts(old_, Soon());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("is not the configured host_key"), std::string::npos)
      << refused.status().ToString();
}

TEST_P(SshIssuerTest, AWrongAdminKeyIsPermanentAndNamesTheSystem) {
  if (local()) {
    Spit(dir_.File("admin"), "");
    std::string text =
        "version: 1\nsystems:\n  host: { type: ssh, local: true, admin_key: { file: " +
        dir_.File("admin") + " } }\nidentities:\n  svc:\n    kind: ssh_key\n" +
        "    issuers: [{ system: host, user: " + account_.user() + " }]\n";
    Diagnostics d("inv.yaml");
    auto inv = ParseInventory(text, "inv.yaml", &d);
    ASSERT_TRUE(inv.ok()) << d.Format();
    const Identity& id = inv->identities[0];
    ConnectorContext context{DefaultEnv(), inv->FindSystem("host"), &id, &id.issuers[0],
                             resources_.back().get()};
    auto issuer = MakeSshIssuer(context);
    EXPECT_EQ(issuer.status().ToString(),
              "invalid_argument: ssh system \"host\": `local: true` edits files on this machine; "
              "`admin_user` and `admin_key` do not apply");
    return;
  }
  services::NewSshKeyPair(dir_.File("not-admin"));
  Spit(dir_.File("admin"), Slurp(dir_.File("not-admin")));
  auto issuer = Make();
  ASSERT_NE(issuer, nullptr);
  Status s = issuer->Install(new_, &old_, Soon());
  EXPECT_EQ(s.code(), StatusCode::kPermissionDenied) << s.ToString();
  EXPECT_EQ(s.message().rfind("ssh system \"host\"", 0), 0u) << s.ToString();
  EXPECT_NE(s.message().find("admin login as \"root\" on 127.0.0.1:"), std::string::npos)
      << s.ToString();
}

INSTANTIATE_TEST_SUITE_P(Modes, SshIssuerTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "local" : "remote"; });

}  // namespace
}  // namespace rekey::ssh
