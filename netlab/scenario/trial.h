// One trial of a scenario, as phases, all on CLOCK_MONOTONIC:
//   start_flows  the lab is converged (checked), the probe flows start and
//                get through both ways
//   baseline     pre_s of probing: the path before the fault
//   inject       the fault, at t_fault: right before its first operation
//                that touches the data plane (a maintenance's MED change,
//                settle and drain, a degrade's delayers starting, come
//                before it, as events of their own); a fault that fails
//                half-way is repaired
//   hold         hold_s; the counters are read every 100 ms, and the path
//                is that of the window from detection (the first watched
//                route change after the fault, else the outage's end) to
//                the repair
//   repair       at t_repair
//   failback     until the lab is converged and the probe is back, clean,
//                on a path that no longer moves, plus settle_s
//   analyse      the probe logs (measure::DataPlane), route events, FRR
//                log lines and path counters turned into a Trial, judged
//                valid or not by the validity guard (scenario/guard.h) on
//                the scheduling canary's window, baseline to end of failback
//
// A TrialRun acts on the lab only through lab::Control and measures the
// data plane only through measure::FlowIo, so every phase runs in unit tests
// on fakes. Threads: one thread. Errors: a trial that cannot be measured
// throws; the runner records it as the scenario's error.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "netlab/fault/fault.h"
#include "netlab/kernel/route_monitor.h"
#include "netlab/lab/control.h"
#include "netlab/measure/canary.h"
#include "netlab/measure/data_plane.h"
#include "netlab/measure/frr_events.h"
#include "netlab/measure/traffic_io.h"
#include "netlab/plan/plan.h"
#include "netlab/scenario/results.h"
#include "netlab/topology/model.h"

namespace netlab::scenario {

struct RunnerOptions {
  std::string probe_binary;   // netlab-probe
  std::string traffic_binary; // netlab-traffic (needed when the topology has [[traffic]])
  int trials_override = 0;    // --trials
  double pre_s = 1.0;         // probing before the fault
  double settle_s = 1.0;      // probing after failback is complete
  double failback_timeout_s = 120;
  // Share of the window's probes a link must carry to count as on the path:
  // a few packets caught in a transient micro-loop are not "the path".
  double path_share = 0.05;
};

// What a trial works through.
struct TrialContext {
  lab::Control& control;
  measure::FlowIo& flows;
  kernel::RouteMonitor& routes;
  const plan::Plan& plan;
  const RunnerOptions& options;
  // The scheduling canary for the validity guard (scenario/guard.h); none:
  // the trial is judged on the probe sender's lateness alone.
  measure::Canary* canary = nullptr;
  // The [[traffic]] streams run in every trial (none: no traffic), and how
  // they are run.
  measure::TrafficIo* traffic = nullptr;
  const std::vector<measure::TrafficSpec>* traffic_specs = nullptr;
};

class TrialRun {
 public:
  TrialRun(const TrialContext&, const topology::Scenario&, const topology::Probe&, int index);
  ~TrialRun();
  // Every phase in order; the trial's figures.
  Trial run();

  // The phases, public for their unit tests; run() calls them in this order.
  void start_flows();
  void baseline();
  void inject();
  void hold();
  void repair();
  void failback();
  void analyse();
  const Trial& trial() const { return trial_; }
  const measure::TrialTimes& times() const { return t_; }

 private:
  // Events of the trial's time span only: what came before is dropped.
  void arm_event_sources();
  void add_event(int64_t t, const std::string& node, const std::string& kind, const std::string& detail);
  void add_route_events(const std::vector<kernel::RouteEvent>&);
  int64_t detection(const std::vector<kernel::RouteEvent>&, const measure::DataPlaneFigures&) const;
  void fill_path(int64_t detected);
  bool watched(const kernel::RouteEvent&) const;
  void add_frr_events();
  void add_outage_events();
  measure::AnalysisOptions analysis_options() const;
  void sleep_until(int64_t t) { lab::sleep_until(ctx_.control, t); }
  int64_t now() { return ctx_.control.clock().now_ns(); }
  void say(const std::string& line) { ctx_.control.say(line); }

  TrialContext ctx_;
  const topology::Scenario& sc_;
  const topology::Probe& probe_;
  Trial trial_;
  measure::TrialTimes t_;
  std::unique_ptr<measure::DataPlane> data_;
  std::unique_ptr<fault::Fault> fault_;
  measure::Counts c1_, c2_;  // end of the baseline, the repair
  std::vector<std::pair<int64_t, measure::Counts>> hold_counts_;  // read during the hold
  std::map<std::string, measure::FrrLogTail> frr_logs_;  // router -> its FRR log
  int64_t realtime_offset_ = 0;     // CLOCK_REALTIME - CLOCK_MONOTONIC
  std::optional<measure::CanaryFigures> canary_;  // baseline .. end of failback
  bool traffic_running_ = false;
  int64_t failback_done_ = 0;  // failback complete: the settle period (the "after" window) starts
  void start_traffic();
  void stop_traffic();
  void analyse_traffic();
  bool has_traffic() const { return ctx_.traffic && ctx_.traffic_specs && !ctx_.traffic_specs->empty(); }
};

// The streams of the [[traffic]] entries on a plan, one per direction, with
// their rates divided by the lab's scale (exposed for tests). Stream i uses
// the ports [kTrafficPort + 64 i, + flows).
inline constexpr uint16_t kTrafficPort = 48000;
std::vector<measure::TrafficSpec> traffic_specs(const plan::Plan&, const std::vector<const topology::Traffic*>&,
                                                double scale);

// The probe flows of a scenario's probe on a plan (exposed for tests).
measure::FlowSpec flow_spec(const plan::Plan&, const topology::Probe&, const std::string& log_prefix);

}  // namespace netlab::scenario
