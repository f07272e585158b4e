// The holder only moves text between the file and a format's pure functions; what a value looks
// like inside each format lives in the *_format files.
#include "connectors/file/file_holder.h"

#include <optional>

#include "connectors/file/dotenv_format.h"
#include "connectors/file/format.h"
#include "connectors/file/locked_edit.h"
#include "connectors/file/path_guard.h"

namespace rekey::file {
namespace {

class FileHolder final : public Holder {
 public:
  FileHolder(Env* env, std::string path, std::optional<std::string> root, const FileFormat* format,
             std::string key)
      : env_(env),
        path_(std::move(path)),
        root_(std::move(root)),
        format_(format),
        key_(std::move(key)) {}

  // Under EditFileLocked's lock: several bindings (of one identity or of runs at once) may hold
  // their values in one file, and a write must not undo another's. The deadline bounds the wait.
  Status Write(const SecretBytes& value, Deadline deadline) override {
    Result<std::string> target = ResolveHolderPath(path_, root_ ? &*root_ : nullptr);
    if (!target.ok()) {
      return target.status();
    }
    Status replace_failed;
    Status edited = EditFileLocked(
        env_, *target,
        [&](std::string_view text) -> std::optional<std::string> {
          Result<std::string> updated = format_->replace(text, key_, value.Expose());
          if (!updated.ok()) {
            replace_failed = updated.status().WithContext(path_);
            return std::nullopt;
          }
          return std::move(*updated);
        },
        format_->creates_file ? IfMissing::kCreate : IfMissing::kNotFound, deadline);
    if (edited.code() == StatusCode::kNotFound && !format_->creates_file) {
      return Status::NotFound(path_ + " does not exist; create it with a placeholder at key " +
                              key_ + ": rekey does not create " + std::string(format_->name) +
                              " files");
    }
    return edited.ok() ? replace_failed : edited;
  }

  Result<SecretBytes> Read(Deadline /*deadline*/) override {
    Result<std::string> target = ResolveHolderPath(path_, root_ ? &*root_ : nullptr);
    if (!target.ok()) {
      return target.status();
    }
    Result<std::string> text = env_->ReadFile(*target);
    if (!text.ok()) {
      return text.status().code() == StatusCode::kNotFound
                 ? Status::NotFound(path_ + " does not exist")
                 : text.status();
    }
    Result<SecretBytes> value = format_->read(*text, key_);
    WipeString(*text);
    if (!value.ok()) {
      return value.status().WithContext(path_);
    }
    return value;
  }

  Status DestroyVersion(const SecretBytes& /*value*/, Deadline /*deadline*/) override {
    return Status::Ok();
  }

 private:
  Env* env_;
  std::string path_;
  std::optional<std::string> root_;
  const FileFormat* format_;
  std::string key_;
};

// OK when KEY suits FORMAT; otherwise what is wrong, without the binding's name.
Status CheckKey(const FileFormat& format, const std::string* key) {
  if (!format.needs_key) {
    return key == nullptr ? Status::Ok()
                          : Status::InvalidArgument(
                                "`key` is set but format is raw, which holds the whole file; "
                                "set format to dotenv, json or yaml");
  }
  if (key == nullptr) {
    return Status::InvalidArgument("format " + std::string(format.name) + " needs `key`");
  }
  if (format.name == "dotenv" && !IsDotenvName(*key)) {
    return Status::InvalidArgument("`key` " + *key +
                                   " is not a variable name ([A-Za-z_][A-Za-z0-9_]*)");
  }
  if (format.name != "dotenv" && SplitKeyPath(*key).empty()) {
    return Status::InvalidArgument("`key` " + *key +
                                   " is not a dotted key path such as db.password");
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<Holder>> MakeFileHolder(const ConnectorContext& context) {
  REKEY_CHECK(context.env != nullptr && context.system != nullptr && context.binding != nullptr);
  const Options& options = context.binding->options;
  std::string name = "file holder " + context.binding->name;
  const std::string* path = options.GetString("path");
  if (path == nullptr) {
    return Status::InvalidArgument(name + ": `path` is required");
  }
  std::string format_name = options.StringOr("format", "raw");
  const FileFormat* format = FindFileFormat(format_name);
  if (format == nullptr) {
    return Status::InvalidArgument(name + ": format " + format_name +
                                   " is not one of dotenv, json, yaml, raw");
  }
  const std::string* key = options.GetString("key");
  REKEY_RETURN_IF_ERROR(CheckKey(*format, key).WithContext(name));
  const std::string* root = context.system->options.GetString("root");
  REKEY_RETURN_IF_ERROR(ResolveHolderPath(*path, root).status().WithContext(name));
  return std::unique_ptr<Holder>(std::make_unique<FileHolder>(
      context.env, *path, root ? std::optional(*root) : std::nullopt, format, key ? *key : ""));
}

}  // namespace rekey::file
