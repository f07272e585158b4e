#include "core/options.h"

namespace rekey {

std::string SecretRef::Describe() const {
  return (source == Source::kEnv ? "env:" : "file:") + name;
}

namespace {
template <typename T>
const T* Get(const std::map<std::string, OptionValue, std::less<>>& values, std::string_view key) {
  auto it = values.find(key);
  return it == values.end() ? nullptr : std::get_if<T>(&it->second);
}
}  // namespace

const std::string* Options::GetString(std::string_view key) const {
  return Get<std::string>(values_, key);
}
const std::vector<std::string>* Options::GetList(std::string_view key) const {
  return Get<std::vector<std::string>>(values_, key);
}
const SecretRef* Options::GetSecretRef(std::string_view key) const {
  return Get<SecretRef>(values_, key);
}

std::string Options::StringOr(std::string_view key, std::string_view fallback) const {
  const std::string* v = GetString(key);
  return v ? *v : std::string(fallback);
}

bool Options::GetBool(std::string_view key) const {
  const std::string* v = GetString(key);
  return v && (*v == "true" || *v == "yes" || *v == "on");
}

}  // namespace rekey
