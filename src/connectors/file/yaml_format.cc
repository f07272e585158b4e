#include "connectors/file/yaml_format.h"

#include "connectors/file/format.h"
#include "connectors/file/yaml_document.h"
#include "connectors/file/yaml_scalar.h"

namespace rekey::file {
namespace {

using Kind = YamlNodeAt::Kind;

Result<YamlNodeAt> FindScalar(std::string_view text, std::string_view key) {
  Result<YamlNodeAt> at = FindYamlNode(text, SplitKeyPath(key));
  if (!at.ok()) {
    return at;
  }
  std::string k(key);
  switch (at->kind) {
    case Kind::kAbsent:
      return Status::NotFound("no key " + k +
                              "; add it with a placeholder value (\"\") and run again: rekey does "
                              "not restructure YAML files");
    case Kind::kNull:
      return Status::NotFound("key " + k + " has no value; give it a placeholder (\"\")");
    case Kind::kCollection:
      return Status::InvalidArgument("the value at key " + k + " is not a scalar");
    case Kind::kScalar:
      break;
  }
  return at;
}

}  // namespace

Result<SecretBytes> YamlRead(std::string_view text, std::string_view key) {
  Result<YamlNodeAt> at = FindScalar(text, key);
  if (!at.ok()) {
    return at.status();
  }
  return SecretBytes::Take(at->value);
}

Result<std::string> YamlReplace(std::string_view text, std::string_view key,
                                std::string_view value) {
  Result<YamlNodeAt> at = FindScalar(text, key);
  if (!at.ok()) {
    return at.status();
  }
  Result<YamlToken> token = FindYamlToken(text, at->offset, at->in_flow);
  std::string_view old = token.ok() ? text.substr(token->begin, token->end - token->begin) : "";
  bool single_line = token.ok() && (token->style != YamlStyle::kPlain || old == at->value);
  WipeString(at->value);
  if (!single_line) {
    return Status::InvalidArgument("the value at key " + std::string(key) +
                                   " is not a single-line scalar; rekey replaces only those");
  }
  std::string out(text.substr(0, token->begin));
  out.append(YamlEncode(value, token->style)).append(text.substr(token->end));
  if (!IsSameYamlExcept(text, out, SplitKeyPath(key), value)) {
    WipeString(out);
    return Status::InvalidArgument("replacing the value at key " + std::string(key) +
                                   " would change more than that value (is it an anchor?); "
                                   "edit the file by hand");
  }
  return out;
}

}  // namespace rekey::file
