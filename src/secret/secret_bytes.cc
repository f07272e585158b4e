#include "secret/secret_bytes.h"

#include <sodium.h>

#include <cstring>
#include <ostream>
#include <utility>

namespace rekey {

SecretBytes::SecretBytes(std::string_view data)
    : data_(std::make_unique<char[]>(data.size() + 1)), size_(data.size()) {
  std::memcpy(data_.get(), data.data(), data.size());
}

SecretBytes SecretBytes::Take(std::string& data) {
  SecretBytes s(data);
  WipeString(data);
  return s;
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::move(other.data_)), size_(std::exchange(other.size_, 0)) {}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    data_ = std::move(other.data_);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

SecretBytes::~SecretBytes() { Wipe(); }

void SecretBytes::Wipe() {
  if (data_) {
    sodium_memzero(data_.get(), size_);
  }
  data_.reset();
  size_ = 0;
}

bool SecretBytes::Equals(const SecretBytes& other) const {
  if (size_ != other.size_) {
    return false;
  }
  return size_ == 0 || sodium_memcmp(data_.get(), other.data_.get(), size_) == 0;
}

void PrintTo(const SecretBytes& s, std::ostream* os) { *os << "<secret " << s.size() << " bytes>"; }

void WipeString(std::string& s) {
  sodium_memzero(s.data(), s.size());
  s.clear();
}

}  // namespace rekey
