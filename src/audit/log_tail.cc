// ReadLogTail (log_tail.h).
#include "audit/log_tail.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "audit/fd_io.h"

namespace rekey::audit_internal {
namespace {

constexpr off_t kChunk = 4096;

// True once SUFFIX holds a whole last line: its last "\n" and the one before it (or the file
// start, which the caller checks).
bool HoldsLastLine(const std::string& suffix) {
  auto last = suffix.rfind('\n');
  return last != std::string::npos && last > 0 && suffix.rfind('\n', last - 1) != std::string::npos;
}

}  // namespace

Result<LogTail> ReadLogTail(int fd, const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    return ErrnoStatus("stat " + path, errno);
  }
  std::string suffix;  // the bytes [start, st.st_size)
  off_t start = st.st_size;
  while (start > 0 && !HoldsLastLine(suffix)) {
    off_t n = std::min(kChunk, start);
    start -= n;
    Result<std::string> chunk = ReadAt(fd, start, static_cast<size_t>(n), path);
    if (!chunk.ok()) {
      return chunk.status();
    }
    suffix.insert(0, *chunk);
  }
  LogTail tail;
  tail.file_size = st.st_size;
  auto last = suffix.rfind('\n');
  if (last == std::string::npos) {
    return tail;  // no complete line: the whole file, if any, is torn
  }
  tail.complete_size = start + static_cast<off_t>(last) + 1;
  auto before = last == 0 ? std::string::npos : suffix.rfind('\n', last - 1);
  size_t begin = before == std::string::npos ? 0 : before + 1;
  tail.last_line = suffix.substr(begin, last - begin);
  return tail;
}

}  // namespace rekey::audit_internal
