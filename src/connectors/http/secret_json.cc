#include "connectors/http/secret_json.h"

#include <sodium.h>

namespace rekey::http {
namespace {

using nlohmann::json;

// An upper bound of VALUE's compact serialisation: a string's byte may take six ("\u0001").
size_t DumpBound(const json& value) {
  switch (value.type()) {
    case json::value_t::string:
      return 6 * value.get_ref<const std::string&>().size() + 2;
    case json::value_t::object: {
      size_t n = 2;
      for (const auto& [k, v] : value.items()) {
        n += 6 * k.size() + 4 + DumpBound(v);
      }
      return n;
    }
    case json::value_t::array: {
      size_t n = 2;
      for (const json& v : value) {
        n += DumpBound(v) + 1;
      }
      return n;
    }
    default:
      return 32;  // null, true, false, numbers
  }
}

}  // namespace

Result<SecretJson> SecretJson::Parse(const SecretBytes& body) {
  std::string_view text = body.Expose();
  json value = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return Status::Corruption("the answer is not JSON");
  }
  return SecretJson(std::move(value));
}

Result<SecretBytes> SecretJson::Dump() const {
  std::string out;
  out.reserve(DumpBound(value_));  // the serializer appends: no reallocation leaves a copy
  try {
    nlohmann::detail::serializer<json> s(nlohmann::detail::output_adapter<char>(out), ' ');
    s.dump(value_, false, false, 0);
  } catch (const json::exception&) {
    WipeString(out);
    return Status::InvalidArgument("a string in the document is not UTF-8");
  }
  return SecretBytes::Take(out);
}

void SecretJson::Wipe(json& value) {
  if (value.is_string()) {
    std::string& s = value.get_ref<std::string&>();
    sodium_memzero(s.data(), s.size());
  } else if (value.is_structured()) {
    for (json& v : value) {
      Wipe(v);
    }
  }
}

const std::string* StringMember(const json& object, std::string_view key) {
  if (!object.is_object()) {
    return nullptr;
  }
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

}  // namespace rekey::http
