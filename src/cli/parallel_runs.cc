#include "cli/parallel_runs.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

namespace rekey {

int RunInParallel(const Context& context, size_t count, int parallel,
                  const std::function<int(const Context&, size_t)>& body) {
  if (parallel <= 1 || count <= 1) {
    int worst = 0;
    for (size_t i = 0; i < count; ++i) {
      worst = std::max(worst, body(context, i));
    }
    return worst;
  }
  std::atomic<size_t> next{0};
  std::mutex print;
  int worst = 0;
  auto work = [&] {
    for (size_t i = next++; i < count; i = next++) {
      std::ostringstream out, err;
      Context own = context;
      own.out = &out;
      own.err = &err;
      own.show_progress = false;
      int code = body(own, i);
      std::lock_guard lock(print);
      *context.out << out.str() << std::flush;
      *context.err << err.str() << std::flush;
      worst = std::max(worst, code);
    }
  };
  std::vector<std::thread> threads;
  for (size_t t = 0; t < std::min<size_t>(count, static_cast<size_t>(parallel)); ++t) {
    threads.emplace_back(work);
  }
  for (std::thread& t : threads) {
    t.join();
  }
  return worst;
}

}  // namespace rekey
