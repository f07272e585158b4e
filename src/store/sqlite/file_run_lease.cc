// RunLeaseFile (file_run_lease.h).
#include "store/sqlite/file_run_lease.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <tuple>

#include "base/posix_io.h"
#include "base/sha256.h"
#include "store/sqlite/private_file.h"

namespace rekey::sqlite {
namespace {

// A stable byte offset for RUN_ID: the first 62 bits of its SHA-256, positive as off_t needs.
// Two runs share a byte with odds of 2^-62 a pair; they would then exclude each other, which is
// safe, not wrong.
off_t ByteOf(const std::string& run_id) {
  std::string hex = Sha256Hex(run_id).substr(0, 16);
  return static_cast<off_t>(std::stoull(hex, nullptr, 16) >> 2);
}

struct flock ByteLock(short type, off_t at) {
  struct flock lock {};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  lock.l_start = at;
  lock.l_len = 1;
  return lock;
}

std::string HeldBy(const std::string& run_id, const std::string& pid) {
  return "run " + run_id + " is being executed by another rekey process (pid " + pid + ")";
}

}  // namespace

class RunLeaseFile::Lease final : public RunLease {
 public:
  Lease(std::shared_ptr<RunLeaseFile> file, off_t at) : file_(std::move(file)), at_(at) {}
  ~Lease() override {
    std::lock_guard lock(file_->mu_);
    struct flock unlock = ByteLock(F_UNLCK, at_);
    (void)::fcntl(file_->fd_.get(), F_SETLK, &unlock);  // only fails for a closed descriptor
    file_->held_.erase(at_);
  }

 private:
  std::shared_ptr<RunLeaseFile> file_;
  off_t at_;
};

// Record locks belong to the process, and closing any descriptor of the file drops them all: so
// every store of a process that leases in one state directory shares one RunLeaseFile, found by
// the file's device and inode (a stat, which opens nothing), and kept open until the process
// ends: closing it when its last user went could drop the locks of a store that had just opened
// the file again.
Result<std::shared_ptr<RunLeaseFile>> RunLeaseFile::Open(const std::string& dir) {
  static std::mutex registry_mu;
  // By pid too: a child forked without exec inherits the registry but none of the locks.
  static std::map<std::tuple<pid_t, dev_t, ino_t>, std::shared_ptr<RunLeaseFile>> registry;
  const std::string path = dir + "/runs.lock";
  std::lock_guard lock(registry_mu);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    auto it = registry.find({::getpid(), st.st_dev, st.st_ino});
    if (it != registry.end()) {
      return it->second;
    }
  }
  // Not open in this process, so it holds no lock on it that closing a descriptor could drop.
  REKEY_RETURN_IF_ERROR(CreatePrivateFile(path));
  FileDescriptor fd(::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid() || ::fstat(fd.get(), &st) != 0) {
    return ErrnoStatus("open " + path, errno);
  }
  auto file = std::make_shared<RunLeaseFile>(std::move(fd), path);
  registry[{::getpid(), st.st_dev, st.st_ino}] = file;
  return file;
}

Result<std::unique_ptr<RunLease>> RunLeaseFile::Acquire(const std::string& run_id) {
  if (run_id.empty()) {
    return Status::InvalidArgument("a run lease needs a run id");
  }
  const off_t at = ByteOf(run_id);
  std::lock_guard lock(mu_);
  if (held_.count(at) != 0) {
    return Status::Conflict(HeldBy(run_id, std::to_string(::getpid())));
  }
  struct flock want = ByteLock(F_WRLCK, at);
  while (::fcntl(fd_.get(), F_SETLK, &want) != 0) {
    if (errno == EINTR) {
      continue;
    }
    if (errno != EACCES && errno != EAGAIN) {
      return ErrnoStatus("lock " + path_, errno);
    }
    struct flock holder = ByteLock(F_WRLCK, at);
    if (::fcntl(fd_.get(), F_GETLK, &holder) != 0) {
      return Status::Conflict(HeldBy(run_id, "unknown"));
    }
    if (holder.l_type != F_UNLCK) {
      return Status::Conflict(HeldBy(run_id, std::to_string(holder.l_pid)));
    }
    // Released between the two calls: try again.
  }
  held_.insert(at);
  return std::unique_ptr<RunLease>(std::make_unique<Lease>(shared_from_this(), at));
}

}  // namespace rekey::sqlite
