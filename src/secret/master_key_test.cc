// MasterKey: create, load, refusals and pinned subkeys, in MemEnv and on disk.
#include "secret/master_key.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <string>

#include "base/mem_env.h"
#include "secret/key_test_util.h"
#include "testing/temp_dir.h"

namespace rekey {
namespace {

std::string Hex(const SecretBytes& s) {
  std::string hex(2 * s.size() + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(s.Expose().data()),
                 s.size());
  hex.pop_back();
  return hex;
}

TEST(MasterKeyTest, CreateWritesThirtyTwoPrivateBytesThatLoadReads) {
  MemEnv env;
  Result<MasterKey> created = MasterKey::Create(&env, "/etc/rekey/master.key");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  Result<FileInfo> info = env.Stat("/etc/rekey/master.key");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->mode, 0600u);
  EXPECT_EQ(info->size, 32);
  Result<MasterKey> loaded = MasterKey::Load(&env, "/etc/rekey/master.key");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_TRUE(created->DeriveKey(1).Equals(loaded->DeriveKey(1)));
}

TEST(MasterKeyTest, CreateMakesADifferentKeyEachTime) {
  EXPECT_FALSE(NewMasterKey().DeriveKey(1).Equals(NewMasterKey().DeriveKey(1)));
}

TEST(MasterKeyTest, CreateRefusesToOverwrite) {
  MemEnv env;
  env.SetFile("/k", "existing", 0600);
  EXPECT_EQ(MasterKey::Create(&env, "/k").status().ToString(),
            "conflict: master key /k already exists; refusing to overwrite it");
  EXPECT_EQ(*env.ReadFile("/k"), "existing");
}

TEST(MasterKeyTest, LoadExplainsAMissingKey) {
  MemEnv env;
  EXPECT_EQ(MasterKey::Load(&env, "/etc/rekey/master.key").status().ToString(),
            "not_found: master key /etc/rekey/master.key does not exist; run `rekey init` to "
            "create it");
}

TEST(MasterKeyTest, LoadRefusesAKeyOthersCanRead) {
  MemEnv env;
  env.SetFile("/k", KnownMasterKeyBytes(), 0644);
  EXPECT_EQ(MasterKey::Load(&env, "/k").status().ToString(),
            "permission_denied: master key /k is readable by others (mode 0644); run chmod 600 /k");
  env.SetFile("/k", KnownMasterKeyBytes(), 0610);
  EXPECT_EQ(MasterKey::Load(&env, "/k").status().ToString(),
            "permission_denied: master key /k is readable by others (mode 0610); run chmod 600 /k");
  env.SetFile("/k", KnownMasterKeyBytes(), 0400);
  EXPECT_TRUE(MasterKey::Load(&env, "/k").ok());
}

TEST(MasterKeyTest, LoadRejectsTheWrongSize) {
  MemEnv env;
  env.SetFile("/k", std::string(31, 'k'), 0600);
  EXPECT_EQ(MasterKey::Load(&env, "/k").status().ToString(),
            "corruption: master key /k has 31 bytes; expected 32");
  env.SetFile("/k", std::string(33, 'k'), 0600);
  EXPECT_EQ(MasterKey::Load(&env, "/k").status().ToString(),
            "corruption: master key /k has 33 bytes; expected 32");
  env.SetFile("/k", "", 0600);
  EXPECT_EQ(MasterKey::Load(&env, "/k").status().ToString(),
            "corruption: master key /k has 0 bytes; expected 32");
}

TEST(MasterKeyTest, DerivedKeysMatchTheSpecification) {
  // BLAKE2b-256 keyed by the master key, salt = id (little-endian), personal = "rekey-v1", as
  // computed independently with Python's hashlib; pinned so that a change of context is caught.
  MasterKey key = MasterKeyFromBytes(KnownMasterKeyBytes());
  EXPECT_EQ(Hex(key.DeriveKey(MasterKey::kSealingKeyId)),
            "23d0cda26f13e7e5cc89867485d10adef023cdeaf617b0c2697a53c99eb10f75");
  EXPECT_EQ(Hex(key.DeriveKey(MasterKey::kFingerprintKeyId)),
            "205e88a4073e36d2869e7abce40410477e61b17a28c264c5405e5f9cb1a2bb9f");
}

TEST(MasterKeyTest, MoveKeepsTheKey) {
  MasterKey a = MasterKeyFromBytes(KnownMasterKeyBytes());
  MasterKey b(std::move(a));
  EXPECT_EQ(Hex(b.DeriveKey(1)),
            "23d0cda26f13e7e5cc89867485d10adef023cdeaf617b0c2697a53c99eb10f75");
}

TEST(MasterKeyTest, WorksOnTheRealFileSystem) {
  TempDir dir("secret");
  std::string path = dir.File("master.key");
  Result<MasterKey> created = MasterKey::Create(DefaultEnv(), path);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  Result<MasterKey> loaded = MasterKey::Load(DefaultEnv(), path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_TRUE(created->DeriveKey(2).Equals(loaded->DeriveKey(2)));
  EXPECT_EQ(MasterKey::Create(DefaultEnv(), path).status().code(), StatusCode::kConflict);
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  EXPECT_EQ(MasterKey::Load(DefaultEnv(), path).status().ToString(),
            "permission_denied: master key " + path + " is readable by others (mode 0644); run " +
                "chmod 600 " + path);
}

}  // namespace
}  // namespace rekey
