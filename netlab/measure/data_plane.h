// The data plane of one trial, measured: the probe flows between two hosts
// (or from a host to an anycast service), the counters that say which links
// carried them, and what their logs say about the fault.
//
// Flows: for each flow, one netlab-probe at each end, each sending its own
// stream to the other on the flow's own UDP port (so ECMP hashes flows
// apart). To an anycast service: `from` sends its stream to the service
// address in echo mode and every instance reflects what reaches it, on the
// flow's port (probe.h defines the figures of both).
//
// Path: in every namespace, one nftables counter per interface counting the
// probe's ports (path_counters.h); a link is on the path of a window when it
// carried at least `path_share` of all the probes sent in it (every flow,
// both directions): with several flows, one flow's share would let a link
// carrying a few stray probes count.
//
// Everything outside this process (starting probes, reading their logs and
// the counters) goes through FlowIo, so that trials run in unit tests on a
// fake. Threads: one thread. Errors: what FlowIo and the analysis throw.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "netlab/base/ip.h"
#include "netlab/measure/path_counters.h"
#include "netlab/measure/probe.h"
#include "netlab/measure/probe_runner.h"

namespace netlab::measure {

// How long the probe must run without losing anything, by default, for
// the data plane to count as recovered (a scenario's `clean_ms`).
constexpr double kDefaultCleanMs = 1000;

// What one probe direction lost in a window (docs/measurement.md defines
// each figure and its RFC 6412/6413 term).
struct Outage {
  double outage_ms = 0;   // longest run of consecutive lost probes (lost x interval)
  uint64_t lost = 0;      // probes lost in that run
  uint64_t total_lost = 0;  // all probes lost in the window
  uint64_t sent = 0;        // probes sent in the window
  double start_ms = 0, end_ms = 0;  // of the longest run, from the fault
  bool recovered = true;  // false: the outage was still open when the window ended
  // Loss-derived outage: every probe lost in the window x the interval
  // (RFC 6413's loss-derived convergence time).
  double loss_ms = 0;
  // Loss bursts: the runs of consecutive lost probes in the window.
  uint64_t bursts = 0;
  // Recovery: from the fault (the window's reference instant) to the first
  // probe received after which the probe lost nothing for the clean period.
  // 0 when nothing was lost. Not `recovery_sustained`: no such probe was
  // seen before the window closed, and recovery_ms is a lower bound (the
  // end of the last burst seen; with recovered false, of the open one).
  double recovery_ms = 0;
  bool recovery_sustained = true;
  // Send times of the first and last probe lost, from the reference
  // instant; none when nothing was lost.
  std::optional<double> first_lost_ms, last_lost_ms;
};

// One probe flow's outage in each direction (probes with flows > 1).
struct FlowFigures {
  uint32_t flow = 0;
  Outage forward, reverse;
  bool affected() const { return forward.total_lost > 0 || reverse.total_lost > 0; }
};

// Probe packets per link (both ends' counters summed), from one snapshot.
using LinkCounts = std::map<std::string, uint64_t>;
// One snapshot: per link, both directions and each one (forward: from the
// probe's `from` to its `to`).
struct Counts {
  LinkCounts both, forward, reverse;
};

// One end of the probe: a host, and the address its probes use.
struct ProbeHost {
  std::string node, ns;
  Ipv4 addr;
};

struct FlowSpec {
  ProbeHost from;
  // Unicast: the other host. Anycast: every instance of the service, in
  // instance order.
  std::vector<ProbeHost> to;
  std::optional<Ipv4> service;  // anycast: the service address
  uint32_t flows = 1;
  double interval_ms = 1;
  uint32_t size = 0;         // IP datagram bytes of every probe (ProbeOptions::size); 0: natural
  std::optional<bool> df;    // ProbeOptions::df
  uint16_t port = 47000;  // flow f uses port + f
  uint16_t ports_counted = 1;  // the counters count [port, port + ports_counted)
  std::string dir;        // where the logs go
  std::string prefix;     // log names: <dir>/<prefix>-<node>-<flow>.log
};

// An interface whose probe packets are counted, and the link it is on.
struct CountedIface {
  std::string ns, ifname, link;
};

// One netlab-probe as a process of the lab.
struct ProbeProcess {
  std::string node, ns, name;  // name: unique per node ("probe-0")
  ProbeOptions options;
  std::string output;  // its stdout and stderr
};

class FlowIo {
 public:
  virtual ~FlowIo() = default;
  virtual void start_probe(const ProbeProcess&) = 0;
  virtual void stop_probe(const std::string& node, const std::string& name) = 0;
  virtual ProbeLog read_log(const std::string& path) = 0;
  // (Re)creates the counters of a namespace's interfaces for ports
  // [port, port + ports), forward for packets from `forward_from`.
  virtual void install_counters(const std::string& ns, const std::vector<std::string>& ifnames,
                                uint16_t port, uint16_t ports, Ipv4 forward_from) = 0;
  // ifname -> probe packets received so far, per direction.
  virtual std::map<std::string, DirectionCounts> read_counters(const std::string& ns) = 0;
};

// The instants of a trial that delimit its windows (CLOCK_MONOTONIC).
struct TrialTimes {
  int64_t pre = 0, pre_end = 0;  // the pre-fault window
  int64_t fault = 0, mid = 0, repair = 0;  // mid: the path window begins (detection)
  // The fault's first operation, when it prepares before touching the data
  // plane (a maintenance's drain): outages are looked for from here. 0: the
  // fault instant.
  int64_t prepare = 0;
  int64_t end = 0;               // failback complete and settled
};

// What a trial's probe logs say (scenario::Trial holds the same fields).
struct DataPlaneFigures {
  Outage forward, reverse;                    // fault .. repair; the worst flow's (worst_of)
  Outage failback_forward, failback_reverse;  // repair .. end, clipped at the repair
  bool reachable = true;  // every flow got through both ways at the end of the hold
  double probe_max_lateness_ms = 0;
  std::vector<FlowFigures> flows;  // per flow, when there are several
  // Anycast: probes each instance received (all flows) before the fault
  // and from detection (t.mid) to the repair, and the instances that served then.
  std::map<std::string, uint64_t> served_before, served;
  std::vector<std::string> serving;
};

class DataPlane {
 public:
  // `access_links`: hosts' own links, which always carry the probe and are
  // left out of paths. `path_share`: see the top of this file.
  DataPlane(FlowIo&, FlowSpec, std::vector<CountedIface>, std::set<std::string> access_links,
            double path_share);
  // Stops the probes still running (errors ignored: teardown stops them).
  ~DataPlane();
  DataPlane(const DataPlane&) = delete;
  DataPlane& operator=(const DataPlane&) = delete;

  // Installs the counters, then starts every flow's probes.
  void start();
  // Every flow has carried something both ways.
  bool flowing();
  // Stops every probe (idempotent); their logs are complete afterwards.
  void stop();

  Counts snapshot();
  // The links (not access links) that carried at least path_share of the
  // probes between two snapshots `window_ns` apart, busiest first.
  std::vector<std::string> path(const Counts& before, const Counts& after, int64_t window_ns) const;
  // The same in one direction: path_share of that direction's probes.
  std::vector<std::string> path(const Counts& before, const Counts& after, int64_t window_ns,
                                bool forward) const;
  // In the window: no probe lost either way, and the forward way reachable.
  bool clean(TimeWindow recent);
  // `clean_ms`: the clean period recovery requires (Outage::recovery_ms).
  DataPlaneFigures analyse(const TrialTimes&, const AnalysisOptions&, double clean_ms = kDefaultCleanMs);

  const FlowSpec& spec() const { return spec_; }

 private:
  struct Logs;
  Logs read(uint32_t flow);
  void start_flow(uint32_t flow);
  void start_probe(const ProbeHost& me, Ipv4 bind, Ipv4 peer, uint32_t flow, uint32_t id,
                   uint32_t peer_id, ProbeMode mode, std::string& log);
  void add_served(const Logs&, const TrialTimes&, DataPlaneFigures&) const;
  void pick_serving(const TrialTimes&, DataPlaneFigures&) const;

  FlowIo& io_;
  FlowSpec spec_;
  std::vector<CountedIface> counted_;
  std::set<std::string> access_links_;
  double path_share_;
  struct FlowLogs {
    std::string client;
    std::vector<std::string> peers;  // unicast: the other host's; anycast: per instance
  };
  std::vector<FlowLogs> logs_;
  std::vector<std::pair<std::string, std::string>> running_;  // node, probe name
};

// after - before, per link, where it grew.
LinkCounts delta(const LinkCounts& before, const LinkCounts& after);
// Links that carried at least `share` of the probes sent in the window (both
// directions of `flows` flows), busiest first (ties by name).
std::vector<std::string> path_of(const LinkCounts& d, double window_ms, double interval_ms, double share,
                                 uint32_t flows = 1, int directions = 2);
// The figures of a window, times from `t_ref`. With `clip`, a run that
// began before the window counts only from the window's start: after a
// repair, the failback outage is the time to recover from then on, not the
// fault's outage again. `clean_ms`: the clean period recovery requires.
Outage outage_of(const DirectionReport&, int64_t t_ref, bool clip = false,
                 double clean_ms = kDefaultCleanMs);
// Two flows' figures as one: the longest run is the longer one's (with its
// lost count and times), and every other figure is the worse of the two.
Outage worst_of(const Outage& a, const Outage& b);

}  // namespace netlab::measure
