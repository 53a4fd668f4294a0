#include "netlab/scenario/guard.h"

#include <fmt/format.h>

namespace netlab::scenario {

namespace {
// FRR's BGP hold time when the plan sets none.
constexpr uint32_t kFrrDefaultHoldS = 180;
}  // namespace

StarvationLimit starvation_limit(const plan::Plan& p) {
  std::optional<double> best;
  std::string basis;
  for (const auto& s : p.sessions) {
    double detect = 0;
    std::string what;
    if (s.bfd) {
      detect = static_cast<double>(s.bfd->interval_ms) * s.bfd->multiplier;
      what = fmt::format("BFD {}x{}", s.bfd->interval_ms, s.bfd->multiplier);
    } else {
      const uint32_t hold = s.timers.hold_s > 0 ? s.timers.hold_s : kFrrDefaultHoldS;
      detect = 1000.0 * hold;
      what = fmt::format("BGP hold {} s", hold);
    }
    if (!best || detect < *best) {
      best = detect;
      basis = what;
    }
  }
  if (!best) {
    best = 900;
    basis = "BFD 300x3 (no session in the lab)";
  }
  return {*best / 2, "half of " + basis};
}

void judge_starvation(Trial& t, const StarvationLimit& limit) {
  t.valid = true;
  t.invalid_reason.clear();
  t.starvation_limit_ms = limit.limit_ms;
  const auto limits = fmt::format("limit {:.0f} ms, {}", limit.limit_ms, limit.basis);
  if (t.canary_max_lateness_ms && *t.canary_max_lateness_ms > limit.limit_ms) {
    t.valid = false;
    t.invalid_reason =
        fmt::format("host starved: a SCHED_OTHER task was {:.0f} ms late ({})", *t.canary_max_lateness_ms, limits);
  } else if (t.probe_max_lateness_ms > limit.limit_ms) {
    t.valid = false;
    t.invalid_reason =
        fmt::format("host starved: the probe sender was {:.0f} ms late ({})", t.probe_max_lateness_ms, limits);
  }
}

}  // namespace netlab::scenario
