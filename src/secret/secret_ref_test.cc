// ResolveSecretRef: both sources, their errors and the file-mode rule.
#include "secret/secret_ref.h"

#include <gtest/gtest.h>

#include <string>

#include "base/mem_env.h"
#include "testing/temp_dir.h"

namespace rekey {
namespace {

SecretRef Env(std::string name) { return {SecretRef::Source::kEnv, std::move(name)}; }
SecretRef File(std::string path) { return {SecretRef::Source::kFile, std::move(path)}; }

std::string ValueOf(rekey::Env* env, const SecretRef& ref) {
  Result<SecretBytes> v = ResolveSecretRef(env, ref);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? std::string(v->Expose()) : "";
}

std::string ErrorOf(rekey::Env* env, const SecretRef& ref) {
  return ResolveSecretRef(env, ref).status().ToString();
}

TEST(ResolveSecretRefTest, ReadsAnEnvironmentVariable) {
  MemEnv env;
  env.SetVar("PG_ADMIN_PASSWORD", "hunter2\n");
  EXPECT_EQ(ValueOf(&env, Env("PG_ADMIN_PASSWORD")), "hunter2\n");
}

TEST(ResolveSecretRefTest, NamesAMissingOrEmptyVariable) {
  MemEnv env;
  EXPECT_EQ(ErrorOf(&env, Env("PG_ADMIN_PASSWORD")),
            "not_found: admin secret env:PG_ADMIN_PASSWORD is not set");
  env.SetVar("PG_ADMIN_PASSWORD", "");
  EXPECT_EQ(ErrorOf(&env, Env("PG_ADMIN_PASSWORD")),
            "invalid_argument: admin secret env:PG_ADMIN_PASSWORD is empty");
}

TEST(ResolveSecretRefTest, ReadsAFileWithoutOneTrailingNewline) {
  MemEnv env;
  env.SetFile("/a", "hunter2\n", 0600);
  env.SetFile("/b", "hunter2\n\n", 0640);
  env.SetFile("/c", "hunter2", 0400);
  env.SetFile("/d", "hunter2\r\n", 0600);
  EXPECT_EQ(ValueOf(&env, File("/a")), "hunter2");
  EXPECT_EQ(ValueOf(&env, File("/b")), "hunter2\n");
  EXPECT_EQ(ValueOf(&env, File("/c")), "hunter2");
  EXPECT_EQ(ValueOf(&env, File("/d")), "hunter2\r");
}

TEST(ResolveSecretRefTest, NamesAMissingOrEmptyFile) {
  MemEnv env;
  EXPECT_EQ(ErrorOf(&env, File("/etc/rekey/pg-admin")),
            "not_found: admin secret file:/etc/rekey/pg-admin does not exist");
  env.SetFile("/etc/rekey/pg-admin", "\n", 0600);
  EXPECT_EQ(ErrorOf(&env, File("/etc/rekey/pg-admin")),
            "invalid_argument: admin secret file:/etc/rekey/pg-admin is empty");
}

TEST(ResolveSecretRefTest, RefusesAFileOpenToAllUsers) {
  MemEnv env;
  for (mode_t mode : {0644, 0601, 0602}) {
    env.SetFile("/etc/rekey/pg-admin", "hunter2", mode);
    char expected[200];
    std::snprintf(expected, sizeof expected,
                  "permission_denied: admin secret file:/etc/rekey/pg-admin is open to all users "
                  "(mode %04o); run chmod o-rwx /etc/rekey/pg-admin",
                  static_cast<unsigned>(mode));
    EXPECT_EQ(ErrorOf(&env, File("/etc/rekey/pg-admin")), expected);
  }
}

TEST(ResolveSecretRefTest, ReadsTheRealFileSystem) {
  TempDir dir("secret");
  std::string path = dir.File("token");
  ASSERT_TRUE(DefaultEnv()->WriteFileAtomic(path, "t0ken\n", FileInfo{0600, 0, 0, 0}).ok());
  EXPECT_EQ(ValueOf(DefaultEnv(), File(path)), "t0ken");
  EXPECT_EQ(ErrorOf(DefaultEnv(), File(dir.File("missing"))),
            "not_found: admin secret file:" + dir.File("missing") + " does not exist");
}

}  // namespace
}  // namespace rekey
