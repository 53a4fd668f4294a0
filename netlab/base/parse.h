// Numbers from the command lines of netlab's helper programs (the probe,
// the delayer): a whole decimal number within bounds, or InputError naming
// the flag and the accepted range.
//
// Threads: any. Errors: InputError.
#pragma once

#include <charconv>
#include <string>
#include <system_error>

#include "netlab/base/error.h"

namespace netlab {

template <class T>
T parse_uint(const std::string& flag, const std::string& text, T lo, T hi) {
  T v{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < lo || v > hi) {
    throw InputError(flag + " " + text + ": expected a number in " + std::to_string(lo) + ".." +
                     std::to_string(hi));
  }
  return v;
}

}  // namespace netlab
