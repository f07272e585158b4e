// Views of char buffers as the unsigned char pointers libsodium's C API takes. Internal to
// src/secret.
#pragma once

#include <string>
#include <string_view>

namespace rekey {

inline const unsigned char* UChars(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

inline unsigned char* UChars(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

}  // namespace rekey
