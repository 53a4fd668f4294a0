#include "netlab/scenario/runner.h"

#include <sys/stat.h>

#include <cerrno>
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "netlab/base/error.h"
#include "netlab/base/time_scale.h"
#include "netlab/fault/fault.h"
#include "netlab/measure/frr_events.h"
#include "netlab/measure/path_counters.h"
#include "netlab/measure/probe.h"
#include "netlab/measure/probe_runner.h"

namespace netlab::scenario {

namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kS = 1'000'000'000;

double ms_between(int64_t from, int64_t to) { return static_cast<double>(to - from) / kMs; }

// Probe packets per link (both ends' counters summed), from one snapshot.
using LinkCounts = std::map<std::string, uint64_t>;

class PathProbe {
 public:
  // Counts every probe flow's port (up to topology::kMaxFlows).
  PathProbe(kernel::Nft& nft, const plan::Plan& plan)
      : plan_(plan), counters_(nft, plan.probe_port, static_cast<uint16_t>(topology::kMaxFlows)) {}

  void install() {
    for (const auto& n : plan_.nodes) {
      std::vector<std::string> ifs;
      for (const auto& f : n.ifaces) ifs.push_back(f.name);
      if (!ifs.empty()) counters_.install(n.ns, ifs);
    }
  }

  LinkCounts snapshot() {
    LinkCounts out;
    for (const auto& n : plan_.nodes) {
      if (n.ifaces.empty()) continue;
      auto c = counters_.read(n.ns);
      for (const auto& f : n.ifaces) {
        auto it = c.find(f.name);
        if (it != c.end()) out[f.link] += it->second;
      }
    }
    return out;
  }

 private:
  const plan::Plan& plan_;
  measure::PathCounters counters_;
};

LinkCounts delta(const LinkCounts& before, const LinkCounts& after) {
  LinkCounts d;
  for (const auto& [k, v] : after) {
    auto it = before.find(k);
    uint64_t b = it == before.end() ? 0 : it->second;
    if (v > b) d[k] = v - b;
  }
  return d;
}

// Links that carried at least `share` of the probes sent in the window,
// busiest first. Links between a host and its router always carry the
// probe; they are listed too, as they are part of the path.
std::vector<std::string> path_of(const LinkCounts& d, double window_ms, double interval_ms, double share) {
  double sent = 2 * window_ms / interval_ms;  // both directions
  uint64_t floor = std::max<uint64_t>(1, static_cast<uint64_t>(share * sent));
  std::vector<std::pair<uint64_t, std::string>> v;
  for (const auto& [k, n] : d)
    if (n >= floor) v.push_back({n, k});
  std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  std::vector<std::string> out;
  for (auto& [n, k] : v) out.push_back(k);
  return out;
}

// Only the links and tunnels a fault can move traffic between: the ones
// that are not a host's own access link.
std::vector<std::string> core_path(const plan::Plan& p, const std::vector<std::string>& path) {
  std::vector<std::string> out;
  for (const auto& l : path) {
    const auto* link = p.link(l);
    if (link && (p.node(link->a.node)->role == topology::Role::Host ||
                 p.node(link->b.node)->role == topology::Role::Host))
      continue;
    out.push_back(l);
  }
  return out;
}

// The longest outage of a window. With `clip`, a run that began before the
// window counts only from the window's start: after a repair, the failback
// outage is the time to recover from then on, not the fault's outage again.
Outage outage_of(const measure::DirectionReport& r, int64_t t_ref, bool clip = false) {
  Outage o;
  o.total_lost = r.lost;
  o.sent = r.sent;
  const measure::LossRun* best = nullptr;
  int64_t best_ns = -1;
  for (const auto& run : r.runs) {
    int64_t start = clip ? std::max(run.start_ns, r.window.begin_ns) : run.start_ns;
    int64_t d = run.end_ns - start;
    if (d > best_ns) {
      best_ns = d;
      best = &run;
    }
  }
  if (best && best_ns > 0) {
    int64_t start = clip ? std::max(best->start_ns, r.window.begin_ns) : best->start_ns;
    o.outage_ms = static_cast<double>(best->end_ns - start) / kMs;
    o.lost = best->lost;
    o.start_ms = ms_between(t_ref, start);
    o.end_ms = ms_between(t_ref, best->end_ns);
    o.recovered = !best->open;
  }
  return o;
}

// One probe flow's logs. Unicast: `from`'s and `to`'s, each sending its
// stream to the other. Anycast: `from`'s in echo mode and one reflector's
// per instance of the service (measure/probe.h defines the figures).
struct FlowLogs {
  bool anycast = false;
  std::string client;
  std::vector<std::string> peers;  // unicast: to's log; anycast: per instance, in instance order

  struct Read {
    bool anycast = false;
    measure::ProbeLog client;
    std::vector<measure::ProbeLog> peers;
    measure::DirectionReport forward(measure::TimeWindow w, const measure::AnalysisOptions& o = {}) const {
      return anycast ? measure::analyze_anycast_forward(client, peers, w, o)
                     : measure::analyze_direction(client, peers.front(), w, o);
    }
    measure::DirectionReport reverse(measure::TimeWindow w, const measure::AnalysisOptions& o = {}) const {
      return anycast ? measure::analyze_anycast_reverse(client, peers, w, o)
                     : measure::analyze_direction(peers.front(), client, w, o);
    }
    // Both directions have carried something.
    bool flowing() const {
      return anycast ? !client.echoed.empty() : !client.received.empty() && !peers.front().received.empty();
    }
  };
  Read read() const {
    Read r{anycast, measure::read_probe_log(client), {}};
    for (const auto& p : peers) r.peers.push_back(measure::read_probe_log(p));
    return r;
  }
};

}  // namespace

Runner::Runner(lab::Lab& lab, const topology::Topology& t, kernel::RouteMonitor& routes, RunnerOptions o)
    : lab_(lab), topo_(t), routes_(routes), opt_(std::move(o)) {
  for (const auto& n : lab_.plan().nodes)
    if (n.is_router()) routes_.watch(n.ns);
}

ScenarioResult Runner::run(const topology::Scenario& sc) {
  ScenarioResult r;
  r.name = sc.name;
  r.description = sc.description;
  r.fault = sc.fault.str();
  r.hold_s = sc.hold_s;
  const topology::Probe* probe = topo_.probe_for(sc);
  int trials = opt_.trials_override > 0 ? opt_.trials_override : static_cast<int>(sc.trials);
  try {
    if (!probe) throw InputError("scenario " + sc.name + " has no probe");
    for (int i = 1; i <= trials; ++i) {
      lab_.host().say("scenario " + sc.name + ": trial " + std::to_string(i) + "/" + std::to_string(trials));
      r.trials.push_back(run_trial(sc, *probe, i));
    }
  } catch (const lab::Interrupted&) {
    throw;
  } catch (const Error& e) {
    r.error = e.what();
  }
  evaluate(sc.expect, r);
  return r;
}

Trial Runner::run_trial(const topology::Scenario& sc, const topology::Probe& pr, int index) {
  lab::Host& h = lab_.host();
  const plan::Plan& plan = lab_.plan();
  auto& clock = h.clock;
  auto sleep_until = [&](int64_t t) {
    while (clock.now_ns() < t) {
      if (h.stopping()) throw lab::Interrupted();
      clock.sleep_ns(std::min<int64_t>(t - clock.now_ns(), 50 * kMs));
    }
  };

  Trial trial;
  trial.index = index;
  trial.probe_interval_ms = pr.interval_ms;
  const int64_t interval_ns = std::llround(pr.interval_ms * kMs);

  // Baseline: converged, checked rather than assumed.
  lab_.wait_converged(std::chrono::seconds(90));

  PathProbe paths(h.nft, plan);
  paths.install();

  // Probes: for each flow, one in each host, each sending its own stream
  // to the other on the flow's own UDP port (so ECMP hashes flows apart).
  // To an anycast service: `from` sends its stream to the service address
  // and every instance reflects what reaches it, on the flow's port.
  const plan::PlanNode* from = plan.node(pr.from);
  const std::vector<const plan::PlanNode*> instances = plan.anycast_instances(pr.to);
  const bool anycast = !instances.empty();
  const plan::PlanNode* to = anycast ? nullptr : plan.node(pr.to);
  if (!from || (!anycast && !to)) throw Error("the probe's ends " + pr.from + " and " + pr.to + " are not in the plan");
  const std::string dir = plan.runtime_dir + "/probe";
  ::mkdir(dir.c_str(), 0700);
  const uint32_t nflows = std::max<uint32_t>(1, pr.flows);
  auto start_probe = [&](const plan::PlanNode* me, Ipv4 bind, Ipv4 peer, uint32_t flow, uint32_t id,
                         uint32_t peer_id, measure::ProbeMode mode) {
    measure::ProbeOptions o;
    o.bind_addr = bind;
    o.bind_port = static_cast<uint16_t>(plan.probe_port + flow);
    o.peer_addr = peer;
    o.peer_port = static_cast<uint16_t>(plan.probe_port + flow);
    o.interval_ns = interval_ns;
    o.out = dir + "/" + sc.name + "-" + std::to_string(index) + "-" + me->name + "-" + std::to_string(flow) + ".log";
    o.stream_id = id;
    o.peer_stream_id = peer_id;
    o.mode = mode;
    o.realtime = true;
    process::ProcessSpec spec;
    spec.ns = me->ns;
    spec.argv = {opt_.probe_binary};
    for (auto& a : measure::probe_args(o)) spec.argv.push_back(a);
    spec.log_path = dir + "/" + me->name + ".out";
    lab_.spawn_process(me->name, "probe-" + std::to_string(flow), spec);
    return o.out;
  };
  // Stops every probe when the trial ends, however it ends.
  struct ProbeGuard {
    lab::Lab& lab;
    std::vector<std::pair<std::string, std::string>> procs;  // node, name
    bool stopped = false;
    void stop() {
      if (stopped) return;
      stopped = true;
      for (const auto& [n, name] : procs) lab.stop_process(n, name);
    }
    ~ProbeGuard() {
      try {
        stop();
      } catch (...) {
        // Teardown stops them from the journal.
      }
    }
  } probes{lab_, {}};
  std::vector<FlowLogs> logs_of_flow;
  const Ipv4 from_addr = from->ifaces.front().address.addr;
  for (uint32_t f = 0; f < nflows; ++f) {
    FlowLogs fl;
    fl.anycast = anycast;
    if (anycast) {
      // The reflectors first, so they are usually up when the client's
      // first probes arrive; the baseline check below waits either way.
      const Ipv4 service = *Ipv4::parse(pr.to);
      for (size_t i = 0; i < instances.size(); ++i) {
        fl.peers.push_back(start_probe(instances[i], service, from_addr, f, static_cast<uint32_t>(i + 1),
                                       1 + f, measure::ProbeMode::kReflect));
        probes.procs.push_back({instances[i]->name, "probe-" + std::to_string(f)});
      }
      fl.client = start_probe(from, from_addr, service, f, 1 + f, 0, measure::ProbeMode::kEcho);
      probes.procs.push_back({from->name, "probe-" + std::to_string(f)});
    } else {
      const Ipv4 to_addr = to->ifaces.front().address.addr;
      fl.client = start_probe(from, from_addr, to_addr, f, 1 + 2 * f, 2 + 2 * f, measure::ProbeMode::kStream);
      probes.procs.push_back({from->name, "probe-" + std::to_string(f)});
      fl.peers.push_back(start_probe(to, to_addr, from_addr, f, 2 + 2 * f, 1 + 2 * f, measure::ProbeMode::kStream));
      probes.procs.push_back({to->name, "probe-" + std::to_string(f)});
    }
    logs_of_flow.push_back(std::move(fl));
  }

  // Every stream must get through before anything is broken.
  const int64_t flow_deadline = clock.now_ns() + scaled_ns(10 * kS);
  for (;;) {
    sleep_until(clock.now_ns() + 100 * kMs);
    bool all = true;
    try {
      for (const auto& fl : logs_of_flow) all = all && fl.read().flowing();
    } catch (const KernelError& e) {
      if (e.err() != ENOENT) throw;
      all = false;  // a probe has not created its log yet: not flowing yet
    }
    if (all) break;
    if (clock.now_ns() > flow_deadline)
      throw Error("the probe between " + pr.from + " and " + pr.to +
                  " does not get through before the fault: the baseline is broken");
  }

  h.say("  probe flowing; baseline " + std::to_string(static_cast<int>(opt_.pre_s * 1000)) + " ms");
  // Pre-fault window: the path the probe takes while all is well.
  const int64_t t_pre = clock.now_ns();
  LinkCounts c0 = paths.snapshot();
  sleep_until(t_pre + std::llround(opt_.pre_s * kS));
  LinkCounts c1 = paths.snapshot();
  const int64_t t_pre_end = clock.now_ns();
  trial.path_before = core_path(plan, path_of(delta(c0, c1), ms_between(t_pre, t_pre_end), pr.interval_ms, opt_.path_share));

  // Event sources, emptied of what happened before this trial.
  routes_.drain();
  std::map<std::string, measure::FrrLogTail> logs;
  for (const auto& n : plan.nodes)
    if (n.is_router()) logs.emplace(n.name, measure::FrrLogTail(n.frr_dir + "/frr.log")).first->second.skip_to_end();
  const int64_t realtime_offset = clock.realtime_ns() - clock.now_ns();

  // The fault.
  auto fault = fault::make_fault(sc.fault, lab_);
  int64_t t_fault = 0;
  int64_t t_repair = 0;
  LinkCounts c_mid;
  int64_t t_mid = 0;
  try {
    t_fault = fault->inject();
    // The path while the fault holds is the steady state of its second
    // half: before detection, packets still cross links on their way to the
    // break, and that transient is the outage, not the path.
    t_mid = t_fault + std::llround(sc.hold_s * kS) / 2;
    sleep_until(t_mid);
    c_mid = paths.snapshot();
    sleep_until(t_fault + std::llround(sc.hold_s * kS));
  } catch (...) {
    // Whatever happened (an interrupt, a failed step), the lab must not be
    // left broken: repair what was injected before going on.
    if (fault->injected()) fault->repair();
    throw;
  }
  LinkCounts c2 = paths.snapshot();
  t_repair = fault->repair();
  trial.hold_ms = ms_between(t_fault, t_repair);
  trial.path = core_path(plan, path_of(delta(c_mid, c2), ms_between(t_mid, t_repair), pr.interval_ms, opt_.path_share));
  trial.path_packets = delta(c1, c2);

  // Failback: the lab is back at a converged baseline, checked rather than
  // assumed: every session Established and route installed, the probe
  // getting through both ways with no loss, on a path that no longer moves.
  // The path may differ from the one before the fault (ECMP hashing, BGP's
  // "oldest route" tie-break after a flap): that is reported, not an error.
  const int64_t fb_deadline = clock.now_ns() + std::llround(opt_.failback_timeout_s * kS);
  LinkCounts last = paths.snapshot();
  int64_t t_last = clock.now_ns();
  std::optional<std::vector<std::string>> previous;
  std::string last_waiting;
  for (;;) {
    sleep_until(clock.now_ns() + 250 * kMs);
    auto cs = lab_.check_converged();
    bool converged = cs.ok();
    LinkCounts now = paths.snapshot();
    int64_t t_now = clock.now_ns();
    auto path = core_path(plan, path_of(delta(last, now), ms_between(t_last, t_now), pr.interval_ms, opt_.path_share));
    measure::TimeWindow recent{t_last, t_now};
    bool clean = true;
    for (const auto& fl : logs_of_flow) {
      auto r = fl.read();
      auto fwd = r.forward(recent);
      clean = clean && fwd.runs.empty() && fwd.reachable && r.reverse(recent).runs.empty();
    }
    last = now;
    t_last = t_now;
    // Compared as sets: the order (busiest first) swaps between windows when
    // two links carry one direction each.
    auto sorted = [](std::vector<std::string> v) {
      std::sort(v.begin(), v.end());
      return v;
    };
    if (converged && clean && previous && sorted(path) == sorted(*previous)) {
      trial.path_after = path;
      break;
    }
    previous = path;
    std::string waiting = !converged ? cs.missing.front() : !clean ? "the probe still losing packets" : "the path to settle";
    if (waiting != last_waiting) {
      h.say("  failback: waiting for " + waiting);
      last_waiting = waiting;
    }
    if (t_now > fb_deadline) {
      std::string got;
      for (const auto& p : path) got += (got.empty() ? "" : ",") + p;
      throw Error("after the repair the lab did not return to a converged baseline within " +
                  std::to_string(static_cast<int>(opt_.failback_timeout_s)) + " s (" +
                  (converged ? "converged" : "not converged") + ", probe " +
                  (clean ? "clean" : "losing packets") + ", path " + (got.empty() ? "none" : got) + ")");
    }
  }
  h.say("  failback complete " + std::to_string(static_cast<int>(ms_between(t_repair, clock.now_ns()))) +
        " ms after the repair");
  sleep_until(clock.now_ns() + std::llround(opt_.settle_s * kS));
  const int64_t t_end = clock.now_ns();
  probes.stop();  // the logs are complete once both have written their end record

  // Data plane. A packet may be on its way for as long as the slowest
  // impaired path holds it; only then is a missing one lost.
  measure::AnalysisOptions ao;
  double held_ms = sc.fault.delay_ms.value_or(0);
  for (const auto& l : plan.links) held_ms = std::max(held_ms, l.impair.delay_ms.value_or(0) + l.impair.jitter_ms.value_or(0));
  ao.in_flight_ns += std::llround(2 * held_ms * kMs);
  measure::TimeWindow during{t_fault, t_repair};
  measure::TimeWindow after{t_repair, t_end};
  // "Reachable while the fault holds": probes get through, both ways, in the
  // last second of the hold (or its second half, for short holds).
  int64_t tail = std::min<int64_t>(kS, (t_repair - t_fault) / 2);
  measure::TimeWindow end_of_hold{t_repair - tail, t_repair};
  auto worse = [](const Outage& a, const Outage& b) { return b.outage_ms > a.outage_ms ? b : a; };
  trial.reachable = true;
  int64_t lateness = 0;
  // Anycast: which instance received the probes, before and while the fault held.
  const measure::TimeWindow pre{t_pre, t_pre_end}, steady{t_mid, t_repair};
  for (uint32_t f = 0; f < nflows; ++f) {
    auto logs = logs_of_flow[f].read();
    auto fwd = logs.forward(during, ao);
    auto rev = logs.reverse(during, ao);
    FlowFigures ff{f, outage_of(fwd, t_fault), outage_of(rev, t_fault)};
    trial.reachable = trial.reachable && logs.forward(end_of_hold, ao).reachable &&
                      logs.reverse(end_of_hold, ao).reachable;
    // The trial's figures are its worst flow's.
    trial.forward = f == 0 ? ff.forward : worse(trial.forward, ff.forward);
    trial.reverse = f == 0 ? ff.reverse : worse(trial.reverse, ff.reverse);
    Outage fbf = outage_of(logs.forward(after, ao), t_repair, true);
    Outage fbr = outage_of(logs.reverse(after, ao), t_repair, true);
    if (anycast) {
      auto before = measure::served_by(logs.peers, pre);
      auto now = measure::served_by(logs.peers, steady);
      for (size_t i = 0; i < instances.size(); ++i) {
        trial.served_before[instances[i]->name] += before[i];
        trial.served[instances[i]->name] += now[i];
      }
    }
    trial.failback_forward = f == 0 ? fbf : worse(trial.failback_forward, fbf);
    trial.failback_reverse = f == 0 ? fbr : worse(trial.failback_reverse, fbr);
    lateness = std::max({lateness, fwd.max_lateness_ns.value_or(0), rev.max_lateness_ns.value_or(0)});
    if (nflows > 1) trial.flows.push_back(ff);
  }
  trial.probe_max_lateness_ms = static_cast<double>(lateness) / kMs;
  if (anycast) {
    // Serving: at least path_share of one flow's probes of the window, as
    // for the path, so a few probes caught in a transient do not count.
    const double per_flow = ms_between(t_mid, t_repair) / pr.interval_ms;
    const uint64_t floor = std::max<uint64_t>(1, static_cast<uint64_t>(opt_.path_share * per_flow));
    for (const auto& [name, n] : trial.served)
      if (n >= floor) trial.serving.push_back(name);
  }

  // The timeline.
  auto add = [&](int64_t t, const std::string& node, const std::string& kind, const std::string& detail) {
    trial.events.push_back({ms_between(t_fault, t), node, kind, detail});
  };
  add(t_fault, "", "fault", sc.fault.str());
  for (const auto& a : fault->actions()) add(a.t_ns, a.node, a.kind, a.detail);
  add(t_repair, "", "repair", sc.fault.str());

  std::set<Ipv4Prefix> watched;
  for (const auto& n : plan.nodes) {
    for (const auto& p : n.announce) watched.insert(p.normalized());
    for (const auto& r : n.anycast_routes) watched.insert(r.prefix);
  }
  std::map<std::string, std::string> node_of_ns;
  for (const auto& n : plan.nodes) node_of_ns[n.ns] = n.name;
  std::optional<int64_t> last_change, last_failback_change;
  for (const auto& e : routes_.drain()) {
    if (!watched.count(e.route.dst.normalized())) continue;
    std::string via;
    for (const auto& nh : e.route.nexthops) via += (via.empty() ? "" : ",") + (nh.via ? nh.via->str() + " " : "") + nh.dev;
    add(e.t_ns, node_of_ns[e.route.ns], e.kind == kernel::RouteEvent::Kind::Add ? "route-add" : "route-delete",
        e.route.dst.str() + (via.empty() ? "" : " via " + via));
    if (e.t_ns >= t_fault && e.t_ns < t_repair) last_change = e.t_ns;
    if (e.t_ns >= t_repair && e.t_ns < t_end) last_failback_change = e.t_ns;
  }
  if (last_change) trial.convergence_ms = ms_between(t_fault, *last_change);
  if (last_failback_change) trial.failback_convergence_ms = ms_between(t_repair, *last_failback_change);

  std::map<std::string, std::string> node_of_addr;
  for (const auto& n : plan.nodes)
    for (const auto& f : n.ifaces) node_of_addr[f.address.addr.str()] = n.name;
  for (auto& [node, tail] : logs)
    for (const auto& e : tail.read_new()) {
      int64_t t = e.realtime_ns - realtime_offset;
      if (t < t_fault - 1 * kS || t > t_end) continue;
      auto peer = node_of_addr.find(e.peer);
      add(t, node, e.kind, "peer " + (peer == node_of_addr.end() ? e.peer : peer->second) +
                               (e.detail.empty() ? "" : " (" + e.detail + ")"));
    }
  for (const auto* o : {&trial.forward, &trial.reverse}) {
    if (o->outage_ms <= 0) continue;
    std::string dir = o == &trial.forward ? pr.from + "->" + pr.to : pr.to + "->" + pr.from;
    trial.events.push_back({o->start_ms, "", "outage-start", dir});
    if (o->recovered) trial.events.push_back({o->end_ms, "", "outage-end", dir});
  }
  std::stable_sort(trial.events.begin(), trial.events.end(),
                   [](const Event& a, const Event& b) { return a.t_ms < b.t_ms; });
  return trial;
}

}  // namespace netlab::scenario
