#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "base/env.h"
#include "base/file_descriptor.h"
#include "base/posix_edit_lock.h"
#include "base/posix_io.h"
#include "base/subprocess.h"

namespace rekey {
namespace {

class PosixEnv final : public Env {
 public:
  SystemTime Now() override { return std::chrono::system_clock::now(); }
  std::chrono::steady_clock::time_point MonotonicNow() override {
    return std::chrono::steady_clock::now();
  }
  void SleepFor(Millis duration) override { std::this_thread::sleep_for(duration); }

  Result<std::string> ReadFile(const std::string& path) override {
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
      return ErrnoStatus("open " + path, errno);
    }
    std::string data;
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fd.get(), buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) {
          continue;
        }
        return ErrnoStatus("read " + path, errno);
      }
      if (n == 0) {
        break;
      }
      data.append(buf, static_cast<size_t>(n));
    }
    return data;
  }

  Result<FileInfo> Stat(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
      return ErrnoStatus("stat " + path, errno);
    }
    return FileInfo{st.st_mode & 07777, st.st_uid, st.st_gid, st.st_size};
  }

  Status WriteFileAtomic(const std::string& path, std::string_view data, const FileInfo& attributes,
                         RenameSync sync = RenameSync::kDurable) override {
    // Unique per process and call, so concurrent writers of one path never share a temp file.
    static std::atomic<uint64_t> counter{0};
    std::string temp = path + ".rekey-tmp." + std::to_string(::getpid()) + "." +
                       std::to_string(counter.fetch_add(1));
    {
      FileDescriptor fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                               attributes.mode));
      if (!fd.valid()) {
        return ErrnoStatus("create " + temp, errno);
      }
      Status s = WriteAll(fd.get(), data, temp);
      // The mode given at open is filtered by the umask; set it exactly.
      if (s.ok() && ::fchmod(fd.get(), attributes.mode) != 0) {
        s = ErrnoStatus("chmod " + temp, errno);
      }
      if (s.ok() && ::geteuid() == 0 && ::fchown(fd.get(), attributes.uid, attributes.gid) != 0) {
        s = ErrnoStatus("chown " + temp, errno);
      }
      if (s.ok() && ::fsync(fd.get()) != 0) {
        s = ErrnoStatus("fsync " + temp, errno);
      }
      if (!s.ok()) {
        ::unlink(temp.c_str());
        return s;
      }
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
      int err = errno;
      ::unlink(temp.c_str());
      return ErrnoStatus("rename " + temp, err);
    }
    if (sync == RenameSync::kContentOnly) {
      return Status::Ok();
    }
    FileDescriptor dir(::open(DirName(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid() || ::fsync(dir.get()) != 0) {
      return ErrnoStatus("fsync directory of " + path, errno);
    }
    return Status::Ok();
  }

  Result<std::unique_ptr<EditLock>> LockForEdit(
      const std::string& path, std::chrono::steady_clock::time_point deadline) override {
    return LockFileForEdit(path, deadline);
  }

  Status CreateDirs(const std::string& path, mode_t mode) override {
    for (size_t pos = 1; pos != std::string::npos;) {
      pos = path.find('/', pos + 1);
      std::string prefix = path.substr(0, pos);
      if (::mkdir(prefix.c_str(), mode) != 0 && errno != EEXIST) {
        return ErrnoStatus("mkdir " + prefix, errno);
      }
    }
    return Status::Ok();
  }

  Result<std::string> GetVar(const std::string& name) override {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) {
      return Status::NotFound("environment variable " + name + " is not set");
    }
    return std::string(v);
  }

  Result<ProcessResult> Run(const ProcessSpec& spec) override { return RunProcess(spec); }
};

}  // namespace

Env* DefaultEnv() {
  static PosixEnv env;
  return &env;
}

}  // namespace rekey
