// How many times slower than a real host netlab runs here: a factor >= 1 from
// the environment variable NETLAB_TIME_SCALE, read once (the only place it is
// read). Meant for emulated CPUs only: the kernel tier's VM (docs/kernel-tier.md)
// sets it, where starting a daemon or keying an SA takes several times as long
// as on the host while the clocks run at the host's pace. netlab's own waits
// for things it started (a daemon's socket, charon's IKE, vtysh, convergence)
// are stretched by it; what a scenario measures and the targets it is judged
// against are not. Unset or empty: 1.
// Errors: a value that is not a number from 1 to 100 throws InputError (exit 2).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace netlab {

// "3" -> 3.0; nullopt for anything but a number from 1 to 100. Pure.
std::optional<double> parse_time_scale(std::string_view text);

// The factor for this process (NETLAB_TIME_SCALE, or 1).
double time_scale();

// `d` stretched by time_scale().
inline int64_t scaled_ns(int64_t ns) { return static_cast<int64_t>(static_cast<double>(ns) * time_scale()); }
inline std::chrono::milliseconds scaled(std::chrono::milliseconds d) {
  return std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>(d.count()) * time_scale()));
}

}  // namespace netlab
