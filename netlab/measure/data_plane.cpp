#include "netlab/measure/data_plane.h"

#include <algorithm>
#include <cerrno>
#include <cmath>

#include "netlab/base/error.h"

namespace netlab::measure {

namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kS = 1'000'000'000;

double ms_between(int64_t from, int64_t to) { return static_cast<double>(to - from) / kMs; }

}  // namespace

Outage worst_of(const Outage& a, const Outage& b) {
  Outage o = b.outage_ms > a.outage_ms ? b : a;
  o.loss_ms = std::max(a.loss_ms, b.loss_ms);
  o.bursts = std::max(a.bursts, b.bursts);
  // Recovery: the later one; not sustained (a lower bound) when either is not.
  o.recovery_ms = std::max(a.recovery_ms, b.recovery_ms);
  o.recovery_sustained = a.recovery_sustained && b.recovery_sustained;
  o.recovered = a.recovered && b.recovered;
  auto pick = [](const std::optional<double>& x, const std::optional<double>& y, bool earliest) {
    if (!x || !y) return x ? x : y;
    return std::optional<double>(earliest ? std::min(*x, *y) : std::max(*x, *y));
  };
  o.first_lost_ms = pick(a.first_lost_ms, b.first_lost_ms, true);
  o.last_lost_ms = pick(a.last_lost_ms, b.last_lost_ms, false);
  return o;
}

LinkCounts delta(const LinkCounts& before, const LinkCounts& after) {
  LinkCounts d;
  for (const auto& [k, v] : after) {
    auto it = before.find(k);
    uint64_t b = it == before.end() ? 0 : it->second;
    if (v > b) d[k] = v - b;
  }
  return d;
}

std::vector<std::string> path_of(const LinkCounts& d, double window_ms, double interval_ms, double share,
                                 uint32_t flows, int directions) {
  double sent = directions * static_cast<double>(std::max<uint32_t>(1, flows)) * window_ms / interval_ms;
  uint64_t floor = std::max<uint64_t>(1, static_cast<uint64_t>(share * sent));
  std::vector<std::pair<uint64_t, std::string>> v;
  for (const auto& [k, n] : d)
    if (n >= floor) v.push_back({n, k});
  std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  std::vector<std::string> out;
  for (auto& [n, k] : v) out.push_back(k);
  return out;
}

namespace {

// Recovery, the bursts and the first and last lost probe of a window (see
// Outage). Runs are in seq order, so in time order.
void add_loss_figures(const DirectionReport& r, int64_t t_ref, bool clip, double clean_ms, Outage& o) {
  const int64_t I = r.interval_ns;
  o.loss_ms = static_cast<double>(r.lost) * static_cast<double>(I) / kMs;
  o.bursts = r.runs.size();
  if (r.runs.empty()) return;  // nothing lost: recovered at once
  const int64_t clean_ns = std::llround(clean_ms * kMs);
  const LossRun& first = r.runs.front();
  o.first_lost_ms = ms_between(t_ref, clip ? std::max(first.start_ns, r.window.begin_ns) : first.start_ns);
  const LossRun& last = r.runs.back();
  // A closed run ends at the send time of the first probe received after
  // it: its last lost probe left an interval earlier. An open run's lost
  // probes are on the interval grid from its start.
  const int64_t grid = last.lost > 0 ? static_cast<int64_t>(last.lost - 1) * I : 0;
  o.last_lost_ms = ms_between(t_ref, last.open ? last.start_ns + grid : last.end_ns - I);
  for (size_t i = 0; i < r.runs.size(); ++i) {
    const LossRun& run = r.runs[i];
    o.recovery_ms = ms_between(t_ref, run.end_ns);
    if (run.open) {
      o.recovery_sustained = false;
      return;
    }
    // Clean until the next run starts, or until the evidence ends.
    const int64_t clean_until = i + 1 < r.runs.size() ? r.runs[i + 1].start_ns : r.window.end_ns;
    if (clean_until - run.end_ns >= clean_ns) return;
  }
  o.recovery_sustained = false;  // the last run ended less than a clean period before the window closed
}

}  // namespace

Outage outage_of(const DirectionReport& r, int64_t t_ref, bool clip, double clean_ms) {
  Outage o;
  o.total_lost = r.lost;
  o.sent = r.sent;
  add_loss_figures(r, t_ref, clip, clean_ms, o);
  const LossRun* best = nullptr;
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

// One flow's logs as read: the client's and its peers'.
struct DataPlane::Logs {
  bool anycast = false;
  ProbeLog client;
  std::vector<ProbeLog> peers;
  DirectionReport forward(TimeWindow w, const AnalysisOptions& o = {}) const {
    return anycast ? analyze_anycast_forward(client, peers, w, o)
                   : analyze_direction(client, peers.front(), w, o);
  }
  DirectionReport reverse(TimeWindow w, const AnalysisOptions& o = {}) const {
    return anycast ? analyze_anycast_reverse(client, peers, w, o)
                   : analyze_direction(peers.front(), client, w, o);
  }
  // Both directions have carried something.
  bool flowing() const {
    return anycast ? !client.echoed.empty() : !client.received.empty() && !peers.front().received.empty();
  }
};

DataPlane::DataPlane(FlowIo& io, FlowSpec spec, std::vector<CountedIface> counted,
                     std::set<std::string> access_links, double path_share)
    : io_(io), spec_(std::move(spec)), counted_(std::move(counted)),
      access_links_(std::move(access_links)), path_share_(path_share) {}

DataPlane::~DataPlane() {
  try {
    stop();
  } catch (...) {
    // Teardown stops them from the journal.
  }
}

void DataPlane::start() {
  // Namespace by namespace, in the order of the counted interfaces.
  std::vector<std::pair<std::string, std::vector<std::string>>> by_ns;
  for (const auto& c : counted_) {
    if (by_ns.empty() || by_ns.back().first != c.ns) by_ns.push_back({c.ns, {}});
    by_ns.back().second.push_back(c.ifname);
  }
  for (const auto& [ns, ifs] : by_ns) io_.install_counters(ns, ifs, spec_.port, spec_.ports_counted, spec_.from.addr);
  for (uint32_t f = 0; f < std::max<uint32_t>(1, spec_.flows); ++f) start_flow(f);
}

void DataPlane::start_probe(const ProbeHost& me, Ipv4 bind, Ipv4 peer, uint32_t flow, uint32_t id,
                            uint32_t peer_id, ProbeMode mode, std::string& log) {
  ProbeProcess p{me.node, me.ns, "probe-" + std::to_string(flow), {}, spec_.dir + "/" + me.node + ".out"};
  ProbeOptions& o = p.options;
  o.bind_addr = bind;
  o.bind_port = static_cast<uint16_t>(spec_.port + flow);
  o.peer_addr = peer;
  o.peer_port = static_cast<uint16_t>(spec_.port + flow);
  o.interval_ns = std::llround(spec_.interval_ms * kMs);
  o.out = spec_.dir + "/" + spec_.prefix + "-" + me.node + "-" + std::to_string(flow) + ".log";
  o.stream_id = id;
  o.peer_stream_id = peer_id;
  o.mode = mode;
  o.realtime = true;
  o.size = spec_.size;
  o.df = spec_.df;
  log = o.out;
  io_.start_probe(p);
  running_.push_back({me.node, p.name});
}

void DataPlane::start_flow(uint32_t f) {
  FlowLogs fl;
  const ProbeHost& from = spec_.from;
  if (spec_.service) {
    // The reflectors first, so they are usually up when the client's first
    // probes arrive; flowing() is waited for either way.
    fl.peers.resize(spec_.to.size());
    for (size_t i = 0; i < spec_.to.size(); ++i)
      start_probe(spec_.to[i], *spec_.service, from.addr, f, static_cast<uint32_t>(i + 1), 1 + f,
                  ProbeMode::kReflect, fl.peers[i]);
    start_probe(from, from.addr, *spec_.service, f, 1 + f, 0, ProbeMode::kEcho, fl.client);
  } else {
    const ProbeHost& to = spec_.to.front();
    fl.peers.resize(1);
    start_probe(from, from.addr, to.addr, f, 1 + 2 * f, 2 + 2 * f, ProbeMode::kStream, fl.client);
    start_probe(to, to.addr, from.addr, f, 2 + 2 * f, 1 + 2 * f, ProbeMode::kStream, fl.peers[0]);
  }
  logs_.push_back(std::move(fl));
}

void DataPlane::stop() {
  auto procs = std::move(running_);
  running_.clear();
  for (const auto& [node, name] : procs) io_.stop_probe(node, name);
}

DataPlane::Logs DataPlane::read(uint32_t flow) {
  Logs r{spec_.service.has_value(), io_.read_log(logs_.at(flow).client), {}};
  for (const auto& p : logs_[flow].peers) r.peers.push_back(io_.read_log(p));
  return r;
}

bool DataPlane::flowing() {
  bool all = true;
  try {
    for (uint32_t f = 0; f < logs_.size(); ++f) all = all && read(f).flowing();
  } catch (const KernelError& e) {
    if (e.err() != ENOENT) throw;
    return false;  // a probe has not created its log yet: not flowing yet
  }
  return all;
}

Counts DataPlane::snapshot() {
  Counts out;
  std::string ns;
  std::map<std::string, DirectionCounts> c;
  for (const auto& i : counted_) {
    if (i.ns != ns) c = io_.read_counters(ns = i.ns);
    auto it = c.find(i.ifname);
    if (it == c.end()) continue;
    out.both[i.link] += it->second.both();
    out.forward[i.link] += it->second.forward;
    out.reverse[i.link] += it->second.reverse;
  }
  return out;
}

std::vector<std::string> DataPlane::path(const Counts& before, const Counts& after, int64_t window_ns) const {
  std::vector<std::string> out;
  for (auto& l : path_of(delta(before.both, after.both), static_cast<double>(window_ns) / kMs, spec_.interval_ms,
                         path_share_, static_cast<uint32_t>(logs_.size())))
    if (!access_links_.count(l)) out.push_back(std::move(l));
  return out;
}

std::vector<std::string> DataPlane::path(const Counts& before, const Counts& after, int64_t window_ns,
                                         bool forward) const {
  std::vector<std::string> out;
  const LinkCounts& b = forward ? before.forward : before.reverse;
  const LinkCounts& a = forward ? after.forward : after.reverse;
  for (auto& l : path_of(delta(b, a), static_cast<double>(window_ns) / kMs, spec_.interval_ms, path_share_,
                         static_cast<uint32_t>(logs_.size()), 1))
    if (!access_links_.count(l)) out.push_back(std::move(l));
  return out;
}

bool DataPlane::clean(TimeWindow recent) {
  bool clean = true;
  for (uint32_t f = 0; f < logs_.size(); ++f) {
    auto r = read(f);
    auto fwd = r.forward(recent);
    clean = clean && fwd.runs.empty() && fwd.reachable && r.reverse(recent).runs.empty();
  }
  return clean;
}

DataPlaneFigures DataPlane::analyse(const TrialTimes& t, const AnalysisOptions& ao, double clean_ms) {
  DataPlaneFigures d;
  const int64_t from = t.prepare > 0 ? std::min(t.prepare, t.fault) : t.fault;
  const TimeWindow during{from, t.repair}, after{t.repair, t.end};
  // "Reachable while the fault holds": probes get through, both ways, in the
  // last second of the hold (or its second half, for short holds).
  const int64_t tail = std::min<int64_t>(kS, (t.repair - t.fault) / 2);
  const TimeWindow end_of_hold{t.repair - tail, t.repair};
  int64_t lateness = 0;
  for (uint32_t f = 0; f < logs_.size(); ++f) {
    auto logs = read(f);
    auto fwd = logs.forward(during, ao);
    auto rev = logs.reverse(during, ao);
    FlowFigures ff{f, outage_of(fwd, t.fault, false, clean_ms), outage_of(rev, t.fault, false, clean_ms)};
    d.reachable = d.reachable && logs.forward(end_of_hold, ao).reachable &&
                  logs.reverse(end_of_hold, ao).reachable;
    // The trial's figures are its worst flow's.
    d.forward = f == 0 ? ff.forward : worst_of(d.forward, ff.forward);
    d.reverse = f == 0 ? ff.reverse : worst_of(d.reverse, ff.reverse);
    Outage fbf = outage_of(logs.forward(after, ao), t.repair, true, clean_ms);
    Outage fbr = outage_of(logs.reverse(after, ao), t.repair, true, clean_ms);
    if (spec_.service) add_served(logs, t, d);
    d.failback_forward = f == 0 ? fbf : worst_of(d.failback_forward, fbf);
    d.failback_reverse = f == 0 ? fbr : worst_of(d.failback_reverse, fbr);
    lateness = std::max({lateness, fwd.max_lateness_ns.value_or(0), rev.max_lateness_ns.value_or(0)});
    if (logs_.size() > 1) d.flows.push_back(ff);
  }
  d.probe_max_lateness_ms = static_cast<double>(lateness) / kMs;
  if (spec_.service) pick_serving(t, d);
  return d;
}

// Anycast: which instance received the probes, before and while the fault held.
void DataPlane::add_served(const Logs& logs, const TrialTimes& t, DataPlaneFigures& d) const {
  auto before = served_by(logs.peers, {t.pre, t.pre_end});
  auto now = served_by(logs.peers, {t.mid, t.repair});
  for (size_t i = 0; i < spec_.to.size(); ++i) {
    d.served_before[spec_.to[i].node] += before[i];
    d.served[spec_.to[i].node] += now[i];
  }
}

// Serving: at least path_share of all the probes of the window (every
// flow), as for the path, so a few probes caught in a transient do not count.
void DataPlane::pick_serving(const TrialTimes& t, DataPlaneFigures& d) const {
  const double sent = static_cast<double>(logs_.size()) * ms_between(t.mid, t.repair) / spec_.interval_ms;
  const uint64_t floor = std::max<uint64_t>(1, static_cast<uint64_t>(path_share_ * sent));
  for (const auto& [name, n] : d.served)
    if (n >= floor) d.serving.push_back(name);
}

}  // namespace netlab::measure
