// The validity guard of a trial: was the host's CPU available to the lab
// while the trial ran? A trial measured on a starved host measured the host,
// not the network, and is marked invalid rather than judged
// (docs/measurement.md, "The validity guard").
//
// The rule: the lab's routing detects a dead neighbour within the smallest
// liveness detection time of its sessions (BFD interval x multiplier, or the
// BGP hold time of a session without BFD). A daemon held off the CPU for
// half of that comes close to declaring a healthy neighbour dead, or to
// detecting a real failure late: the trial's figures then say more about the
// host than the design. So a trial is invalid when the scheduling canary (a
// SCHED_OTHER task, as the daemons are: measure/canary.h) or the probe
// sender was late by more than half that time.
//
// Pure functions over the plan and a trial's figures.
#pragma once

#include <optional>
#include <string>

#include "netlab/plan/plan.h"
#include "netlab/scenario/results.h"

namespace netlab::scenario {

struct StarvationLimit {
  double limit_ms = 0;  // a task late by more than this starved the lab
  std::string basis;    // "half of BFD 300x3", "half of BGP hold 30 s"
};

// Half the smallest liveness detection time of the lab's sessions; a lab
// with no session: half of BFD's default (300 ms x 3).
StarvationLimit starvation_limit(const plan::Plan&);

// Sets `t.valid` and `t.invalid_reason` from its canary and probe figures
// (t.canary_max_lateness_ms, t.probe_max_lateness_ms). A trial with no
// canary figure is judged on the probe alone.
void judge_starvation(Trial& t, const StarvationLimit&);

}  // namespace netlab::scenario
