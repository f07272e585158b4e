// ResolveSecretRef: env: and file: references to admin secrets.
#include "secret/secret_ref.h"

#include "secret/file_mode.h"

namespace rekey {
namespace {

// Each reader turns the string Env returned into SecretBytes at once, wiping it, so the value
// is not copied again on the way out.
Result<SecretBytes> ReadVariable(Env* env, const SecretRef& ref) {
  Result<std::string> value = env->GetVar(ref.name);
  if (!value.ok() && value.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("admin secret " + ref.Describe() + " is not set");
  }
  if (!value.ok()) {
    return value.status().WithContext("cannot read admin secret " + ref.Describe());
  }
  return SecretBytes::Take(*value);
}

Status CheckFileMode(Env* env, const SecretRef& ref) {
  Result<FileInfo> info = env->Stat(ref.name);
  if (!info.ok() && info.status().code() == StatusCode::kNotFound) {
    return Status::NotFound("admin secret " + ref.Describe() + " does not exist");
  }
  if (!info.ok()) {
    return info.status().WithContext("cannot read admin secret " + ref.Describe());
  }
  if ((info->mode & 007) != 0) {
    return Status::PermissionDenied("admin secret " + ref.Describe() +
                                    " is open to all users (mode " + FormatMode(info->mode) +
                                    "); run chmod o-rwx " + ref.name);
  }
  return Status::Ok();
}

Result<SecretBytes> ReadSecretFile(Env* env, const SecretRef& ref) {
  REKEY_RETURN_IF_ERROR(CheckFileMode(env, ref));
  Result<std::string> contents = env->ReadFile(ref.name);
  if (!contents.ok()) {
    return contents.status().WithContext("cannot read admin secret " + ref.Describe());
  }
  if (!contents->empty() && contents->back() == '\n') {
    contents->pop_back();
  }
  return SecretBytes::Take(*contents);
}

}  // namespace

Result<SecretBytes> ResolveSecretRef(Env* env, const SecretRef& ref) {
  Result<SecretBytes> value =
      ref.source == SecretRef::Source::kEnv ? ReadVariable(env, ref) : ReadSecretFile(env, ref);
  if (value.ok() && value->empty()) {
    return Status::InvalidArgument("admin secret " + ref.Describe() + " is empty");
  }
  return value;
}

}  // namespace rekey
