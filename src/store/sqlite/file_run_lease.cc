// FileRunLease (file_run_lease.h).
#include "store/sqlite/file_run_lease.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

#include "base/posix_io.h"
#include "store/sqlite/private_file.h"

namespace rekey::sqlite {
namespace {

bool IsFileName(std::string_view id) {
  if (id.empty() || id.front() == '.') {
    return false;
  }
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

// The pid the holder wrote, or "unknown" if it has not written it yet.
std::string HolderPid(int fd) {
  char buf[32];
  ssize_t n = ::pread(fd, buf, sizeof buf, 0);
  std::string pid(buf, n > 0 ? static_cast<size_t>(n) : 0);
  while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) {
    pid.pop_back();
  }
  bool digits = !pid.empty() && pid.find_first_not_of("0123456789") == std::string::npos;
  return digits ? pid : "unknown";
}

Status WritePid(int fd, const std::string& path) {
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0) {
    return ErrnoStatus("truncate " + path, errno);
  }
  ssize_t n = ::pwrite(fd, pid.data(), pid.size(), 0);
  if (n != static_cast<ssize_t>(pid.size())) {
    return ErrnoStatus("write " + path, n < 0 ? errno : EIO);
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<RunLease>> FileRunLease::Acquire(const std::string& dir,
                                                        const std::string& run_id) {
  if (!IsFileName(run_id)) {
    return Status::InvalidArgument("run id '" + run_id + "' cannot name a lease file");
  }
  const std::string path = dir + "/" + run_id + ".lock";
  REKEY_RETURN_IF_ERROR(CreatePrivateFile(path));
  FileDescriptor fd(::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    return ErrnoStatus("open " + path, errno);
  }
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) {
      return Status::Conflict("run " + run_id +
                              " is being executed by another rekey process (pid " +
                              HolderPid(fd.get()) + ")");
    }
    if (errno != EINTR) {
      return ErrnoStatus("lock " + path, errno);
    }
  }
  REKEY_RETURN_IF_ERROR(WritePid(fd.get(), path));
  return std::unique_ptr<RunLease>(std::make_unique<FileRunLease>(std::move(fd)));
}

FileRunLease::~FileRunLease() {
  // Explicit, not just close(): a child forked without exec shares the open file description,
  // and closing our descriptor alone would leave the lock held by the child.
  if (fd_.valid()) {
    ::flock(fd_.get(), LOCK_UN);
  }
}

}  // namespace rekey::sqlite
