#include "cli/parallel_runs.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "cli/exit_codes.h"

namespace rekey {
namespace {

constexpr size_t kNamedPerOutcome = 10;

// Each item's exit code, in item order.
std::vector<int> RunEach(const Context& context, size_t count, int parallel,
                         const std::function<int(const Context&, size_t)>& body) {
  std::vector<int> codes(count, kExitOk);
  if (parallel <= 1 || count <= 1) {
    for (size_t i = 0; i < count; ++i) {
      codes[i] = body(context, i);
    }
    return codes;
  }
  std::atomic<size_t> next{0};
  std::mutex print;
  auto work = [&] {
    for (size_t i = next++; i < count; i = next++) {
      std::ostringstream out, err;
      Context own = context;
      own.out = &out;
      own.err = &err;
      own.show_progress = false;
      codes[i] = body(own, i);  // each thread writes only its own items
      std::lock_guard lock(print);
      *context.out << out.str() << std::flush;
      *context.err << err.str() << std::flush;
    }
  };
  std::vector<std::thread> threads;
  for (size_t t = 0; t < std::min<size_t>(count, static_cast<size_t>(parallel)); ++t) {
    threads.emplace_back(work);
  }
  for (std::thread& t : threads) {
    t.join();
  }
  return codes;
}

std::string OutcomeOf(int code) {
  switch (code) {
    case kExitOk:
      return "succeeded";
    case kExitFailed:
      return "failed or blocked";
    case kExitUsage:
      return "refused: bad input";
    case kExitConflict:
      return "refused: another run holds it";
    default:
      return "ended with exit code " + std::to_string(code);
  }
}

}  // namespace

std::string BatchSummary(const std::vector<std::string>& labels, const std::vector<int>& codes) {
  std::map<int, std::vector<std::string>> by_code;  // ascending: succeeded first
  for (size_t i = 0; i < codes.size(); ++i) {
    by_code[codes[i]].push_back(labels[i]);
  }
  std::string line = std::to_string(codes.size()) + " runs:";
  const char* separator = " ";
  for (const auto& [code, names] : by_code) {
    line += separator + std::to_string(names.size()) + " " + OutcomeOf(code);
    separator = ", ";
    if (code == kExitOk) {
      continue;
    }
    line += " (";
    for (size_t n = 0; n < names.size() && n < kNamedPerOutcome; ++n) {
      line += (n > 0 ? ", " : "") + names[n];
    }
    if (names.size() > kNamedPerOutcome) {
      line += " and " + std::to_string(names.size() - kNamedPerOutcome) + " more";
    }
    line += ")";
  }
  return line;
}

int RunBatch(const Context& context, const std::vector<std::string>& labels, int parallel,
             bool summary, const std::function<int(const Context&, size_t)>& body) {
  std::vector<int> codes = RunEach(context, labels.size(), parallel, body);
  if (summary && codes.size() > 1) {
    *context.out << BatchSummary(labels, codes) << "\n";
  }
  return codes.empty() ? kExitOk : *std::max_element(codes.begin(), codes.end());
}

}  // namespace rekey
