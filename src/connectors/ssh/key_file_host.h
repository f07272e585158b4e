// KeyFileHost: where an authorized_keys file lives and commands about its account run, either
// this machine or a host that rekey reaches over SSH as an admin. Both make the same promise
// about an edit: under an exclusive lock on the file's directory (so edits of one file by other
// bindings or other rekey processes are not lost), atomic (temporary file, fsync, rename), the
// file's mode and owner kept.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "connectors/connection_pool.h"
#include "connectors/connector.h"
#include "connectors/file/locked_edit.h"
#include "connectors/ssh/ssh_session.h"

namespace rekey::ssh {

// An authorized_keys file: PATH (absolute) or, when empty, ~USER/.ssh/authorized_keys.
struct KeyFile {
  std::string path;
  std::string user;

  std::string Describe() const {
    return path.empty() ? "~" + user + "/.ssh/authorized_keys" : path;
  }
};

class KeyFileHost {
 public:
  virtual ~KeyFileHost() = default;

  // Given the file's text ("" when it does not exist), the new text, or nullopt to leave it.
  using Edit = file::TextEdit;

  // Applies EDIT to FILE under the lock. A symbolic link is followed (its target is written).
  // A missing file is created with mode 0600, owned by the owner of its directory; a missing
  // directory is not_found. timeout when the lock or the host does not answer by DEADLINE.
  virtual Status EditFile(const KeyFile& file, const Edit& edit, Deadline deadline) = 0;

  // Runs ARGV on the host (no shell locally; each word shell-quoted remotely). OK on exit 0, and
  // on exit 1, which pkill(1) and similar tools use for "no process matched": nothing to end;
  // unavailable on exit 75; otherwise internal, with the first line of its stderr.
  virtual Status Run(const std::vector<std::string>& argv, Deadline deadline) = 0;
};

// This machine, through ENV (files and processes). ENV must outlive the host.
std::unique_ptr<KeyFileHost> MakeLocalKeyFileHost(Env* env);

using SessionPool = ConnectionPool<SshSession>;
// A remote host, through admin sessions from POOL (logged in, host key verified). POOL must
// outlive the host. The host needs a POSIX sh, coreutils, getent and flock(1) (util-linux).
std::unique_ptr<KeyFileHost> MakeRemoteKeyFileHost(SessionPool* pool);

}  // namespace rekey::ssh
