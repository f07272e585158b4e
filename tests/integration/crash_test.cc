// Crash test: for every journal write point of a rotate and a contain run, the real binary is
// killed with SIGKILL there, then `rekey resume --all` completes the run; each time the end state
// equals that of an uninterrupted run. The test enumerates the points; it does not sample. Points
// run REKEY_IT_JOBS (default 3) at a time, each in its own sandbox.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

#include "harness.h"

namespace rekey::it {
namespace {

const std::string kOld = "old-crash-value-5e1f9a";
constexpr char kNothingToResume[] = "nothing to resume: no run is running or blocked\n";

struct CrashPoint {
  std::string mode;  // "crash-before-write" or "crash-after-write"
  long write = 0;
};

std::string Name(const CrashPoint& p) { return p.mode + ":" + std::to_string(p.write); }

// The store's current value is the one the systems now hold: a further rotate run, which
// removes the store's current value from the issuer, leaves the issuer accepting only its own.
::testing::AssertionResult StoreHoldsTheNewValue(const Sandbox& box) {
  std::optional<std::string> held = box.JsonValue();
  Outcome next = box.Run("rotate", {}, "after the crash");
  if (next.exit_code != 0) {
    return ::testing::AssertionFailure() << "a further rotate run failed: " << Describe(next);
  }
  std::optional<std::string> newer = box.JsonValue();
  if (!newer || newer == held || box.IssuerAccepted() != std::vector<std::string>{*newer}) {
    return ::testing::AssertionFailure()
           << "after a further rotate run the issuer accepts "
           << ::testing::PrintToString(box.IssuerAccepted()) << ", not only the holders' "
           << newer.value_or("<none>") << ": the store's current value was not " << *held;
  }
  return ::testing::AssertionSuccess();
}

// The end state equals the uninterrupted run's, and the store's current value is the systems'.
::testing::AssertionResult EndsAsTheUninterruptedRun(const Sandbox& box,
                                                     const EndState& reference) {
  // The reference passed ResetCompleted; equal end states pass it too.
  EndState end = CaptureEndState(box, kOld);
  if (!(end == reference)) {
    return ::testing::AssertionFailure()
           << "end state differs from the uninterrupted run's:\n  got  "
           << ::testing::PrintToString(end) << "\n  want " << ::testing::PrintToString(reference);
  }
  return StoreHoldsTheNewValue(box);
}

// One crash point, on a sandbox holding the adopted old value: the run dies by SIGKILL exactly at
// POINT, and `rekey resume --all` then leaves the uninterrupted run's end state. The executor
// journals the outcomes of steps that finish close together in one write, so a run may make
// fewer writes than the uninterrupted one did: a point past its last write is not REACHED, and
// then the run must have ended as the uninterrupted one, having made fewer writes than POINT's.
::testing::AssertionResult CrashAndResume(const Sandbox& box, const std::string& strategy,
                                          const CrashPoint& point, const EndState& reference,
                                          bool* reached) {
  std::string trace = box.dir() + "/trace";
  Outcome crashed =
      box.Run(strategy, {"REKEY_FAILPOINT=" + Name(point), "REKEY_FAILPOINT_TRACE=" + trace});
  std::vector<std::string> traced = Lines(ReadFileOr(trace));
  *reached = crashed.exit_code != 0 || traced.size() >= static_cast<size_t>(point.write);
  if (!*reached) {
    return EndsAsTheUninterruptedRun(box, reference);
  }
  if (crashed.exit_code != kExitKilled) {
    return ::testing::AssertionFailure() << "the run was not killed: " << Describe(crashed);
  }
  if (traced.size() != static_cast<size_t>(point.write)) {
    return ::testing::AssertionFailure()
           << "died after tracing " << traced.size() << " writes, not " << point.write << ":\n"
           << ReadFileOr(trace);
  }
  Outcome resumed = box.Rekey({"resume", "--all"});
  bool finished_before_crash =
      point.mode == "crash-after-write" && traced.back().ends_with(" run finished");
  if (resumed.exit_code != 0) {
    return ::testing::AssertionFailure() << "resume --all failed: " << Describe(resumed);
  }
  if (finished_before_crash
          ? resumed.out != kNothingToResume
          : resumed.out.find(": " + strategy + " svc, succeeded after ") == std::string::npos) {
    return ::testing::AssertionFailure() << "unexpected resume report: " << Describe(resumed);
  }
  return EndsAsTheUninterruptedRun(box, reference);
}

// Before the first write nothing has happened: there is no run, the systems still hold the old
// value, and there is nothing to resume.
::testing::AssertionResult CrashBeforeFirstWrite(const Sandbox& box, const Sandbox& adopted,
                                                 const std::string& strategy) {
  Outcome crashed = box.Run(strategy, {"REKEY_FAILPOINT=crash-before-write:1"});
  if (crashed.exit_code != kExitKilled) {
    return ::testing::AssertionFailure() << "the run was not killed: " << Describe(crashed);
  }
  nlohmann::json runs = box.Runs();
  if (runs != nlohmann::json::array()) {
    return ::testing::AssertionFailure() << "expected no run, got " << runs.dump();
  }
  for (const char* rel : {"/issuer/accepted", "/app/app.env", "/app/cfg.json"}) {
    if (ReadFileOr(box.dir() + rel, "<absent>") != ReadFileOr(adopted.dir() + rel)) {
      return ::testing::AssertionFailure() << rel << " changed: " << ReadFileOr(box.dir() + rel);
    }
  }
  if (box.IssuerDisabled() || box.IssuerAccepted() != std::vector<std::string>{kOld}) {
    return ::testing::AssertionFailure() << "the issuer no longer accepts only the old value";
  }
  Outcome resumed = box.Rekey({"resume", "--all"});
  if (resumed.exit_code != 0 || resumed.out != kNothingToResume) {
    return ::testing::AssertionFailure() << "resume --all: " << Describe(resumed);
  }
  return AuditVerifies(box);
}

int Jobs() {
  const char* v = std::getenv("REKEY_IT_JOBS");
  int jobs = v ? std::atoi(v) : 3;  // the points wait on fsync more than on the CPU
  return jobs > 0 ? jobs : 1;
}

class CrashTest : public ::testing::TestWithParam<std::string> {};

TEST_P(CrashTest, EveryWritePointKilledThenResumedConvergesToTheUninterruptedEndState) {
  const std::string strategy = GetParam();
  auto started = std::chrono::steady_clock::now();
  Sandbox adopted;  // init + adopt once; every point starts from a copy of it
  ASSERT_TRUE(adopted.InitAndAdopt(kOld));

  Sandbox uninterrupted;
  uninterrupted.CopyStateFrom(adopted);
  std::string trace = uninterrupted.dir() + "/trace";
  Outcome run = uninterrupted.Run(strategy, {"REKEY_FAILPOINT_TRACE=" + trace});
  ASSERT_EQ(run.exit_code, 0) << Describe(run);
  ASSERT_TRUE(ResetCompleted(uninterrupted, kOld));
  const EndState reference = CaptureEndState(uninterrupted, kOld);
  const std::vector<std::string> writes = Lines(ReadFileOr(trace));
  const long total = static_cast<long>(writes.size());
  ASSERT_GT(total, 2);
  for (long k = 1; k <= total; ++k) {
    ASSERT_EQ(writes[k - 1].substr(0, writes[k - 1].find(' ')), std::to_string(k));
  }

  std::vector<CrashPoint> points;
  for (long k = 1; k <= total; ++k) {
    points.push_back({"crash-after-write", k});
    if (k >= 2) {
      points.push_back({"crash-before-write", k});
    }
  }
  std::atomic<size_t> next{0};
  std::atomic<size_t> unreached{0};
  std::mutex mu;
  std::vector<std::string> failures;  // guarded by mu
  auto worker = [&] {
    for (size_t i; (i = next++) < points.size();) {
      Sandbox box;
      box.CopyStateFrom(adopted);
      bool reached = true;
      ::testing::AssertionResult r = CrashAndResume(box, strategy, points[i], reference, &reached);
      unreached += reached ? 0 : 1;
      if (!r) {
        box.Keep();
        std::lock_guard lock(mu);
        failures.push_back(Name(points[i]) + " (write \"" + writes[points[i].write - 1] +
                           "\" of the uninterrupted run; sandbox " + box.dir() +
                           "): " + r.message());
      }
    }
  };
  std::vector<std::thread> threads;
  for (int j = 0; j < Jobs(); ++j) {
    threads.emplace_back(worker);
  }
  for (std::thread& t : threads) {
    t.join();
  }
  Sandbox first;
  first.CopyStateFrom(adopted);
  EXPECT_TRUE(CrashBeforeFirstWrite(first, adopted, strategy));

  for (const std::string& f : failures) {
    ADD_FAILURE() << f;
  }
  EXPECT_EQ(failures.size(), 0u) << "of " << points.size() + 1 << " crash points";
  auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started);
  std::cout << strategy << ": " << total << " durable writes, " << points.size() + 1
            << " crash points (" << unreached << " past the end of a run that made fewer), "
            << seconds.count() << " s\n";
}

INSTANTIATE_TEST_SUITE_P(Strategies, CrashTest, ::testing::Values("rotate", "contain"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace rekey::it
