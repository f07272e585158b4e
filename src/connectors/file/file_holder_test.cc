#include "connectors/file/file_holder.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "base/mem_env.h"
#include "testing/temp_dir.h"

namespace rekey::file {
namespace {

class FileHolderTest : public ::testing::Test {
 protected:
  FileHolderTest() { binding_.name = "app-config"; }
  std::string Path(const std::string& name) const { return dir_.File(name); }

  // Creates NAME with TEXT, mode 0640 and an owner that is not ours.
  std::string Put(const std::string& name, const std::string& text) {
    std::string path = Path(name);
    std::ofstream(path) << text;
    ::chmod(path.c_str(), 0640);
    EXPECT_EQ(::chown(path.c_str(), 1234, 5678), 0);
    return path;
  }

  std::string Text(const std::string& name) const {
    std::ifstream in(Path(name));
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  Result<std::unique_ptr<Holder>> Make(const std::string& path, const std::string& format,
                                       const std::string& key = "") {
    binding_.options = {};
    binding_.options.Set("path", path);
    if (!format.empty()) {
      binding_.options.Set("format", format);
    }
    if (!key.empty()) {
      binding_.options.Set("key", key);
    }
    return MakeFileHolder(
        {.env = DefaultEnv(), .system = &system_, .identity = nullptr, .binding = &binding_});
  }

  // Writes VALUE through a new holder; returns the status.
  Status Write(const std::string& path, const std::string& format, const std::string& key,
               std::string_view value) {
    auto holder = Make(path, format, key);
    if (!holder.ok()) {
      return holder.status();
    }
    return (*holder)->Write(SecretBytes(value), Soon());
  }

  // The value read back, or the error as "code: message".
  std::string ReadBack(const std::string& path, const std::string& format, const std::string& key) {
    auto holder = Make(path, format, key);
    if (!holder.ok()) {
      return holder.status().ToString();
    }
    Result<SecretBytes> value = (*holder)->Read(Soon());
    return value.ok() ? std::string(value->Expose()) : value.status().ToString();
  }

  void ExpectAttributesKept(const std::string& name) const {
    struct stat st;
    ASSERT_EQ(::stat(Path(name).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
    EXPECT_EQ(st.st_uid, 1234u);
    EXPECT_EQ(st.st_gid, 5678u);
  }

  static Deadline Soon() { return std::chrono::steady_clock::now() + std::chrono::seconds(5); }

  TempDir dir_{"file"};
  System system_;
  Binding binding_;
};

TEST_F(FileHolderTest, DotenvWriteChangesOnlyTheValue) {
  std::string path = Put("app.env",
                         "# billing\n"
                         "export DB_HOST=db.internal\n"
                         "DB_PASSWORD=old-secret   # rotated by rekey\n"
                         "DB_USER=\"billing\"\n");
  ASSERT_TRUE(Write(path, "dotenv", "DB_PASSWORD", "n3w-Secret").ok());
  EXPECT_EQ(Text("app.env"),
            "# billing\n"
            "export DB_HOST=db.internal\n"
            "DB_PASSWORD=n3w-Secret   # rotated by rekey\n"
            "DB_USER=\"billing\"\n");
  ExpectAttributesKept("app.env");
  EXPECT_EQ(ReadBack(path, "dotenv", "DB_PASSWORD"), "n3w-Secret");
}

TEST_F(FileHolderTest, DotenvKeepsQuotingAndRoundTripsAwkwardValues) {
  std::string path = Put("app.env", "export A=\"old value\"\nB='old'\n");
  ASSERT_TRUE(Write(path, "dotenv", "A", "new value").ok());
  ASSERT_TRUE(Write(path, "dotenv", "B", "it's \"$HOME\"\n").ok());
  EXPECT_EQ(Text("app.env"), "export A=\"new value\"\nB=\"it's \\\"\\$HOME\\\"\\n\"\n");
  EXPECT_EQ(ReadBack(path, "dotenv", "A"), "new value");
  EXPECT_EQ(ReadBack(path, "dotenv", "B"), "it's \"$HOME\"\n");
  ExpectAttributesKept("app.env");
}

TEST_F(FileHolderTest, DotenvAppendsAMissingKeyAndCreatesAMissingFile) {
  std::string path = Put("app.env", "A=1");
  ASSERT_TRUE(Write(path, "dotenv", "DB_PASSWORD", "pw").ok());
  EXPECT_EQ(Text("app.env"), "A=1\nDB_PASSWORD=pw\n");
  ExpectAttributesKept("app.env");

  ASSERT_TRUE(Write(Path("new.env"), "dotenv", "DB_PASSWORD", "pw 2").ok());
  EXPECT_EQ(Text("new.env"), "DB_PASSWORD='pw 2'\n");
  struct stat st;
  ASSERT_EQ(::stat(Path("new.env").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_uid, ::geteuid());
}

// Several bindings holding their values in one file (an app's .env with the passwords of two
// identities, or two keys of one) are written at once by a run's parallel steps or by runs in
// parallel: none may undo another's write. Each thread's binding has a key of its own, writes it
// ten times, and its last value must be what the file holds at the end.
TEST_F(FileHolderTest, ConcurrentWritesOfKeysOfOneFileLoseNothing) {
  std::string path = Put("shared.env", "# several credentials\n");
  constexpr int kThreads = 6, kWrites = 10;
  std::vector<std::unique_ptr<Holder>> holders;
  for (int t = 0; t < kThreads; ++t) {
    auto holder = Make(path, "dotenv", "KEY_" + std::to_string(t));
    ASSERT_TRUE(holder.ok()) << holder.status().ToString();
    holders.push_back(std::move(*holder));
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        Status s = holders[t]->Write(
            SecretBytes("value-" + std::to_string(t) + "-" + std::to_string(i)), Soon());
        EXPECT_TRUE(s.ok()) << s.ToString();
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  for (int t = 0; t < kThreads; ++t) {
    Result<SecretBytes> held = holders[t]->Read(Soon());
    ASSERT_TRUE(held.ok()) << held.status().ToString();
    EXPECT_EQ(held->Expose(), "value-" + std::to_string(t) + "-" + std::to_string(kWrites - 1))
        << Text("shared.env");
  }
  ExpectAttributesKept("shared.env");
}

TEST_F(FileHolderTest, ReadReportsAMissingFileOrKey) {
  std::string path = Put("app.env", "A=1\n");
  EXPECT_EQ(ReadBack(path, "dotenv", "DB_PASSWORD"),
            "not_found: " + path + ": no variable DB_PASSWORD");
  EXPECT_EQ(ReadBack(Path("none.env"), "dotenv", "A"),
            "not_found: " + Path("none.env") + " does not exist");
  EXPECT_EQ(ReadBack(Path("none"), "", ""), "not_found: " + Path("none") + " does not exist");
}

TEST_F(FileHolderTest, JsonWriteChangesOnlyTheStringToken) {
  std::string before =
      "{\n"
      "  \"name\": \"billing\",\n"
      "  \"db\": { \"host\": \"db\", \"password\" :  \"old\\\"pw\", \"n\": [1, 2] },\n"
      "  \"password\": \"top level\"\n"
      "}\n";
  std::string path = Put("app.json", before);
  ASSERT_TRUE(Write(path, "json", "db.password", "n\"ew\\pw\u00e9").ok());
  std::string after = before;
  after.replace(after.find("\"old\\\"pw\""), 9, "\"n\\\"ew\\\\pw\u00e9\"");
  EXPECT_EQ(Text("app.json"), after);
  ExpectAttributesKept("app.json");
  EXPECT_EQ(ReadBack(path, "json", "db.password"), "n\"ew\\pw\u00e9");
  EXPECT_EQ(ReadBack(path, "json", "password"), "top level");
}

TEST_F(FileHolderTest, JsonNeverAddsKeysOrFiles) {
  std::string path = Put("app.json", "{\"db\": {}}\n");
  EXPECT_EQ(Write(path, "json", "db.password", "x").ToString(),
            "not_found: " + path +
                ": no key db.password; add it with a placeholder string (\"\") and run again: "
                "rekey does not restructure JSON files");
  EXPECT_EQ(Text("app.json"), "{\"db\": {}}\n");
  EXPECT_EQ(Write(Path("none.json"), "json", "db.password", "x").ToString(),
            "not_found: " + Path("none.json") +
                " does not exist; create it with a placeholder at key db.password: rekey does "
                "not create json files");
  EXPECT_FALSE(std::filesystem::exists(Path("none.json")));
}

TEST_F(FileHolderTest, YamlWriteChangesOnlyTheScalar) {
  std::string path = Put("app.yaml",
                         "# app\n"
                         "db:\n"
                         "  host: db.internal  # primary\n"
                         "  password: old-secret # rotated\n"
                         "  user: 'billing'\n"
                         "cache: {password: \"c1\", ttl: 5}\n");
  ASSERT_TRUE(Write(path, "yaml", "db.password", "n3w-Secret").ok());
  ASSERT_TRUE(Write(path, "yaml", "cache.password", "a: b # c").ok());
  EXPECT_EQ(Text("app.yaml"),
            "# app\n"
            "db:\n"
            "  host: db.internal  # primary\n"
            "  password: n3w-Secret # rotated\n"
            "  user: 'billing'\n"
            "cache: {password: \"a: b # c\", ttl: 5}\n");
  ExpectAttributesKept("app.yaml");
  EXPECT_EQ(ReadBack(path, "yaml", "db.password"), "n3w-Secret");
  EXPECT_EQ(ReadBack(path, "yaml", "cache.password"), "a: b # c");
}

TEST_F(FileHolderTest, YamlQuotesAValueThatIsNotSafePlain) {
  std::string path = Put("app.yaml", "db:\n  password: old # c\n");
  ASSERT_TRUE(Write(path, "yaml", "db.password", "12345").ok());
  EXPECT_EQ(Text("app.yaml"), "db:\n  password: \"12345\" # c\n");
  EXPECT_EQ(ReadBack(path, "yaml", "db.password"), "12345");
  EXPECT_EQ(ReadBack(path, "yaml", "db.user"),
            "not_found: " + path +
                ": no key db.user; add it with a placeholder value (\"\") and run again: rekey "
                "does not restructure YAML files");
}

TEST_F(FileHolderTest, RawReplacesTheWholeFileKeepingTheFinalNewline) {
  std::string path = Put("token", "old-token\n");
  ASSERT_TRUE(Write(path, "raw", "", "new-token").ok());
  EXPECT_EQ(Text("token"), "new-token\n");
  ExpectAttributesKept("token");
  EXPECT_EQ(ReadBack(path, "", ""), "new-token");

  std::string bare = Put("bare", "old");
  ASSERT_TRUE(Write(bare, "", "", "new").ok());
  EXPECT_EQ(Text("bare"), "new");
  ASSERT_TRUE(Write(Path("created"), "", "", "v").ok());
  EXPECT_EQ(Text("created"), "v");
}

TEST_F(FileHolderTest, AFailedEditLeavesTheFileAlone) {
  std::string path = Put("app.json", "{\"db\": {\"password\": 5}}");
  EXPECT_EQ(Write(path, "json", "db.password", "x").ToString(),
            "invalid_argument: " + path +
                ": the value at key db.password is not a string; rekey writes only string values");
  EXPECT_EQ(Text("app.json"), "{\"db\": {\"password\": 5}}");
  ExpectAttributesKept("app.json");
}

TEST_F(FileHolderTest, FollowsASymbolicLinkInsteadOfReplacingIt) {
  std::string target = Put("real.env", "A=old\n");
  ASSERT_EQ(::symlink(target.c_str(), Path("link.env").c_str()), 0);
  ASSERT_TRUE(Write(Path("link.env"), "dotenv", "A", "new").ok());
  EXPECT_TRUE(std::filesystem::is_symlink(Path("link.env")));
  EXPECT_EQ(Text("real.env"), "A=new\n");
  ExpectAttributesKept("real.env");
}

TEST_F(FileHolderTest, WorksOnAMemEnv) {
  MemEnv env;
  env.SetFile("/nonexistent-dir/app.env", "# c\nK=old\n", 0640);
  binding_.options = {};
  binding_.options.Set("path", std::string("/nonexistent-dir/app.env"));
  binding_.options.Set("format", std::string("dotenv"));
  binding_.options.Set("key", std::string("K"));
  auto holder =
      MakeFileHolder({.env = &env, .system = &system_, .identity = nullptr, .binding = &binding_});
  ASSERT_TRUE(holder.ok()) << holder.status().ToString();
  ASSERT_TRUE((*holder)->Write(SecretBytes("new"), Soon()).ok());
  EXPECT_EQ(*env.ReadFile("/nonexistent-dir/app.env"), "# c\nK=new\n");
  EXPECT_EQ(env.Stat("/nonexistent-dir/app.env")->mode, 0640u);
  Result<SecretBytes> value = (*holder)->Read(Soon());
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value->Expose(), "new");
  EXPECT_TRUE((*holder)->DestroyVersion(SecretBytes("old"), Soon()).ok());
}

TEST_F(FileHolderTest, FactoryRejectsBadOptions) {
  std::string path = Path("x");
  EXPECT_EQ(Make(path, "toml").status().ToString(),
            "invalid_argument: file holder app-config: format toml is not one of dotenv, json, "
            "yaml, raw");
  EXPECT_EQ(Make(path, "dotenv").status().ToString(),
            "invalid_argument: file holder app-config: format dotenv needs `key`");
  EXPECT_EQ(Make(path, "raw", "A").status().ToString(),
            "invalid_argument: file holder app-config: `key` is set but format is raw, which "
            "holds the whole file; set format to dotenv, json or yaml");
  EXPECT_EQ(Make(path, "dotenv", "DB-PASSWORD").status().ToString(),
            "invalid_argument: file holder app-config: `key` DB-PASSWORD is not a variable name "
            "([A-Za-z_][A-Za-z0-9_]*)");
  EXPECT_EQ(Make(path, "yaml", "db..password").status().ToString(),
            "invalid_argument: file holder app-config: `key` db..password is not a dotted key "
            "path such as db.password");
  EXPECT_EQ(Make("relative/app.env", "").status().ToString(),
            "invalid_argument: file holder app-config: path relative/app.env is not absolute");
}

TEST_F(FileHolderTest, PathsMustStayUnderRoot) {
  std::filesystem::create_directories(Path("root/sub"));
  std::filesystem::create_directories(Path("outside"));
  ASSERT_EQ(::symlink(Path("outside").c_str(), Path("root/escape").c_str()), 0);
  system_.options.Set("root", Path("root"));
  EXPECT_TRUE(Make(Path("root/sub/app.env"), "").ok());
  EXPECT_TRUE(Make(Path("root/new-dir/app.env"), "").ok());
  for (const std::string& bad : {Path("outside/app.env"), Path("root/../outside/app.env"),
                                 Path("root/escape/app.env"), Path("root")}) {
    EXPECT_EQ(Make(bad, "").status().ToString(), "invalid_argument: file holder app-config: path " +
                                                     bad + " is outside root " + Path("root"));
  }
}

}  // namespace
}  // namespace rekey::file
