#include "netlab/impair/delay_schedule.h"

#include <algorithm>
#include <cmath>

namespace netlab::impair {

DelaySchedule::DelaySchedule(int64_t delay_ns, int64_t jitter_ns, uint64_t seed)
    : delay_ns_(std::max<int64_t>(delay_ns, 0)),
      jitter_ns_(std::max<int64_t>(jitter_ns, 0)),
      rng_(seed) {}

int64_t DelaySchedule::draw_jitter() {
  // 53 random bits -> [0, 1) -> [-1, 1) -> [-jitter, +jitter).
  double u = static_cast<double>(rng_() >> 11) * 0x1.0p-53;
  return std::llround((2.0 * u - 1.0) * static_cast<double>(jitter_ns_));
}

int64_t DelaySchedule::release_at(int64_t arrival_ns) {
  int64_t t = arrival_ns + delay_ns_;
  // No draw without jitter: the generator's state then depends only on the
  // packets that were jittered.
  if (jitter_ns_ > 0) t += draw_jitter();
  t = std::max({t, arrival_ns, last_release_});
  last_release_ = t;
  return t;
}

}  // namespace netlab::impair
