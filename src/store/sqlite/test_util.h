// Test helpers for the store: a store opened in a test directory (testing/temp_dir.h), sample
// values and runs at fixed times, and a forked child whose outcome is its exit code.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>

#include "store/store.h"
#include "testing/temp_dir.h"

namespace rekey::store_testing {

inline std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// 2024-05-01T12:34:56.789Z plus OFFSET_MS.
inline SystemTime At(int64_t offset_ms) { return SystemTime(Millis(1714566896789 + offset_ms)); }

inline std::unique_ptr<Store> OpenOrDie(const std::string& dir) {
  Result<std::unique_ptr<Store>> store = OpenStore(DefaultEnv(), dir);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(*store) : nullptr;
}

// A sealed-looking value: binary (with NUL and high bytes) and distinct per TAG; its fingerprint
// is TAG repeated 64 times. REQUIRES: TAG is a lower-case hex digit.
inline StoredValue SampleValue(char tag, const std::string& run_id, int64_t offset_ms = 0) {
  StoredValue v;
  v.sealed = std::string("\x00\xff sealed ", 9) + tag + std::string(1, '\0');
  v.fingerprint = std::string(64, tag);
  v.run_id = run_id;
  v.updated_at = At(offset_ms);
  return v;
}

inline RunRecord SampleRun(const std::string& id, const std::string& identity,
                           int64_t offset_ms = 0) {
  RunRecord run;
  run.id = id;
  run.identity = identity;
  run.reason = "routine";
  run.user = "alice";
  run.host = "ops-1";
  run.plan_json = "{\"steps\":[]}";
  run.inventory_path = "/etc/rekey/inventory.yaml";
  run.inventory_text = "version: 1\n";
  run.started_at = At(offset_ms);
  return run;
}

inline StepRecord SampleStep(int step, int attempts, StepState state = StepState::kRunning) {
  StepRecord record;
  record.step = step;
  record.attempts = attempts;
  record.state = state;
  return record;
}

// Runs BODY in a forked child, which exits with BODY's return value (or is killed inside it), and
// returns the child's pid. Fork only while the test is single-threaded. BODY opens stores of its
// own: a connection must never be used on both sides of a fork.
inline pid_t Fork(const std::function<int()>& body) {
  pid_t pid = ::fork();
  if (pid == 0) {
    ::_exit(body());
  }
  EXPECT_GT(pid, 0);
  return pid;
}

// The wait status of child PID once it has ended.
inline int Wait(pid_t pid) {
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, 0), pid);
  return status;
}

}  // namespace rekey::store_testing
