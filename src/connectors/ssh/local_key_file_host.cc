// The lock is flock(2) on the directory: it stays valid across the rename that replaces the file
// (a lock on the file itself would be on the old inode), and needs no extra file beside it.
#include <fcntl.h>
#include <pwd.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "base/file_descriptor.h"
#include "connectors/exec/command.h"
#include "connectors/file/path_guard.h"
#include "connectors/ssh/key_file_host.h"

namespace rekey::ssh {
namespace {

// ~USER/.ssh/authorized_keys from the password database.
Result<std::string> DefaultPath(const std::string& user) {
  passwd entry{};
  passwd* found = nullptr;
  std::string buf(16384, '\0');
  int err = ::getpwnam_r(user.c_str(), &entry, buf.data(), buf.size(), &found);
  if (found == nullptr) {
    return Status::NotFound("no user \"" + user + "\" on this machine" +
                            (err != 0 ? std::string(": ") + std::strerror(err) : ""));
  }
  return std::string(entry.pw_dir) + "/.ssh/authorized_keys";
}

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

// An exclusive flock on DIR, polled until DEADLINE.
Result<FileDescriptor> LockDir(const std::string& dir, Deadline deadline) {
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) {
    int err = errno;
    return err == ENOENT ? Status::NotFound(dir + " does not exist")
                         : Status::Internal("cannot open " + dir + ": " + std::strerror(err));
  }
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return Status::Internal("cannot lock " + dir + ": " + std::strerror(errno));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Timeout("another edit held the lock on " + dir + " until the deadline");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return fd;
}

class LocalKeyFileHost final : public KeyFileHost {
 public:
  explicit LocalKeyFileHost(Env* env) : env_(env) {}

  Status EditFile(const KeyFile& file, const Edit& edit, Deadline deadline) override {
    Result<std::string> path = file.path.empty() ? DefaultPath(file.user) : file.path;
    if (!path.ok()) {
      return path.status();
    }
    Result<std::string> target = file::ResolveHolderPath(*path, nullptr);
    if (!target.ok()) {
      return target.status();
    }
    Result<FileDescriptor> lock = LockDir(DirOf(*target), deadline);
    if (!lock.ok()) {
      return lock.status();
    }
    FileInfo info;
    Result<std::string> text = Load(*target, &info);
    if (!text.ok()) {
      return text.status();
    }
    std::optional<std::string> updated = edit(*text);
    if (!updated) {
      return Status::Ok();
    }
    return env_->WriteFileAtomic(*target, *updated, info);
  }

  Status Run(const std::vector<std::string>& argv, Deadline deadline) override {
    exec::Command command{.name = "end_sessions", .exit_1_is_answer = true, .argv = &argv};
    return exec::RunCommand(env_, command, deadline).status();
  }

 private:
  // The text of TARGET and, in INFO, its attributes; a missing file reads as "" with mode 0600
  // and its directory's owner.
  Result<std::string> Load(const std::string& target, FileInfo* info) {
    Result<FileInfo> existing = env_->Stat(target);
    if (existing.ok()) {
      *info = *existing;
      return env_->ReadFile(target);
    }
    if (existing.status().code() != StatusCode::kNotFound) {
      return existing.status();
    }
    Result<FileInfo> dir = env_->Stat(DirOf(target));
    if (!dir.ok()) {
      return dir.status();
    }
    *info = FileInfo{.mode = 0600, .uid = dir->uid, .gid = dir->gid};
    return std::string();
  }

  Env* env_;
};

}  // namespace

std::unique_ptr<KeyFileHost> MakeLocalKeyFileHost(Env* env) {
  return std::make_unique<LocalKeyFileHost>(env);
}

}  // namespace rekey::ssh
