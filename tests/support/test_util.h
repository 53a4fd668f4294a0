// Small helpers the tests share: the monotonic clock every lab timeline is
// on, and reading a whole file.
#pragma once

#include <time.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

namespace netlab::testing {

inline int64_t mono_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// The file's contents; empty when it cannot be read.
inline std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace netlab::testing
