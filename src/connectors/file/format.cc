#include "connectors/file/format.h"

#include <array>

#include "connectors/file/dotenv_format.h"
#include "connectors/file/json_format.h"
#include "connectors/file/raw_format.h"
#include "connectors/file/yaml_format.h"

namespace rekey::file {
namespace {

const std::array<FileFormat, 4> kFormats = {{
    {"dotenv", true, true, DotenvRead, DotenvReplace},
    {"json", true, false, JsonRead, JsonReplace},
    {"yaml", true, false, YamlRead, YamlReplace},
    {"raw", false, true, RawRead, RawReplace},
}};

}  // namespace

const FileFormat* FindFileFormat(std::string_view name) {
  for (const FileFormat& f : kFormats) {
    if (f.name == name) {
      return &f;
    }
  }
  return nullptr;
}

std::vector<std::string> SplitKeyPath(std::string_view key) {
  std::vector<std::string> segments;
  for (size_t begin = 0;;) {
    size_t dot = key.find('.', begin);
    std::string_view segment = key.substr(begin, dot - begin);
    if (segment.empty()) {
      return {};
    }
    segments.emplace_back(segment);
    if (dot == std::string_view::npos) {
      return segments;
    }
    begin = dot + 1;
  }
}

}  // namespace rekey::file
