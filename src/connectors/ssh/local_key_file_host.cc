// Edits go through file::EditFileLocked, as every text file rekey shares with other editors.
#include <pwd.h>

#include <cstring>

#include "connectors/exec/command.h"
#include "connectors/file/locked_edit.h"
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
    return file::EditFileLocked(env_, *target, edit, file::IfMissing::kCreate, deadline);
  }

  Status Run(const std::vector<std::string>& argv, Deadline deadline) override {
    exec::Command command{.name = "end_sessions", .exit_1_is_answer = true, .argv = &argv};
    return exec::RunCommand(env_, command, deadline).status();
  }

 private:
  Env* env_;
};

}  // namespace

std::unique_ptr<KeyFileHost> MakeLocalKeyFileHost(Env* env) {
  return std::make_unique<LocalKeyFileHost>(env);
}

}  // namespace rekey::ssh
