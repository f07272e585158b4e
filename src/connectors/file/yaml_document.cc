// The scalar is replaced as text by the caller; re-reading both documents afterwards is what
// proves the edit touched nothing else, whatever YAML feature (anchors, folding) the text uses.
#include "connectors/file/yaml_document.h"

#include <yaml-cpp/yaml.h>

#include <span>

#include "secret/secret_bytes.h"

namespace rekey::file {
namespace {

using Path = std::span<const std::string>;

// yaml-cpp's messages may end with the text it choked on ("unknown escape character: X"): keep
// only the constant part.
std::string ConstantPart(const YAML::Exception& e) { return e.msg.substr(0, e.msg.find(':')); }

Status ParseError(const YAML::ParserException& e) {
  return Status::InvalidArgument("not valid YAML (line " + std::to_string(e.mark.line + 1) +
                                 ", column " + std::to_string(e.mark.column + 1) + ": " +
                                 ConstantPart(e) + ")");
}

YAML::Node LoadText(std::string_view text) {
  std::string copy(text);
  YAML::Node root = YAML::Load(copy);
  WipeString(copy);
  return root;
}

YamlNodeAt Describe(const YAML::Node& node, bool in_flow, std::string_view text) {
  YamlNodeAt at;
  at.in_flow = in_flow;
  // Marks count bytes after a UTF-8 byte order mark, which yaml-cpp skips.
  at.offset = static_cast<size_t>(node.Mark().pos) + (text.starts_with("\xef\xbb\xbf") ? 3 : 0);
  if (node.IsNull()) {
    at.kind = YamlNodeAt::Kind::kNull;
  } else if (node.IsScalar()) {
    at.kind = YamlNodeAt::Kind::kScalar;
    at.value = node.Scalar();
  } else {
    at.kind = YamlNodeAt::Kind::kCollection;
  }
  return at;
}

YamlNodeAt Find(std::string_view text, const std::vector<std::string>& path) {
  YAML::Node node = LoadText(text);
  bool in_flow = false;
  for (const std::string& segment : path) {
    if (!node.IsMap()) {
      return {};
    }
    in_flow = node.Style() == YAML::EmitterStyle::Flow;
    const YAML::Node& map = node;  // const: looking a key up must not insert it
    YAML::Node child = map[segment];
    if (!child.IsDefined()) {
      return {};
    }
    node.reset(child);  // reset, not =: assigning a Node writes through to the tree
  }
  return Describe(node, in_flow, text);
}

bool Same(const YAML::Node& a, const YAML::Node& b, Path path, bool on_path,
          std::string_view value) {
  if (on_path && path.empty()) {
    return b.IsScalar() && b.Scalar() == value;
  }
  if (a.Type() != b.Type() || a.Tag() != b.Tag() || a.size() != b.size()) {
    return false;
  }
  if (a.IsScalar()) {
    return a.Scalar() == b.Scalar();
  }
  for (auto i = a.begin(), j = b.begin(); i != a.end() && j != b.end(); ++i, ++j) {
    if (a.IsSequence()) {
      if (!Same(*i, *j, {}, false, value)) {
        return false;
      }
      continue;
    }
    bool next = on_path && i->first.IsScalar() && i->first.Scalar() == path.front();
    if (!Same(i->first, j->first, {}, false, value) ||
        !Same(i->second, j->second, next ? path.subspan(1) : Path(), next, value)) {
      return false;
    }
  }
  return true;
}

}  // namespace

Result<YamlNodeAt> FindYamlNode(std::string_view text, const std::vector<std::string>& path) {
  try {
    return Find(text, path);
  } catch (const YAML::ParserException& e) {
    return ParseError(e);
  } catch (const YAML::Exception& e) {
    return Status::Internal("yaml-cpp failed: " + ConstantPart(e));
  }
}

bool IsSameYamlExcept(std::string_view old_text, std::string_view new_text,
                      const std::vector<std::string>& path, std::string_view value) {
  try {
    return Same(LoadText(old_text), LoadText(new_text), path, true, value);
  } catch (const YAML::Exception&) {
    return false;
  }
}

}  // namespace rekey::file
