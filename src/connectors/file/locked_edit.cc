#include "connectors/file/locked_edit.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "base/file_descriptor.h"

namespace rekey::file {
namespace {

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

// The text of TARGET and, in INFO, its attributes. A missing file, with kCreate, reads as "" with
// mode 0600 and its directory's owner.
Result<std::string> Load(Env* env, const std::string& target, IfMissing missing, FileInfo* info) {
  Result<FileInfo> existing = env->Stat(target);
  if (existing.ok()) {
    *info = *existing;
    return env->ReadFile(target);
  }
  if (existing.status().code() != StatusCode::kNotFound || missing == IfMissing::kNotFound) {
    return existing.status();
  }
  Result<FileInfo> dir = env->Stat(DirOf(target));
  if (!dir.ok()) {
    return dir.status();
  }
  *info = FileInfo{.mode = 0600, .uid = dir->uid, .gid = dir->gid};
  return std::string();
}

}  // namespace

Status EditFileLocked(Env* env, const std::string& target, const TextEdit& edit, IfMissing missing,
                      Deadline deadline) {
  Result<FileDescriptor> lock = LockDir(DirOf(target), deadline);
  if (!lock.ok()) {
    return lock.status();
  }
  FileInfo info;
  Result<std::string> text = Load(env, target, missing, &info);
  if (!text.ok()) {
    return text.status();
  }
  std::optional<std::string> updated = edit(*text);
  if (!updated) {
    return Status::Ok();
  }
  return env->WriteFileAtomic(target, *updated, info);
}

}  // namespace rekey::file
