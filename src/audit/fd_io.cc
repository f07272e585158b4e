// The helpers in fd_io.h: the audit log works on a descriptor it keeps open and locked, which the
// path-based Env interface cannot offer.
#include "audit/fd_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/file_descriptor.h"
#include "base/posix_io.h"

namespace rekey::audit_internal {

Result<std::string> ReadAt(int fd, off_t offset, size_t size, const std::string& path) {
  std::string data(size, '\0');
  size_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, data.data() + done, size - done, offset + static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return ErrnoStatus("read " + path, errno);
    }
    if (n == 0) {
      return Status::Corruption("read " + path + ": file shrank while being read");
    }
    done += static_cast<size_t>(n);
  }
  return data;
}

Result<std::string> ReadAll(int fd, const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    return ErrnoStatus("stat " + path, errno);
  }
  return ReadAt(fd, 0, static_cast<size_t>(st.st_size), path);
}

Status SyncParentDir(const std::string& path) {
  std::string dir = DirName(path);
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid() || ::fsync(fd.get()) != 0) {
    return ErrnoStatus("fsync directory " + dir, errno);
  }
  return Status::Ok();
}

}  // namespace rekey::audit_internal
