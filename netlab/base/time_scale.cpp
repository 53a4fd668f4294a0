#include "netlab/base/time_scale.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

#include "netlab/base/error.h"

namespace netlab {

std::optional<double> parse_time_scale(std::string_view text) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) return std::nullopt;
  if (v < 1 || v > 100) return std::nullopt;
  return v;
}

double time_scale() {
  static const double scale = [] {
    const char* env = std::getenv("NETLAB_TIME_SCALE");
    if (!env || !*env) return 1.0;
    auto v = parse_time_scale(env);
    if (!v)
      throw InputError(std::string("NETLAB_TIME_SCALE=") + env +
                       ": expected a number from 1 to 100 (docs/kernel-tier.md)");
    return *v;
  }();
  return scale;
}

}  // namespace netlab
