// The yaml format: the value is a scalar at a dotted key path ("db.password"). Edits replace only
// that scalar's token, so comments, order and layout survive; the new value is quoted when it
// must be. rekey never adds keys to a YAML file: a missing key is reported, with what to add.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"
#include "secret/secret_bytes.h"

namespace rekey::file {

// The scalar at KEY. not_found when the key is absent or has no value; invalid_argument when TEXT
// is not YAML or the value is a mapping or sequence.
Result<SecretBytes> YamlRead(std::string_view text, std::string_view key);

// TEXT with the scalar at KEY replaced by VALUE. Errors as YamlRead, and invalid_argument when
// the scalar is not a single-line one, or when the result would not read back as VALUE with
// everything else unchanged (as with an anchor other keys refer to).
Result<std::string> YamlReplace(std::string_view text, std::string_view key,
                                std::string_view value);

}  // namespace rekey::file
