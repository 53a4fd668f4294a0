// Runs a scenario's trials on a running lab and measures each one
// (scenario/trial.h has the phases of a trial).
//
// Threads: one thread, and the scheduling canary's (measure/canary.h) beside
// it over a lab. Errors: a trial that cannot be measured ends the
// scenario, recorded as its error; an interrupt propagates.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "netlab/kernel/route_monitor.h"
#include "netlab/lab/control.h"
#include "netlab/lab/lab.h"
#include "netlab/measure/canary.h"
#include "netlab/measure/data_plane.h"
#include "netlab/scenario/results.h"
#include "netlab/scenario/trial.h"
#include "netlab/topology/model.h"

namespace netlab::scenario {

class Runner {
 public:
  // Over a running lab: its Control, and probes run as its processes.
  Runner(lab::Lab&, const topology::Topology&, kernel::RouteMonitor&, RunnerOptions);
  // Over given seams (unit tests); they must outlive the Runner.
  Runner(lab::Control&, measure::FlowIo&, const plan::Plan&, const topology::Topology&,
         kernel::RouteMonitor&, RunnerOptions);
  ~Runner();
  ScenarioResult run(const topology::Scenario&);
  // Only the trials numbered `trials` (1-based, ascending): one shard's part
  // of the scenario (scenario/shard.h). Each trial keeps its serial number.
  ScenarioResult run(const topology::Scenario&, const std::vector<int>& trials);
  // The scenario's trial count in this run (--trials overrides the file's).
  int trial_count(const topology::Scenario&) const;
  // The scheduling canary the trials' validity guard reads (scenario/guard.h).
  // The lab's Runner starts its own; over seams there is none unless given.
  void set_canary(measure::Canary* c) { canary_ = c; }
  // How the [[traffic]] streams run (the lab's Runner makes its own when the
  // topology has traffic); over seams, none unless given.
  void set_traffic(measure::TrafficIo* t) { traffic_ = t; }

 private:
  std::unique_ptr<lab::Control> own_control_;
  std::unique_ptr<measure::FlowIo> own_flows_;
  lab::Control& control_;
  measure::FlowIo& flows_;
  const plan::Plan& plan_;
  const topology::Topology& topo_;
  kernel::RouteMonitor& routes_;
  RunnerOptions opt_;
  std::unique_ptr<measure::Canary> own_canary_;
  measure::Canary* canary_ = nullptr;
  std::unique_ptr<measure::TrafficIo> own_traffic_;
  measure::TrafficIo* traffic_ = nullptr;
  std::vector<measure::TrafficSpec> traffic_specs_;
  TrialContext context() { return {control_, flows_, routes_, plan_, opt_, canary_, traffic_, &traffic_specs_}; }
  // One trial; an invalid one (the host starved the lab) is run once more
  // under the same number, and kept, marked, when it is invalid again.
  // `prepare` runs before each attempt (cover_paths makes the wanted path
  // the active one).
  Trial run_trial(const topology::Scenario&, const topology::Probe&, int index,
                  const std::function<void()>& prepare);
};

// The probe flows' I/O on a running lab: probes started as journaled
// processes of the lab (through `control`), logs read from disk, path
// counters in nftables.
std::unique_ptr<measure::FlowIo> make_lab_flow_io(lab::Control&, kernel::Nft&, std::string probe_binary);

}  // namespace netlab::scenario
