#include "connectors/file/raw_format.h"

namespace rekey::file {

Result<SecretBytes> RawRead(std::string_view text, std::string_view /*key*/) {
  if (text.ends_with('\n')) {
    text.remove_suffix(1);
  }
  return SecretBytes(text);
}

Result<std::string> RawReplace(std::string_view text, std::string_view /*key*/,
                               std::string_view value) {
  std::string out(value);
  if (text.ends_with('\n') || value.ends_with('\n')) {
    out += '\n';
  }
  return out;
}

}  // namespace rekey::file
