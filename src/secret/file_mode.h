// FormatMode: permission bits as ls and chmod spell them ("0644"), for error messages. Internal
// to src/secret.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <string>

namespace rekey {

inline std::string FormatMode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

}  // namespace rekey
