// Options: the connector-specific keys of a system or binding, as written in the inventory.
// Which keys a connector type accepts, and of which shape, is declared in the connector registry;
// validation has checked them by the time a connector reads them.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace rekey {

// A reference to an admin secret: its value is read at run time, never written in the inventory.
struct SecretRef {
  enum class Source { kEnv, kFile };
  Source source = Source::kEnv;
  std::string name;  // variable name or file path

  // "env:VAULT_TOKEN" or "file:/etc/rekey/pg-admin": safe to print.
  std::string Describe() const;
};

using OptionValue = std::variant<std::string, std::vector<std::string>, SecretRef>;

class Options {
 public:
  // Null when the key is absent or of another shape.
  const std::string* GetString(std::string_view key) const;
  const std::vector<std::string>* GetList(std::string_view key) const;
  const SecretRef* GetSecretRef(std::string_view key) const;
  // The string value, or FALLBACK when absent.
  std::string StringOr(std::string_view key, std::string_view fallback) const;
  // True when the value is "true", "yes" or "on".
  bool GetBool(std::string_view key) const;
  bool Has(std::string_view key) const { return values_.find(key) != values_.end(); }

  void Set(std::string key, OptionValue value) { values_[std::move(key)] = std::move(value); }
  const std::map<std::string, OptionValue, std::less<>>& values() const { return values_; }

 private:
  std::map<std::string, OptionValue, std::less<>> values_;
};

}  // namespace rekey
