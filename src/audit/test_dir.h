// Test helpers for src/audit: whole-file line access, for tampering with a log the way an editor
// or a careless script would. Directories come from testing/temp_dir.h.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "testing/temp_dir.h"

namespace rekey {

inline std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void WriteWhole(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

// The "\n"-terminated lines of PATH, without their "\n" (a final unterminated piece is dropped).
inline std::vector<std::string> ReadLines(const std::string& path) {
  std::string data = ReadWhole(path);
  std::vector<std::string> lines;
  for (size_t pos = 0, end; (end = data.find('\n', pos)) != std::string::npos; pos = end + 1) {
    lines.push_back(data.substr(pos, end - pos));
  }
  return lines;
}

// LINE with its first occurrence of FROM replaced by TO; fails the test if FROM is absent.
inline std::string Replaced(std::string line, const std::string& from, const std::string& to) {
  size_t at = line.find(from);
  EXPECT_NE(at, std::string::npos) << from << " not in " << line;
  return at == std::string::npos ? line : line.replace(at, from.size(), to);
}

inline void WriteLines(const std::string& path, const std::vector<std::string>& lines) {
  std::string data;
  for (const std::string& line : lines) {
    data += line + "\n";
  }
  WriteWhole(path, data);
}

}  // namespace rekey
