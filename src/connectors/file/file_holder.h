// The `file` holder: a credential's copy in a local file, as a dotenv variable, a JSON or YAML
// string at a key path, or the whole (raw) file. Writes change only the value's bytes, keep the
// file's mode and owner, and are atomic (temporary file, fsync, rename, fsync of the directory).
#pragma once

#include <memory>

#include "base/result.h"
#include "connectors/connector.h"

namespace rekey::file {

// A holder for CONTEXT's binding. Binding options: `path` (required, absolute), `format`
// (dotenv, json, yaml or raw; default raw), `key` (required for dotenv, json and yaml; not
// allowed for raw). System option `root`: the path must resolve to a file under it.
// invalid_argument, naming the binding, for a missing or bad option or a path outside `root`.
//
// Write creates a missing dotenv or raw file (mode 0600) and appends a missing dotenv
// variable; a missing json or yaml file or key is not_found, saying what to add. Read returns
// not_found when the file or key is missing. DestroyVersion does nothing: files keep no versions.
// Messages never contain a value. The holder is thread-compatible; it holds no lock on the file,
// so two writers of one file must be serialised by the caller.
//
// REQUIRES: context.env, context.system and context.binding are non-null and outlive the holder.
Result<std::unique_ptr<Holder>> MakeFileHolder(const ConnectorContext& context);

}  // namespace rekey::file
