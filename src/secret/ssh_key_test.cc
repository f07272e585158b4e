// OpenSSH keys, checked against the real ssh-keygen in both directions, and damaged keys.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "base/env.h"
#include "secret/generator.h"
#include "secret/ssh_armor.h"
#include "testing/temp_dir.h"

namespace rekey {
namespace {

// Offsets into the binary form of a key written by GenerateSshPrivateKey: 15 magic bytes, the
// strings "none", "none" and "", the key count, the 51-byte public blob and the section length.
constexpr size_t kSectionStart = 15 + 8 + 8 + 4 + 4 + 4 + 51 + 4;
constexpr size_t kSeedStart = kSectionStart + 8 + 15 + 36 + 4;

void WritePrivateFile(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  ::close(fd);
}

// Runs ARGV with STDIN_DATA; returns its stdout, or fails the test.
std::string RunCommand(std::vector<std::string> argv, std::string_view stdin_data = "") {
  ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.stdin_data = stdin_data;
  Result<ProcessResult> r = DefaultEnv()->Run(spec);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  if (!r.ok()) {
    return "";
  }
  EXPECT_EQ(r->exit_code, 0) << r->stderr_data;
  return r->stdout_data;
}

std::string ReadAll(const std::string& path) {
  Result<std::string> data = DefaultEnv()->ReadFile(path);
  EXPECT_TRUE(data.ok()) << data.status().ToString();
  return data.ok() ? *data : "";
}

// What `ssh-keygen -y` prints for KEY.
std::string SshKeygenPublic(const SecretBytes& key) {
  TempDir dir("secret");
  WritePrivateFile(dir.File("id"), key.Expose());
  return RunCommand({"ssh-keygen", "-y", "-f", dir.File("id")});
}

// KEY with its binary form changed by EDIT, armored again.
template <typename Edit>
SecretBytes Edited(const SecretBytes& key, Edit edit) {
  Result<SecretBytes> blob = UnarmorSshKey(key.Expose());
  EXPECT_TRUE(blob.ok()) << blob.status().ToString();
  std::string bytes(blob->Expose());
  edit(bytes);
  return ArmorSshKey(bytes);
}

std::string ErrorOf(const SecretBytes& key) { return SshPublicKey(key).status().ToString(); }

TEST(GenerateSshPrivateKeyTest, SshKeygenAcceptsItAndAgreesOnThePublicKey) {
  Result<SecretBytes> key = GenerateSshPrivateKey("deploy@billing-svc");
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  Result<std::string> public_line = SshPublicKey(*key);
  ASSERT_TRUE(public_line.ok()) << public_line.status().ToString();
  EXPECT_EQ(public_line->substr(0, 12), "ssh-ed25519 ");
  EXPECT_EQ(public_line->substr(public_line->size() - 19), " deploy@billing-svc");
  EXPECT_EQ(SshKeygenPublic(*key), *public_line + "\n");
}

TEST(GenerateSshPrivateKeyTest, SshKeygenSignsWithIt) {
  // The signature verifies only if the private half matches the public key it carries.
  Result<SecretBytes> key = GenerateSshPrivateKey("c");
  ASSERT_TRUE(key.ok());
  TempDir dir("secret");
  WritePrivateFile(dir.File("id"), key->Expose());
  WritePrivateFile(dir.File("data"), "signed data\n");
  RunCommand(
      {"ssh-keygen", "-q", "-Y", "sign", "-f", dir.File("id"), "-n", "rekey", dir.File("data")});
  std::string out = RunCommand(
      {"ssh-keygen", "-Y", "check-novalidate", "-n", "rekey", "-s", dir.File("data.sig")},
      "signed data\n");
  EXPECT_TRUE(out.starts_with("Good \"rekey\" signature with ED25519 key SHA256:")) << out;
}

TEST(GenerateSshPrivateKeyTest, EmptyCommentGivesABareKey) {
  Result<SecretBytes> key = GenerateSshPrivateKey("");
  ASSERT_TRUE(key.ok());
  Result<std::string> public_line = SshPublicKey(*key);
  ASSERT_TRUE(public_line.ok()) << public_line.status().ToString();
  EXPECT_EQ(public_line->find(' ', 12), std::string::npos);
  EXPECT_EQ(SshKeygenPublic(*key), *public_line + "\n");
}

TEST(GenerateSshPrivateKeyTest, UsesOpenSshArmor) {
  Result<SecretBytes> key = GenerateSshPrivateKey("c");
  ASSERT_TRUE(key.ok());
  std::string_view text = key->Expose();
  EXPECT_EQ(text.substr(0, 36), "-----BEGIN OPENSSH PRIVATE KEY-----\n");
  EXPECT_EQ(text.substr(text.size() - 34), "-----END OPENSSH PRIVATE KEY-----\n");
  for (size_t pos = 0, end; (end = text.find('\n', pos)) != std::string_view::npos; pos = end + 1) {
    EXPECT_LE(end - pos, 70u);
  }
}

TEST(GenerateSshPrivateKeyTest, KeysDiffer) {
  Result<SecretBytes> a = GenerateSshPrivateKey("c");
  Result<SecretBytes> b = GenerateSshPrivateKey("c");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*SshPublicKey(*a), *SshPublicKey(*b));
}

TEST(GenerateSshPrivateKeyTest, RejectsAMultiLineComment) {
  EXPECT_EQ(GenerateSshPrivateKey("a\nb").status().ToString(),
            "invalid_argument: SSH key comment must not contain a line break");
}

TEST(SshPublicKeyTest, ReadsAKeyMadeBySshKeygen) {
  TempDir dir("secret");
  RunCommand(
      {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ops@example", "-f", dir.File("id")});
  std::string private_text = ReadAll(dir.File("id"));
  Result<std::string> public_line = SshPublicKey(SecretBytes::Take(private_text));
  ASSERT_TRUE(public_line.ok()) << public_line.status().ToString();
  EXPECT_EQ(*public_line + "\n", ReadAll(dir.File("id.pub")));
}

TEST(SshPublicKeyTest, RejectsEncryptedAndOtherKeyTypes) {
  TempDir dir("secret");
  RunCommand(
      {"ssh-keygen", "-q", "-t", "ed25519", "-a", "1", "-N", "pass phrase", "-f", dir.File("enc")});
  RunCommand({"ssh-keygen", "-q", "-t", "ecdsa", "-N", "", "-f", dir.File("ecdsa")});
  std::string encrypted = ReadAll(dir.File("enc"));
  std::string ecdsa = ReadAll(dir.File("ecdsa"));
  EXPECT_EQ(ErrorOf(SecretBytes::Take(encrypted)),
            "invalid_argument: OpenSSH private key is encrypted (cipher aes256-ctr); rekey reads "
            "only unencrypted keys");
  EXPECT_EQ(ErrorOf(SecretBytes::Take(ecdsa)),
            "invalid_argument: OpenSSH private key is of type ecdsa-sha2-nistp256; rekey handles "
            "only ssh-ed25519 keys");
}

TEST(SshPublicKeyTest, RejectsWhatIsNotAnOpenSshKey) {
  EXPECT_EQ(ErrorOf(SecretBytes("hunter2")),
            "invalid_argument: not an OpenSSH private key: no BEGIN/END OPENSSH PRIVATE KEY lines");
  EXPECT_EQ(ErrorOf(SecretBytes("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn*zaC1r\n"
                                "-----END OPENSSH PRIVATE KEY-----\n")),
            "corruption: OpenSSH private key is not valid base64");
  EXPECT_EQ(ErrorOf(ArmorSshKey("openssh-key-v2")),
            "invalid_argument: not an OpenSSH private key: bad magic");
}

TEST(SshPublicKeyTest, DetectsDamage) {
  Result<SecretBytes> key = GenerateSshPrivateKey("rekey@test");  // 3 bytes of padding
  ASSERT_TRUE(key.ok());
  auto flip = [](size_t pos) { return [pos](std::string& b) { b[pos] ^= 1; }; };
  EXPECT_EQ(ErrorOf(Edited(*key, [](std::string& b) { b.resize(b.size() - 1); })),
            "corruption: OpenSSH private key is truncated");
  EXPECT_EQ(ErrorOf(Edited(*key, [](std::string& b) { b += '\0'; })),
            "corruption: OpenSSH private key has trailing bytes");
  EXPECT_EQ(ErrorOf(Edited(*key, flip(kSectionStart))),
            "corruption: OpenSSH private key fails its check: the check integers differ");
  EXPECT_EQ(ErrorOf(Edited(*key, flip(kSeedStart))),
            "corruption: OpenSSH private key does not match its public key");
  EXPECT_EQ(ErrorOf(Edited(*key, [](std::string& b) { b.back() ^= 1; })),
            "corruption: OpenSSH private key has invalid padding");
}

}  // namespace
}  // namespace rekey
