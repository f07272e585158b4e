// SecretJson: a JSON document that may hold a secret (a response or request body of a secrets
// API). Every string in it is wiped when it is destroyed, and it serialises into wiped memory
// without reallocating. What the parser's own scratch buffer held is beyond reach.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "base/result.h"
#include "secret/secret_bytes.h"

namespace rekey::http {

class SecretJson {
 public:
  SecretJson() = default;
  explicit SecretJson(nlohmann::json value) : value_(std::move(value)) {}
  ~SecretJson() { Wipe(value_); }
  SecretJson(SecretJson&& other) noexcept : value_(std::move(other.value_)) {}
  SecretJson& operator=(SecretJson&&) = delete;
  SecretJson(const SecretJson&) = delete;
  SecretJson& operator=(const SecretJson&) = delete;

  // BODY parsed; corruption "the answer is not JSON" when it is not.
  static Result<SecretJson> Parse(const SecretBytes& body);

  nlohmann::json& operator*() { return value_; }
  const nlohmann::json& operator*() const { return value_; }
  nlohmann::json* operator->() { return &value_; }
  const nlohmann::json* operator->() const { return &value_; }

  // The document as compact JSON text. invalid_argument if a string in it is not UTF-8.
  Result<SecretBytes> Dump() const;

  // Zeroes every string in VALUE, recursively (keys are names, not secrets, and stay).
  static void Wipe(nlohmann::json& value);

 private:
  nlohmann::json value_;
};

// The string member KEY of OBJECT, or null when OBJECT is no object or KEY no string.
const std::string* StringMember(const nlohmann::json& object, std::string_view key);

}  // namespace rekey::http
