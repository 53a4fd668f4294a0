// Results: what a run measured, per scenario and trial, and the verdict of
// every target. Pure data and pure functions (evaluation, statistics); the
// report module renders it as a table, report.json and JUnit XML.
//
// Times are milliseconds. Event times are relative to the trial's fault
// instant (negative: before it).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "netlab/measure/data_plane.h"
#include "netlab/topology/model.h"

namespace netlab::scenario {

struct Event {
  double t_ms = 0;     // from the fault
  std::string node;    // "" for the lab as a whole
  std::string kind;    // fault, repair, cut, link-down, daemons-killed, bfd-down, bfd-up,
                       // bgp-down, bgp-up, route-add, route-delete, outage-start, outage-end, ...
  std::string detail;
};

// The data-plane figures of a window and of a flow (measure/data_plane.h).
using measure::FlowFigures;
using measure::Outage;

struct Trial {
  int index = 0;
  Outage forward, reverse;                  // fault .. repair (and until recovery)
  std::optional<double> convergence_ms;     // last FIB change after the fault, before repair
  bool reachable = true;                    // probes got through at the end of the hold
  std::vector<std::string> path_before;     // links/tunnels the probe crossed before the fault
  std::vector<std::string> path;            // ... while the fault held
  std::vector<std::string> path_after;      // ... after failback
  std::map<std::string, uint64_t> path_packets;  // link -> probe packets during the fault
  Outage failback_forward, failback_reverse;     // repair .. end of the trial
  std::optional<double> failback_convergence_ms;
  double hold_ms = 0;
  double probe_interval_ms = 1;
  double probe_max_lateness_ms = 0;  // the sender's worst scheduling delay: the real resolution
  std::vector<Event> events;
  std::vector<FlowFigures> flows;  // per flow when the probe has several; the figures
                                   // above are then the worst flow's
  // Anycast probes (the probe goes to a service address several hosts hold):
  // the probes each instance received, all flows together, in the pre-fault
  // window and in the second half of the hold (the steady state, as for
  // `path`); and the instances that served while the fault held: those that
  // received at least RunnerOptions::path_share of one flow's probes then.
  std::map<std::string, uint64_t> served_before, served;
  std::vector<std::string> serving;

  // Flows that lost any probe while the fault held (all of them: 0 or 1 of 1).
  size_t flows_affected() const;
  size_t flow_count() const { return flows.empty() ? 1 : flows.size(); }
  double outage_ms() const { return std::max(forward.outage_ms, reverse.outage_ms); }
  double failback_outage_ms() const {
    return std::max(failback_forward.outage_ms, failback_reverse.outage_ms);
  }
};

struct Target {
  std::string name;      // reachable, max_outage_ms, max_convergence_ms, path, max_failback_outage_ms,
                         // max_affected_flows_pct, serving
  std::string limit;     // "1500", "true", "vpn1-t1|vpn1-t2"
  std::string measured;  // the worst trial's figure, as text
  bool pass = false;
  std::string detail;    // which trial missed, and by how much
};

struct Stats {
  double p50 = 0, p95 = 0, max = 0;
};
Stats stats_of(std::vector<double> values);

struct ScenarioResult {
  std::string name, description, fault;
  double hold_s = 0;
  std::vector<Trial> trials;
  std::vector<Target> targets;
  std::string error;  // set when the scenario could not be run to the end
  bool pass() const;
  std::map<std::string, Stats> stats() const;  // outage_ms, convergence_ms, failback_outage_ms
};

struct RunResult {
  std::string netlab_version, kernel_release, frr_version;
  std::map<std::string, std::string> backends;  // feature -> backend
  std::string lab, topology;
  std::string description;  // the topology's [lab].description: what it claims
  uint64_t seed = 0;      // every random choice of the run derives from it (--seed)
  double bringup_ms = 0;  // namespaces to converged
  std::map<std::string, double> bringup_split_ms;  // kernel, daemons, converged
  std::vector<ScenarioResult> scenarios;
  bool pass() const;
};

// Fills `r.targets` from the scenario's expect table, judging every trial.
void evaluate(const topology::Expect&, ScenarioResult& r);

}  // namespace netlab::scenario
