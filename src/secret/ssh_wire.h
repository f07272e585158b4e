// The SSH wire encoding (RFC 4251 uint32 and string) over buffers that may hold key material.
// Internal to src/secret: the OpenSSH private-key format is built and parsed with it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "secret/secret_bytes.h"

namespace rekey {

// Appends encoded values to a buffer that is zeroed whenever it grows and when destroyed, so
// bytes written through it leave no copy behind in freed memory. Not thread-safe.
class SshWriter {
 public:
  SshWriter();
  ~SshWriter();
  SshWriter(const SshWriter&) = delete;
  SshWriter& operator=(const SshWriter&) = delete;

  // A big-endian uint32.
  void PutU32(uint32_t value);
  // A uint32 length, then the bytes of S.
  void PutString(std::string_view s);
  // The bytes of S, unframed.
  void PutRaw(std::string_view s);

  size_t size() const { return buf_.size(); }
  // Valid until the next Put or Take.
  std::string_view data() const { return buf_; }
  // Moves the bytes out, leaving this writer empty.
  SecretBytes Take();

 private:
  void Reserve(size_t extra);

  std::string buf_;
};

// Reads encoded values from a view it does not own. Each read returns false, and consumes
// nothing, when the input is too short. Not thread-safe.
class SshReader {
 public:
  explicit SshReader(std::string_view data) : data_(data) {}

  bool ReadU32(uint32_t* value);
  // Sets *S to a view into the input.
  bool ReadString(std::string_view* s);
  bool ReadRaw(size_t n, std::string_view* s);

  // What has not been read yet.
  std::string_view rest() const { return data_; }

 private:
  std::string_view data_;
};

}  // namespace rekey
