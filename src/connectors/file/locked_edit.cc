#include "connectors/file/locked_edit.h"

#include "base/posix_io.h"
#include "secret/secret_bytes.h"

namespace rekey::file {
namespace {

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
  Result<FileInfo> dir = env->Stat(DirName(target));
  if (!dir.ok()) {
    return dir.status();
  }
  *info = FileInfo{.mode = 0600, .uid = dir->uid, .gid = dir->gid};
  return std::string();
}

}  // namespace

Status EditFileLocked(Env* env, const std::string& target, const TextEdit& edit, IfMissing missing,
                      Deadline deadline) {
  Result<std::unique_ptr<EditLock>> lock = env->LockForEdit(target, deadline);
  if (!lock.ok()) {
    return lock.status();
  }
  FileInfo info;
  Result<std::string> text = Load(env, target, missing, &info);
  if (!text.ok()) {
    return text.status();
  }
  std::optional<std::string> updated = edit(*text);
  WipeString(*text);  // a holder's file holds secrets in clear
  if (!updated) {
    return Status::Ok();
  }
  Status written = env->WriteFileAtomic(target, *updated, info);
  WipeString(*updated);
  return written;
}

}  // namespace rekey::file
