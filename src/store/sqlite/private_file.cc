// Private files (private_file.h).
#include "store/sqlite/private_file.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "base/file_descriptor.h"
#include "base/posix_io.h"

namespace rekey::sqlite {
namespace {

Status Narrow(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    return ErrnoStatus("stat " + path, errno);
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument(path + " is not a regular file");
  }
  // Only group and other bits are taken away; the owner's own choice (say 0400) is left alone.
  if ((st.st_mode & 077) != 0 && ::fchmod(fd, st.st_mode & 0700) != 0) {
    return ErrnoStatus("chmod " + path, errno);
  }
  return Status::Ok();
}

// Whether PATH is a regular file (not a link to one) without group or other permissions.
bool AlreadyPrivate(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) == 0;
}

}  // namespace

Status CreatePrivateFile(const std::string& path) {
  if (AlreadyPrivate(path)) {
    return Status::Ok();
  }
  FileDescriptor fd(
      ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600));
  if (!fd.valid()) {
    return ErrnoStatus("create " + path, errno);
  }
  return Narrow(fd.get(), path);
}

Status RestrictIfExists(const std::string& path) {
  if (AlreadyPrivate(path)) {
    return Status::Ok();
  }
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!fd.valid()) {
    return errno == ENOENT ? Status::Ok() : ErrnoStatus("open " + path, errno);
  }
  return Narrow(fd.get(), path);
}

}  // namespace rekey::sqlite
