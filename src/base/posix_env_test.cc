#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>

#include "base/env.h"
#include "testing/temp_dir.h"

namespace rekey {
namespace {

TEST(PosixEnvTest, WriteFileAtomicReplacesContentAndSetsMode) {
  TempDir dir("env");
  std::string path = dir.File("app.env");
  Env* env = DefaultEnv();
  ASSERT_TRUE(env->WriteFileAtomic(path, "A=1\n", FileInfo{0640, 0, 0, 0}).ok());
  ASSERT_TRUE(env->WriteFileAtomic(path, "A=2\n", FileInfo{0600, 0, 0, 0}).ok());
  auto data = env->ReadFile(path);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data, "A=2\n");
  auto info = env->Stat(path);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->mode, 0600u);
  EXPECT_EQ(env->ReadFile(dir.File("missing")).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace rekey
