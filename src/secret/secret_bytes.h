// SecretBytes: a credential value in memory. Move-only, zeroed when destroyed, and impossible to
// print or stream by accident: the only way to the bytes is Expose(), which makes every use of a
// clear value easy to find in review.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

namespace rekey {

class SecretBytes {
 public:
  SecretBytes() = default;
  // Copies DATA. The caller remains responsible for wiping its own copy.
  explicit SecretBytes(std::string_view data);
  // Takes the bytes of DATA and wipes DATA.
  static SecretBytes Take(std::string& data);

  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes();

  // An explicit copy, for the rare place that must hold the value twice.
  SecretBytes Clone() const { return SecretBytes(Expose()); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // The clear bytes. Valid while this object lives and is not moved from.
  std::string_view Expose() const { return {data_.get(), size_}; }

  // Constant-time comparison.
  bool Equals(const SecretBytes& other) const;

  // gtest and any other printer show only the length, never the bytes.
  friend void PrintTo(const SecretBytes& s, std::ostream* os);
  friend std::ostream& operator<<(std::ostream& os, const SecretBytes& s) = delete;

 private:
  void Wipe();

  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
};

// Overwrites S with zeros in a way the compiler may not optimise away.
void WipeString(std::string& s);

}  // namespace rekey
