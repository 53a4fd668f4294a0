// What the SVG and HTML builders share: number formatting and small pieces
// of markup. Internal to netlab/report.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace netlab::report::svg {

// A coordinate or length in the pictures: one decimal, no "-0.0".
inline std::string num(double v) {
  std::string s = fmt::format("{:.1f}", v);
  if (s == "-0.0") s = "0.0";
  if (s.ends_with(".0")) s.resize(s.size() - 2);
  return s;
}

// A time as shown to a person: "736.5 ms", "12.04 s".
inline std::string ms_text(double ms) {
  if (ms >= 10000 || ms <= -10000) return fmt::format("{:.2f} s", ms / 1000);
  return fmt::format("{:.1f} ms", ms);
}

// The step between axis ticks for `span` ms: 1, 2 or 5 times a power of ten,
// about `ticks` ticks over the span.
double tick_step(double span, int ticks);

}  // namespace netlab::report::svg
