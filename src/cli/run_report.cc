#include "cli/run_report.h"

#include <cstdio>
#include <ctime>

#include "plan/describe.h"

namespace rekey {
namespace {

using nlohmann::json;

int64_t MillisBetween(SystemTime from, SystemTime to) {
  if (from == SystemTime{} || to == SystemTime{}) {
    return 0;
  }
  return std::chrono::duration_cast<Millis>(to - from).count();
}

const StepRecord* RecordOf(const std::vector<StepRecord>& steps, int id) {
  for (const StepRecord& r : steps) {
    if (r.step == id) {
      return &r;
    }
  }
  return nullptr;
}

}  // namespace

std::string FormatTime(SystemTime t) {
  if (t == SystemTime{}) {
    return "";
  }
  auto ms = std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
  std::time_t secs = ms / 1000;
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

json RunToJson(const RunRecord& run, const Plan& plan, const std::vector<StepRecord>& steps) {
  json out = {
      {"run", run.id},
      {"identity", run.identity},
      {"strategy", StrategyName(run.strategy)},
      {"state", RunStateName(run.state)},
      {"reason", run.reason},
      {"user", run.user},
      {"host", run.host},
      {"started_at", FormatTime(run.started_at)},
      {"finished_at", FormatTime(run.finished_at)},
      {"duration_ms", MillisBetween(run.started_at, run.finished_at)},
      {"contained_ms",
       run.contained_at ? json(MillisBetween(run.started_at, *run.contained_at)) : json(nullptr)},
      {"blocked_step", run.blocked_step},
      {"blocked_reason", run.blocked_reason},
      {"notes", plan.notes},
      {"steps", json::array()}};
  for (const Step& s : plan.steps) {
    const StepRecord* r = RecordOf(steps, s.id);
    StepRecord none;
    r = r ? r : &none;
    out["steps"].push_back({{"id", s.id},
                            {"action", StepActionName(s.action)},
                            {"binding", s.binding},
                            {"system", s.system},
                            {"state", StepStateName(r->state)},
                            {"attempts", r->attempts},
                            {"duration_ms", MillisBetween(r->started_at, r->finished_at)},
                            {"evidence", r->evidence},
                            {"error", r->last_error}});
  }
  return out;
}

std::string RunToText(const RunRecord& run, const Plan& plan,
                      const std::vector<StepRecord>& steps) {
  std::string out = "run " + run.id + ": " + std::string(StrategyName(run.strategy)) + " " +
                    run.identity + ", " + std::string(RunStateName(run.state));
  if (run.finished_at != SystemTime{}) {
    out += " after " + std::to_string(MillisBetween(run.started_at, run.finished_at)) + " ms";
  }
  out += "\n  reason: " + run.reason + " (" + run.user + "@" + run.host + ", started " +
         FormatTime(run.started_at) + ")\n";
  if (run.contained_at) {
    out += "  contained: old value rejected everywhere " +
           std::to_string(MillisBetween(run.started_at, *run.contained_at)) +
           " ms after the trigger\n";
  }
  if (run.state == RunState::kBlocked) {
    out += "  blocked at step " + std::to_string(run.blocked_step) + ": " + run.blocked_reason +
           "\n  fix the cause, then `rekey resume " + run.id + "`" +
           (run.strategy == Strategy::kRotate ? " (or `rekey rollback " + run.id + "`)" : "") +
           "\n";
  }
  // The plan's notes say what the run could not do (sessions that cannot be ended, a brief swap):
  // a report must not leave them out and seem to promise more.
  for (const std::string& note : plan.notes) {
    out += "  note: " + note + "\n";
  }
  for (const Step& s : plan.steps) {
    const StepRecord* r = RecordOf(steps, s.id);
    char line[160];
    std::snprintf(line, sizeof line, "  %3d  %-8s %-20s %-18s", s.id,
                  std::string(StepStateName(r ? r->state : StepState::kPending)).c_str(),
                  std::string(StepActionName(s.action)).c_str(), s.binding.c_str());
    out += line;
    if (r != nullptr && r->attempts > 1) {
      out += " (" + std::to_string(r->attempts) + " attempts)";
    }
    if (r != nullptr && !r->last_error.empty()) {
      out += "  " + r->last_error;
    } else if (r != nullptr && !r->evidence.empty()) {
      out += "  " + r->evidence;
    }
    out += "\n";
  }
  return out;
}

}  // namespace rekey
