// Results: what a run measured, per scenario and trial, and the verdict of
// every target. Pure data and pure functions (evaluation, statistics); the
// report module renders it as a table, report.json and JUnit XML.
//
// Times are milliseconds. Event times are relative to the trial's fault
// instant (negative: before it).
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
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

// One window of one traffic stream (measure/traffic.h has how each figure
// is computed). `measured` false: `why_not` says what is missing, and no
// figure of the window judges anything.
struct TrafficFigures {
  bool measured = false;
  std::string why_not;
  double seconds = 0;
  double offered_mbit = 0, offered_pps = 0, delivered_mbit = 0, delivered_pps = 0;
  double delivered_pct = 0, loss_pct = 0;
  uint64_t sent = 0, received = 0;
  uint64_t emsgsize = 0;   // sends refused: the sender's kernel learnt a smaller path MTU
  uint32_t path_mtu = 0;   // the path MTU the sender's kernel held at the end (0: unknown)
};

// A [[traffic]] stream in one trial (one direction of the entry): before the
// fault (the baseline), during it (the second half of the hold: the state
// the network settled in), and after failback (the settle period).
struct TrafficTrial {
  std::string name;       // "bulk" or "bulk reverse"
  std::string protocol;   // udp, tcp
  uint32_t size = 0;
  bool df = false;
  double rate_mbit = 0, pps = 0;  // as sent, after the lab's scale (0: not limited by it)
  TrafficFigures before, during, after;
  // During the fault, as the targets read it: udp, delivered over offered;
  // tcp, goodput over the goodput before the fault. None: not measured.
  std::optional<double> delivered_pct() const;
  // Packets of the full size got through during the fault; none: nothing
  // was offered (or not measured), so nothing can be said.
  std::optional<bool> mtu_ok() const;
};

struct Trial {
  int index = 0;
  Outage forward, reverse;                  // fault .. repair (and until recovery)
  std::optional<double> convergence_ms;     // last FIB change after the fault, before repair;
                                            // none: no watched route changed
  // Route events the kernel dropped (ENOBUFS on the monitor's sockets)
  // between the fault and the end of the trial: the convergence figures are
  // then computed from an incomplete record and prove nothing.
  uint64_t route_events_lost = 0;
  // A watched route still changed in the last second before the repair (a
  // quarter of the hold, for holds under 4 s): the network had not settled,
  // and convergence_ms is a lower bound.
  bool convergence_still_changing = false;
  bool reachable = true;                    // probes got through at the end of the hold
  std::vector<std::string> path_before;     // links/tunnels the probe crossed before the fault
  std::vector<std::string> path;            // ... while the fault held (both directions)
  // ... while the fault held, per direction (from -> to, and back), when the
  // counters tell the directions apart; none: not measured per direction.
  std::optional<std::vector<std::string>> path_forward, path_reverse;
  std::vector<std::string> path_after;      // ... after failback
  std::map<std::string, uint64_t> path_packets;  // link -> probe packets during the fault
  Outage failback_forward, failback_reverse;     // repair .. end of the trial
  std::optional<double> failback_convergence_ms;
  double hold_ms = 0;
  double probe_interval_ms = 1;
  double probe_max_lateness_ms = 0;  // the sender's worst scheduling delay: the real resolution
  double clean_ms = 1000;            // the clean period recovery required (Scenario::clean_ms)
  // The validity guard (scenario/guard.h): the scheduling canary's worst
  // lateness from the baseline to the end of failback (none: not measured),
  // and the lateness beyond which the host starved the lab. Not `valid`:
  // starved (invalid_reason says how, with the figures); the figures are
  // reported but judge no target. `repeated_reason`: the trial is a second
  // attempt, the first having been invalid for this reason.
  std::optional<double> canary_max_lateness_ms;
  double starvation_limit_ms = 0;
  bool valid = true;
  std::string invalid_reason;
  std::string repeated_reason;
  std::vector<Event> events;
  std::vector<FlowFigures> flows;  // per flow when the probe has several; the figures
                                   // above are then the worst flow's
  // Anycast probes (the probe goes to a service address several hosts hold):
  // the probes each instance received, all flows together, in the pre-fault
  // window and from detection to the repair (the steady state, as for
  // `path`); and the instances that served while the fault held: those that
  // received at least RunnerOptions::path_share of all the probes then.
  std::map<std::string, uint64_t> served_before, served;
  std::vector<std::string> serving;
  std::vector<TrafficTrial> traffic;  // one per [[traffic]] direction
  // Which part of a sharded run measured the trial (`--shard K/N`) and on
  // which machine; empty in an unsharded run.
  std::string shard, host;

  // Flows that lost any probe while the fault held (all of them: 0 or 1 of 1).
  size_t flows_affected() const;
  size_t flow_count() const { return flows.empty() ? 1 : flows.size(); }
  double outage_ms() const { return std::max(forward.outage_ms, reverse.outage_ms); }
  double failback_outage_ms() const {
    return std::max(failback_forward.outage_ms, failback_reverse.outage_ms);
  }
  // The trial's real resolution: a probe time is exact to within one
  // interval plus the sender's worst lateness.
  double resolution_ms() const { return probe_interval_ms + probe_max_lateness_ms; }
};

// What a target's judging concluded (docs/verdicts.md):
//   pass          every trial measured the figure and met the limit
//   fail          a trial measured the figure and missed the limit
//   inconclusive  the trials ran, but the evidence cannot decide (no watched
//                 route changed, route events were lost, a direction was not
//                 measured); never counted as a pass
//   error         nothing was measured (the scenario could not run, no trial)
// Ordered by severity: the worst one decides a scenario's and a run's verdict.
enum class Verdict { Pass, Inconclusive, Fail, Error };
std::string_view to_string(Verdict);
Verdict worst(Verdict, Verdict);

struct Target {
  std::string name;      // reachable, max_outage_ms, max_convergence_ms, path, path_forward,
                         // path_reverse, failback_path, max_failback_outage_ms,
                         // max_affected_flows_pct, serving, max_loss_ms, max_recovery_ms,
                         // max_loss_bursts
  std::string limit;     // "1500", "true", "dx2", "vpn1-t1|vpn1-t2", "baseline"
  std::string measured;  // the worst trial's figure, as text ("-": none)
  Verdict verdict = Verdict::Error;
  std::string detail;    // which trial missed and by how much; for inconclusive
                         // and error: why the figure decides nothing
  bool pass() const { return verdict == Verdict::Pass; }
};

struct Stats {
  double p50 = 0, p95 = 0, max = 0;
};
Stats stats_of(std::vector<double> values);

// Trials that started on the same path (Trial::path_before), and their
// figures: a scenario whose outcome depends on the path active before the
// fault reports each starting path apart.
struct PathGroup {
  std::vector<std::string> path_before;
  std::string label;        // the links and tunnels that tell this group from the others
  std::vector<int> trials;  // trial numbers
  // outage_ms, loss_ms, recovery_ms (each trial's worse direction), and
  // convergence_ms when measured.
  std::map<std::string, Stats> stats;
};

// What `cover_paths` found and did (scenario/paths.h): the alternatives the
// probe's routers held at equal preference, and those it could not make the
// active one, with why.
struct PathCover {
  std::vector<std::string> alternatives;  // "cgw: vpn1-t1"
  std::vector<std::pair<std::string, std::string>> not_active;  // alternative, why
  std::string note;  // e.g. fewer trials than alternatives
};

struct ScenarioResult {
  std::string name, description, fault;
  double hold_s = 0;
  std::vector<Trial> trials;
  std::vector<Target> targets;
  std::string error;  // set when the scenario could not be run to the end
  // error when `error` is set or no trial ran; else the worst target's.
  Verdict verdict() const;
  bool pass() const { return verdict() == Verdict::Pass; }
  // outage_ms, loss_ms, convergence_ms, failback_outage_ms; each trial's
  // worse direction.
  std::map<std::string, Stats> stats() const;
  std::optional<PathCover> cover;  // set when the scenario asked for cover_paths
  // The trials grouped by the path before the fault, in order of their first
  // trial; empty when every trial started on the same path.
  std::vector<PathGroup> path_groups() const;
};

// "before on vpn1-t1: 26.8 s (2 trials); before on vpn1-t2: 71 ms (3
// trials)": the outage (min-max) per path before the fault; "" when every
// trial started on the same path.
std::string path_groups_line(const ScenarioResult&);

struct RunResult {
  std::string netlab_version, kernel_release, frr_version;
  std::map<std::string, std::string> backends;  // feature -> backend
  std::string lab, topology;
  std::string description;  // the topology's [lab].description: what it claims
  uint64_t seed = 0;      // every random choice of the run derives from it (--seed)
  double bringup_ms = 0;  // namespaces to converged
  std::map<std::string, double> bringup_split_ms;  // kernel, daemons, converged
  std::vector<ScenarioResult> scenarios;
  // A sharded run (`--shard K/N`): which part this is, on which machine, and
  // the whole run's work in serial order (scenario, trial count), so that
  // the parts can be checked complete when merged. Empty when unsharded.
  std::string shard, host;
  std::vector<std::pair<std::string, int>> work;
  // The unit the shards split: each trial (run), or each scenario with all
  // its trials (sweep: each failure).
  bool shard_by_scenario = false;
  // [lab] scale: every bandwidth, packet rate and traffic rate of the lab
  // was divided by it (1: AWS's figures as they are).
  double scale = 1;
  // The worst scenario's verdict; error when there is no scenario.
  Verdict verdict() const;
  bool pass() const { return verdict() == Verdict::Pass; }
};

// The exit code of a command that judged: 0 pass, 1 fail (a target missed),
// 4 error (a scenario could not be measured: the lab failed), 5 inconclusive.
int exit_code(Verdict);

// Fills `r.targets` from the scenario's expect table, judging every trial.
void evaluate(const topology::Expect&, ScenarioResult& r);

}  // namespace netlab::scenario
