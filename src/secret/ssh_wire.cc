// SshWriter and SshReader: RFC 4251 encoding with zeroing growth.
#include "secret/ssh_wire.h"

#include <algorithm>

namespace rekey {
namespace {

// Large enough for an ed25519 private key file, so that it is written without growing.
constexpr size_t kInitialCapacity = 512;

}  // namespace

SshWriter::SshWriter() { buf_.reserve(kInitialCapacity); }

SshWriter::~SshWriter() { WipeString(buf_); }

void SshWriter::PutU32(uint32_t value) {
  char bytes[4] = {static_cast<char>(value >> 24), static_cast<char>(value >> 16),
                   static_cast<char>(value >> 8), static_cast<char>(value)};
  PutRaw({bytes, sizeof bytes});
}

void SshWriter::PutString(std::string_view s) {
  PutU32(static_cast<uint32_t>(s.size()));
  PutRaw(s);
}

void SshWriter::PutRaw(std::string_view s) {
  Reserve(s.size());
  buf_.append(s);
}

SecretBytes SshWriter::Take() { return SecretBytes::Take(buf_); }

void SshWriter::Reserve(size_t extra) {
  if (buf_.size() + extra <= buf_.capacity()) {
    return;
  }
  // std::string would free the old buffer without zeroing it; move by hand instead.
  std::string bigger;
  bigger.reserve(std::max(2 * buf_.capacity(), buf_.size() + extra));
  bigger.append(buf_);
  WipeString(buf_);
  buf_ = std::move(bigger);
}

bool SshReader::ReadU32(uint32_t* value) {
  std::string_view bytes;
  if (!ReadRaw(4, &bytes)) {
    return false;
  }
  *value = 0;
  for (char c : bytes) {
    *value = (*value << 8) | static_cast<unsigned char>(c);
  }
  return true;
}

bool SshReader::ReadString(std::string_view* s) {
  std::string_view saved = data_;
  uint32_t size = 0;
  if (!ReadU32(&size) || !ReadRaw(size, s)) {
    data_ = saved;
    return false;
  }
  return true;
}

bool SshReader::ReadRaw(size_t n, std::string_view* s) {
  if (data_.size() < n) {
    return false;
  }
  *s = data_.substr(0, n);
  data_.remove_prefix(n);
  return true;
}

}  // namespace rekey
