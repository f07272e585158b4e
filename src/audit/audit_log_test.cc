// Tests for AuditLog on real files: the line format, the head, durability across reopen, repair
// of a torn tail, refusal to extend a damaged log, and concurrent appenders (threads, processes).
#include "audit/audit_log.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <set>
#include <thread>

#include "audit/head.h"
#include "audit/record.h"
#include "audit/test_dir.h"
#include "audit/verify.h"

namespace rekey {
namespace {

nlohmann::json Event(const std::string& run, int i) {
  return {{"event", "step_finished"}, {"run", run}, {"step", i}};
}

std::unique_ptr<AuditLog> OpenOrDie(const std::string& path) {
  auto log = AuditLog::Open(path);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return log.ok() ? std::move(*log) : nullptr;
}

// Appends COUNT step_finished events for RUN; returns the seqs.
std::vector<uint64_t> AppendMany(AuditLog& log, const std::string& run, int count) {
  std::vector<uint64_t> seqs;
  for (int i = 0; i < count; ++i) {
    auto seq = log.Append(Event(run, i));
    EXPECT_TRUE(seq.ok()) << seq.status().ToString();
    seqs.push_back(seq.ok() ? *seq : 0);
  }
  return seqs;
}

// True for "2024-05-01T12:34:56.789Z": digits where the pattern has 'd', the rest literal.
bool IsRfc3339Millis(const std::string& s) {
  const std::string pattern = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (s.size() != pattern.size()) {
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    if (pattern[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(s[i])) : s[i] != pattern[i]) {
      return false;
    }
  }
  return true;
}

void ExpectIntact(const std::string& path, uint64_t records) {
  auto report = VerifyAuditLog(path);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->records, records);
}

class AuditLogTest : public ::testing::Test {
 protected:
  TempDir dir_{"audit"};
  std::string path_ = dir_.File("audit.log");
};

TEST_F(AuditLogTest, AppendsNumberedRecordsChainedByHash) {
  auto log = OpenOrDie(path_);
  EXPECT_EQ(AppendMany(*log, "r1", 3), (std::vector<uint64_t>{1, 2, 3}));
  std::vector<std::string> lines = ReadLines(path_);
  ASSERT_EQ(lines.size(), 3u);
  // {"seq":1,"time":"2024-05-01T12:34:56.789Z","prev":"000...","event":...}
  const std::string start = "{\"seq\":1,\"time\":\"";
  ASSERT_EQ(lines[0].substr(0, start.size()), start);
  EXPECT_TRUE(IsRfc3339Millis(lines[0].substr(start.size(), 24))) << lines[0];
  EXPECT_EQ(lines[0].substr(start.size() + 24),
            "\",\"prev\":\"" + std::string(kAuditGenesisPrev) +
                "\",\"event\":\"step_finished\",\"run\":\"r1\",\"step\":0}");
  EXPECT_EQ((*ParseAuditObject(lines[1]))["prev"], AuditHash(lines[0]));
  EXPECT_EQ((*ParseAuditObject(lines[2]))["prev"], AuditHash(lines[1]));
  EXPECT_EQ((*ParseAuditObject(lines[2]))["seq"], 3);
  ExpectIntact(path_, 3);
}

TEST_F(AuditLogTest, HeadNamesTheLastRecordAndBothFilesAreMode0600) {
  auto log = OpenOrDie(path_);
  AppendMany(*log, "r1", 2);
  std::string last = ReadLines(path_).back();
  EXPECT_EQ(ReadWhole(path_ + ".head"), "{\"seq\":2,\"hash\":\"" + AuditHash(last) + "\"}\n");
  struct stat st;
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((path_ + ".head").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

// Unanchored records (a run's step outcomes) leave the head where it was; the next anchored one
// moves it past them, and the log verifies at every point.
TEST_F(AuditLogTest, OnlyAnchoredAppendsMoveTheHead) {
  auto log = OpenOrDie(path_);
  AppendMany(*log, "r1", 1);
  std::string anchored = ReadWhole(path_ + ".head");
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(log->Append(Event("r1", 10 + i), AuditLog::Anchor::kNo).ok());
  }
  EXPECT_EQ(ReadWhole(path_ + ".head"), anchored);
  ExpectIntact(path_, 4);
  ASSERT_TRUE(log->Append(Event("r1", 20)).ok());
  EXPECT_EQ(ReadWhole(path_ + ".head"),
            "{\"seq\":5,\"hash\":\"" + AuditHash(ReadLines(path_).back()) + "\"}\n");
  ExpectIntact(path_, 5);
}

TEST_F(AuditLogTest, OpenCreatesAnEmptyLogThatVerifies) {
  auto log = OpenOrDie(path_);
  EXPECT_EQ(ReadWhole(path_), "");
  ExpectIntact(path_, 0);
}

TEST_F(AuditLogTest, OpenFailsWhenTheDirectoryIsMissing) {
  auto log = AuditLog::Open(dir_.File("missing/audit.log"));
  EXPECT_EQ(log.status().ToString(), "not_found: open audit log " + dir_.File("missing/audit.log") +
                                         ": No such file or directory");
}

TEST_F(AuditLogTest, ReopenedLogContinuesTheChain) {
  AppendMany(*OpenOrDie(path_), "r1", 2);
  auto log = OpenOrDie(path_);
  EXPECT_EQ(*log->Append(Event("r2", 0)), 3u);
  ExpectIntact(path_, 3);
}

TEST_F(AuditLogTest, InvalidEventAppendsNothing) {
  auto log = OpenOrDie(path_);
  AppendMany(*log, "r1", 1);
  auto seq = log->Append({{"event", "run_finished"}, {"time", "yesterday"}});
  EXPECT_EQ(seq.status().ToString(),
            "invalid_argument: audit event must not set \"time\": the log adds it");
  EXPECT_EQ(*log->Append(Event("r1", 1)), 2u);
  ExpectIntact(path_, 2);
}

TEST_F(AuditLogTest, AppendAllWritesConsecutiveRecordsInOrderOrNone) {
  auto log = OpenOrDie(path_);
  AppendMany(*log, "r1", 1);
  EXPECT_EQ(*log->AppendAll({Event("r1", 1), Event("r1", 2)}), 3u);
  std::vector<std::string> lines = ReadLines(path_);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ((*ParseAuditObject(lines[1]))["step"], 1);
  EXPECT_EQ((*ParseAuditObject(lines[2]))["step"], 2);
  EXPECT_EQ(ReadAuditHead(path_)->value().seq, 3u);
  auto seq = log->AppendAll({Event("r1", 3), {{"event", "run_finished"}, {"seq", 9}}});
  EXPECT_EQ(seq.status().ToString(),
            "invalid_argument: audit event must not set \"seq\": the log adds it");
  EXPECT_EQ(ReadLines(path_).size(), 3u);
  EXPECT_EQ(*log->Append(Event("r1", 3)), 4u);
  ExpectIntact(path_, 4);
}

TEST_F(AuditLogTest, TornTailIsRepairedByTheNextAppend) {
  auto log = OpenOrDie(path_);
  AppendMany(*log, "r1", 3);
  std::string intact = ReadWhole(path_);
  WriteWhole(path_, intact + "{\"seq\":4,\"time\":\"2024-");  // a crash mid-write
  EXPECT_EQ(VerifyAuditLog(path_)->problem, "line 4: incomplete record (torn write)");
  EXPECT_EQ(*log->Append(Event("r1", 3)), 4u);
  std::vector<std::string> lines = ReadLines(path_);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(ReadWhole(path_).substr(0, intact.size()), intact);
  EXPECT_EQ((*ParseAuditObject(lines[3]))["step"], 3);
  ExpectIntact(path_, 4);
}

TEST_F(AuditLogTest, TornFirstRecordIsRepaired) {
  WriteWhole(path_, "{\"seq\":1,\"ti");
  auto log = OpenOrDie(path_);
  EXPECT_EQ(*log->Append(Event("r1", 0)), 1u);
  ExpectIntact(path_, 1);
}

TEST_F(AuditLogTest, LogOneRecordAheadOfItsHeadIsExtended) {
  auto log = OpenOrDie(path_);
  AppendMany(*log, "r1", 2);
  std::string old_head = ReadWhole(path_ + ".head");
  AppendMany(*log, "r1", 1);
  WriteWhole(path_ + ".head", old_head);  // a crash between the append and the head update
  EXPECT_EQ(*log->Append(Event("r1", 9)), 4u);
  ExpectIntact(path_, 4);
}

TEST_F(AuditLogTest, RefusesToAppendAfterRecordsWereRemovedFromTheEnd) {
  auto log = OpenOrDie(path_);
  AppendMany(*log, "r1", 5);
  std::vector<std::string> lines = ReadLines(path_);
  lines.resize(3);
  WriteLines(path_, lines);
  std::string head = ReadWhole(path_ + ".head");
  EXPECT_EQ(log->Append(Event("r1", 5)).status().ToString(),
            "corruption: audit log " + path_ +
                ": log ends at record 3 but its head records 5: records were removed from the "
                "end; not appending: run `rekey audit verify`");
  EXPECT_EQ(ReadLines(path_), lines);
  EXPECT_EQ(ReadWhole(path_ + ".head"), head);
}

TEST_F(AuditLogTest, RefusesToAppendAfterTheLastRecordWasEdited) {
  auto log = OpenOrDie(path_);
  AppendMany(*log, "r1", 3);
  std::vector<std::string> lines = ReadLines(path_);
  lines[2] = Replaced(lines[2], "\"step\":2", "\"step\":7");
  WriteLines(path_, lines);
  EXPECT_EQ(log->Append(Event("r1", 3)).status().ToString(),
            "corruption: audit log " + path_ +
                ": its last records do not match the hash in the head file (edited or replaced); "
                "not appending: run `rekey audit verify`");
  EXPECT_EQ(ReadLines(path_), lines);
}

TEST_F(AuditLogTest, RefusesToAppendAfterAGarbageLastLine) {
  auto log = OpenOrDie(path_);
  AppendMany(*log, "r1", 2);
  WriteWhole(path_, ReadWhole(path_) + "not json\n");
  EXPECT_EQ(log->Append(Event("r1", 2)).status().ToString(),
            "corruption: audit log " + path_ +
                ": its last line is not a valid audit record; not appending: run "
                "`rekey audit verify`");
}

TEST_F(AuditLogTest, RefusesToAppendWithAMalformedHead) {
  auto log = OpenOrDie(path_);
  AppendMany(*log, "r1", 1);
  WriteWhole(path_ + ".head", "{\"seq\":1}");
  EXPECT_EQ(log->Append(Event("r1", 1)).status().ToString(),
            "corruption: audit log " + path_ + ": " + kAuditHeadMalformed);
}

// Every record of every writer is present exactly once and the chain is intact.
void ExpectAllRecords(const std::string& path, const std::vector<std::string>& runs, int each) {
  ExpectIntact(path, runs.size() * each);
  std::set<std::pair<std::string, int>> seen;
  for (const std::string& line : ReadLines(path)) {
    auto record = ParseAuditObject(line);
    ASSERT_TRUE(record.ok());
    seen.insert({(*record)["run"].get<std::string>(), (*record)["step"].get<int>()});
  }
  EXPECT_EQ(seen.size(), runs.size() * each);
}

TEST_F(AuditLogTest, ConcurrentThreadsProduceOneValidChain) {
  constexpr int kEach = 40;
  auto shared = OpenOrDie(path_);
  std::vector<std::vector<uint64_t>> seqs(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      // Threads 0 and 1 share one AuditLog; 2 and 3 open their own, as separate callers would.
      std::unique_ptr<AuditLog> own = t < 2 ? nullptr : OpenOrDie(path_);
      seqs[t] = AppendMany(own ? *own : *shared, "t" + std::to_string(t), kEach);
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  std::set<uint64_t> all;
  for (const auto& s : seqs) {
    all.insert(s.begin(), s.end());
  }
  EXPECT_EQ(all.size(), 4u * kEach);
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), 4u * kEach);
  ExpectAllRecords(path_, {"t0", "t1", "t2", "t3"}, kEach);
}

TEST_F(AuditLogTest, ConcurrentProcessesProduceOneValidChain) {
  constexpr int kEach = 40;
  OpenOrDie(path_);
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  std::vector<pid_t> children;
  for (int c = 0; c < 2; ++c) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      char byte;
      ::close(go[1]);
      bool ok = ::read(go[0], &byte, 1) == 0;  // start together, when the parent closes the pipe
      auto log = AuditLog::Open(path_);
      for (int i = 0; ok && log.ok() && i < kEach; ++i) {
        ok = (*log)->Append(Event("p" + std::to_string(c), i)).ok();
      }
      ::_exit(ok && log.ok() ? 0 : 1);
    }
    children.push_back(pid);
  }
  ::close(go[0]);
  ::close(go[1]);
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  ExpectAllRecords(path_, {"p0", "p1"}, kEach);
}

}  // namespace
}  // namespace rekey
