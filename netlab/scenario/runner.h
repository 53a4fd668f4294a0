// Runs a scenario's trials on a running lab and measures each one.
//
// One trial, all on CLOCK_MONOTONIC:
//   baseline   the lab is converged and the probe gets through (checked)
//   pre        1 s of probing: the path before the fault
//   fault      injected at t_fault (taken right before its first syscall)
//   hold       hold_s; route changes, BFD/BGP state changes recorded
//   repair     at t_repair
//   failback   until the lab is converged and the probe is back on its
//              baseline path, plus a settle time
// Then the probe logs, route events, FRR log lines and path counters are
// turned into a Trial (scenario/results.h).
//
// Threads: one thread. Errors: a trial that cannot be measured throws; the
// caller records it as the scenario's error.
#pragma once

#include <memory>
#include <string>

#include "netlab/kernel/route_monitor.h"
#include "netlab/lab/control.h"
#include "netlab/lab/lab.h"
#include "netlab/scenario/results.h"
#include "netlab/topology/model.h"

namespace netlab::scenario {

struct RunnerOptions {
  std::string probe_binary;   // netlab-probe
  int trials_override = 0;    // --trials
  double pre_s = 1.0;         // probing before the fault
  double settle_s = 1.0;      // probing after failback is complete
  double failback_timeout_s = 120;
  // Share of the window's probes a link must carry to count as on the path:
  // a few packets caught in a transient micro-loop are not "the path".
  double path_share = 0.05;
};

class Runner {
 public:
  Runner(lab::Lab&, const topology::Topology&, kernel::RouteMonitor&, RunnerOptions);
  ScenarioResult run(const topology::Scenario&);

 private:
  Trial run_trial(const topology::Scenario&, const topology::Probe&, int index);

  lab::Lab& lab_;
  std::unique_ptr<lab::Control> control_;
  const topology::Topology& topo_;
  kernel::RouteMonitor& routes_;
  RunnerOptions opt_;
};

}  // namespace netlab::scenario
