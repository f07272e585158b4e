// nlohmann::json is used only to validate the text and to escape and unescape single string
// tokens; this file is the one site where it may throw. Its messages quote the input they choke
// on, so they never reach a Status.
#include "connectors/file/json_format.h"

#include <nlohmann/json.hpp>

#include "connectors/file/format.h"
#include "connectors/file/json_scanner.h"

namespace rekey::file {
namespace {

// The string values at KEY, or why there are none.
Result<std::vector<JsonSpan>> FindStrings(std::string_view text, std::string_view key) {
  if (!nlohmann::json::accept(text.begin(), text.end())) {
    return Status::InvalidArgument("not valid JSON; rekey edits only well-formed files");
  }
  Result<std::vector<JsonSpan>> spans = FindJsonValues(text, SplitKeyPath(key));
  if (!spans.ok()) {
    return spans.status();
  }
  if (spans->empty()) {
    return Status::NotFound("no key " + std::string(key) +
                            "; add it with a placeholder string (\"\") and run again: rekey does "
                            "not restructure JSON files");
  }
  for (const JsonSpan& span : *spans) {
    if (!span.is_string) {
      return Status::InvalidArgument("the value at key " + std::string(key) +
                                     " is not a string; rekey writes only string values");
    }
  }
  return spans;
}

Result<std::string> Escape(std::string_view value) {
  nlohmann::json j = std::string(value);
  std::string out;
  try {
    out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::exception&) {
    WipeString(j.get_ref<std::string&>());
    return Status::InvalidArgument(
        "the new value is not valid UTF-8, which a JSON string cannot hold");
  }
  WipeString(j.get_ref<std::string&>());
  return out;
}

}  // namespace

Result<SecretBytes> JsonRead(std::string_view text, std::string_view key) {
  Result<std::vector<JsonSpan>> spans = FindStrings(text, key);
  if (!spans.ok()) {
    return spans.status();
  }
  std::string_view token =
      text.substr(spans->back().begin, spans->back().end - spans->back().begin);
  nlohmann::json decoded = nlohmann::json::parse(token.begin(), token.end(), nullptr, false);
  if (!decoded.is_string()) {
    return Status::InvalidArgument("the string at key " + std::string(key) + " is malformed");
  }
  return SecretBytes::Take(decoded.get_ref<std::string&>());
}

Result<std::string> JsonReplace(std::string_view text, std::string_view key,
                                std::string_view value) {
  Result<std::vector<JsonSpan>> spans = FindStrings(text, key);
  if (!spans.ok()) {
    return spans.status();
  }
  Result<std::string> escaped = Escape(value);
  if (!escaped.ok()) {
    return escaped.status();
  }
  std::string out;
  size_t copied = 0;
  for (const JsonSpan& span : *spans) {
    out.append(text.substr(copied, span.begin - copied)).append(*escaped);
    copied = span.end;
  }
  out.append(text.substr(copied));
  WipeString(*escaped);
  return out;
}

}  // namespace rekey::file
