#include "netlab/scenario/trial.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <set>

#include "netlab/base/error.h"
#include "netlab/base/time_scale.h"
#include "netlab/scenario/guard.h"

namespace netlab::scenario {

namespace {

constexpr int64_t kMs = 1'000'000;
constexpr int64_t kS = 1'000'000'000;

double ms_between(int64_t from, int64_t to) { return static_cast<double>(to - from) / kMs; }

int64_t ns_of(double seconds) { return std::llround(seconds * kS); }

// Every interface of every node, node by node: where probes are counted.
std::vector<measure::CountedIface> counted_ifaces(const plan::Plan& p) {
  std::vector<measure::CountedIface> out;
  for (const auto& n : p.nodes)
    for (const auto& f : n.ifaces) out.push_back({n.ns, f.name, f.link});
  return out;
}

// Links between a host and its router: they always carry the probe, and a
// fault cannot move traffic between them, so paths leave them out.
std::set<std::string> access_links(const plan::Plan& p) {
  std::set<std::string> out;
  for (const auto& l : p.links)
    if (p.node(l.a.node)->role == topology::Role::Host || p.node(l.b.node)->role == topology::Role::Host)
      out.insert(l.name);
  return out;
}

// Compared as sets: the order (busiest first) swaps between windows when two
// links carry one direction each.
bool same_links(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

// Runs `step`; whatever happens in it (an interrupt, a failed operation),
// the lab must not be left broken: what was injected is repaired first.
template <class F>
void repairing_on_error(fault::Fault& f, F step) {
  try {
    step();
  } catch (...) {
    if (f.injected()) f.repair();
    throw;
  }
}

}  // namespace

measure::FlowSpec flow_spec(const plan::Plan& plan, const topology::Probe& pr, const std::string& prefix) {
  const plan::PlanNode* from = plan.node(pr.from);
  const std::vector<const plan::PlanNode*> instances = plan.anycast_instances(pr.to);
  const bool anycast = !instances.empty();
  const plan::PlanNode* to = anycast ? nullptr : plan.node(pr.to);
  if (!from || (!anycast && !to))
    throw Error("the probe's ends " + pr.from + " and " + pr.to + " are not in the plan");
  measure::FlowSpec s;
  s.from = {from->name, from->ns, from->ifaces.front().address.addr};
  if (anycast) {
    s.service = *Ipv4::parse(pr.to);
    for (const auto* i : instances) s.to.push_back({i->name, i->ns, *s.service});
  } else {
    s.to.push_back({to->name, to->ns, to->ifaces.front().address.addr});
  }
  s.flows = std::max<uint32_t>(1, pr.flows);
  s.interval_ms = pr.interval_ms;
  s.size = pr.size.value_or(0);
  s.df = pr.df;
  s.port = plan.probe_port;
  s.ports_counted = static_cast<uint16_t>(topology::kMaxFlows);
  s.dir = plan.runtime_dir + "/probe";
  s.prefix = prefix;
  return s;
}

std::vector<measure::TrafficSpec> traffic_specs(const plan::Plan& plan,
                                                const std::vector<const topology::Traffic*>& entries, double scale) {
  std::vector<measure::TrafficSpec> out;
  for (const auto* entry : entries) {
    const topology::Traffic& e = *entry;
    const plan::PlanNode* a = plan.node(e.from);
    const plan::PlanNode* b = plan.node(e.to);
    if (!a || !b) throw Error("the ends of traffic " + e.name + ", " + e.from + " and " + e.to + ", are not in the plan");
    auto one = [&](const plan::PlanNode& from, const plan::PlanNode& to, const std::string& name) {
      measure::TrafficSpec s;
      s.name = name;
      s.from_node = from.name;
      s.from_ns = from.ns;
      s.to_node = to.name;
      s.to_ns = to.ns;
      s.from_addr = from.ifaces.front().address.addr;
      s.to_addr = to.ifaces.front().address.addr;
      s.port = static_cast<uint16_t>(kTrafficPort + 64 * out.size());
      s.flows = e.flows;
      s.protocol = e.protocol == topology::TrafficProtocol::Tcp ? measure::TrafficProtocol::Tcp
                                                               : measure::TrafficProtocol::Udp;
      s.rate_mbit = e.rate_mbit.value_or(0) / scale;
      s.pps = e.pps.value_or(0) / scale;
      s.size = e.size;
      s.df = e.df;
      out.push_back(std::move(s));
    };
    using D = topology::TrafficDirection;
    if (e.direction != D::Reverse) one(*a, *b, e.direction == D::Both ? e.name + " forward" : e.name);
    if (e.direction != D::Forward) one(*b, *a, e.direction == D::Both ? e.name + " reverse" : e.name);
  }
  return out;
}

TrialRun::TrialRun(const TrialContext& ctx, const topology::Scenario& sc, const topology::Probe& pr,
                   int index)
    : ctx_(ctx), sc_(sc), probe_(pr) {
  trial_.index = index;
  trial_.probe_interval_ms = pr.interval_ms;
  trial_.clean_ms = sc.clean_ms;
}

// A trial that ends in an error stops its traffic too: nothing outlives it.
TrialRun::~TrialRun() {
  try {
    stop_traffic();
  } catch (...) {
  }
}

Trial TrialRun::run() {
  start_flows();
  baseline();
  inject();
  hold();
  repair();
  failback();
  analyse();
  return trial_;
}

void TrialRun::start_flows() {
  // Converged, checked rather than assumed.
  ctx_.control.wait_converged(std::chrono::seconds(90));
  data_ = std::make_unique<measure::DataPlane>(
      ctx_.flows, flow_spec(ctx_.plan, probe_, sc_.name + "-" + std::to_string(trial_.index)),
      counted_ifaces(ctx_.plan), access_links(ctx_.plan), ctx_.options.path_share);
  data_->start();
  // Every stream must get through before anything is broken.
  const int64_t deadline = now() + scaled_ns(10 * kS);
  for (;;) {
    sleep_until(now() + 100 * kMs);
    if (data_->flowing()) break;
    if (now() > deadline)
      throw Error("the probe between " + probe_.from + " and " + probe_.to +
                  " does not get through before the fault: the baseline is broken");
  }
  start_traffic();
}

// The load beside the probe (docs/traffic.md): started once the probe
// flows, so that the baseline window holds it; stopped after the settle
// period, its logs then complete.
void TrialRun::start_traffic() {
  if (!has_traffic()) return;
  const std::string dir = ctx_.plan.runtime_dir + "/traffic/" + sc_.name + "-" + std::to_string(trial_.index);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error("cannot create the traffic's log directory " + dir + ": " + ec.message());
  ctx_.traffic->start(*ctx_.traffic_specs, dir);
  traffic_running_ = true;
  // A TCP stream needs its slow start behind it before the baseline.
  sleep_until(now() + 500 * kMs);
}

void TrialRun::stop_traffic() {
  if (!traffic_running_) return;
  traffic_running_ = false;
  ctx_.traffic->stop();
}

void TrialRun::baseline() {
  say("  probe flowing; baseline " + std::to_string(static_cast<int>(ctx_.options.pre_s * 1000)) + " ms");
  // The path the probe takes while all is well.
  if (ctx_.canary) ctx_.canary->begin();
  t_.pre = now();
  measure::Counts c0 = data_->snapshot();
  sleep_until(t_.pre + ns_of(ctx_.options.pre_s));
  c1_ = data_->snapshot();
  t_.pre_end = now();
  trial_.path_before = data_->path(c0, c1_, t_.pre_end - t_.pre);
  arm_event_sources();
}

void TrialRun::arm_event_sources() {
  ctx_.routes.drain();
  frr_logs_.clear();
  for (const auto& n : ctx_.plan.nodes)
    if (n.is_router())
      frr_logs_.emplace(n.name, measure::FrrLogTail(n.frr_dir + "/frr.log")).first->second.skip_to_end();
  kernel::Clock& clock = ctx_.control.clock();
  realtime_offset_ = clock.realtime_ns() - clock.now_ns();
}

void TrialRun::inject() {
  fault_ = fault::make_fault(sc_.fault, ctx_.plan, ctx_.control);
  repairing_on_error(*fault_, [&] {
    t_.fault = fault_->inject();
    t_.prepare = fault_->prepared_at();
  });
}

void TrialRun::hold() {
  repairing_on_error(*fault_, [&] {
    // The path while the fault holds is that of the steady state after
    // detection: before it, packets still cross links on their way to the
    // break, and that transient is the outage, not the path. Detection is
    // known only from the route events and the probe logs read at the end,
    // so the counters are read all along and the window chosen then.
    hold_counts_.clear();
    const int64_t end = t_.fault + ns_of(sc_.hold_s);
    for (int64_t t = now(); t < end; t = now()) {
      hold_counts_.push_back({t, data_->snapshot()});
      sleep_until(std::min(end, t + 100 * kMs));
    }
  });
}

void TrialRun::repair() {
  c2_ = data_->snapshot();
  t_.repair = fault_->repair();
  trial_.hold_ms = ms_between(t_.fault, t_.repair);
  trial_.path_packets = measure::delta(c1_.both, c2_.both);
}

// The lab is back at a converged baseline, checked rather than assumed:
// every session Established and route installed, the probe getting through
// both ways with no loss, on a path that no longer moves. The path may differ
// from the one before the fault (ECMP hashing, BGP's "oldest route"
// tie-break after a flap): that is reported, not an error.
void TrialRun::failback() {
  const int64_t deadline = now() + ns_of(ctx_.options.failback_timeout_s);
  measure::Counts last = data_->snapshot();
  int64_t t_last = now();
  std::optional<std::vector<std::string>> previous;
  std::string last_waiting;
  for (;;) {
    sleep_until(now() + 250 * kMs);
    const std::vector<std::string> missing = ctx_.control.not_converged();
    const bool converged = missing.empty();
    measure::Counts counts = data_->snapshot();
    const int64_t t_now = now();
    auto path = data_->path(last, counts, t_now - t_last);
    const bool clean = data_->clean({t_last, t_now});
    last = counts;
    t_last = t_now;
    if (converged && clean && previous && same_links(path, *previous)) {
      trial_.path_after = path;
      break;
    }
    previous = path;
    std::string waiting = !converged ? missing.front() : !clean ? "the probe still losing packets" : "the path to settle";
    if (waiting != last_waiting) say("  failback: waiting for " + (last_waiting = waiting));
    if (t_now > deadline) {
      std::string got;
      for (const auto& p : path) got += (got.empty() ? "" : ",") + p;
      throw Error("after the repair the lab did not return to a converged baseline within " +
                  std::to_string(static_cast<int>(ctx_.options.failback_timeout_s)) + " s (" +
                  (converged ? "converged" : "not converged") + ", probe " +
                  (clean ? "clean" : "losing packets") + ", path " + (got.empty() ? "none" : got) + ")");
    }
  }
  failback_done_ = now();
  say("  failback complete " + std::to_string(static_cast<int>(ms_between(t_.repair, failback_done_))) +
      " ms after the repair");
  sleep_until(now() + ns_of(ctx_.options.settle_s));
  t_.end = now();
  if (ctx_.canary) canary_ = ctx_.canary->figures();
  data_->stop();  // the logs are complete once every probe has written its end record
  stop_traffic();
}

namespace {

scenario::TrafficFigures figures_of(const measure::TrafficWindow& w) {
  scenario::TrafficFigures f;
  f.measured = w.measured;
  f.why_not = w.why_not;
  f.seconds = w.seconds;
  f.offered_mbit = w.offered_mbit;
  f.offered_pps = w.offered_pps;
  f.delivered_mbit = w.delivered_mbit;
  f.delivered_pps = w.delivered_pps;
  f.delivered_pct = w.delivered_pct;
  f.loss_pct = w.loss_pct;
  f.sent = w.sent;
  f.received = w.received;
  f.emsgsize = w.emsgsize;
  f.path_mtu = w.path_mtu;
  return f;
}

}  // namespace

// Before: the baseline; during: the second half of the hold (the settled
// state; the first half is the outage the probe measures); after: the
// settle period once failback was complete.
void TrialRun::analyse_traffic() {
  if (!has_traffic()) return;
  const int64_t mid = t_.fault + (t_.repair - t_.fault) / 2;
  for (size_t i = 0; i < ctx_.traffic_specs->size(); ++i) {
    const measure::TrafficSpec& s = (*ctx_.traffic_specs)[i];
    TrafficTrial x;
    x.name = s.name;
    x.protocol = s.protocol == measure::TrafficProtocol::Tcp ? "tcp" : "udp";
    x.size = s.size;
    x.df = s.df;
    x.rate_mbit = s.rate_mbit;
    x.pps = s.pps;
    x.before = figures_of(ctx_.traffic->window(i, t_.pre, t_.fault));
    x.during = figures_of(ctx_.traffic->window(i, mid, t_.repair));
    x.after = figures_of(ctx_.traffic->window(i, failback_done_, t_.end));
    trial_.traffic.push_back(std::move(x));
  }
}

// A packet may be on its way for as long as the slowest impaired path holds
// it; only then is a missing one lost.
measure::AnalysisOptions TrialRun::analysis_options() const {
  measure::AnalysisOptions ao;
  double held_ms = sc_.fault.delay_ms.value_or(0);
  for (const auto& l : ctx_.plan.links)
    held_ms = std::max(held_ms, l.impair.delay_ms.value_or(0) + l.impair.jitter_ms.value_or(0));
  ao.in_flight_ns += std::llround(2 * held_ms * kMs);
  return ao;
}

void TrialRun::analyse() {
  const std::vector<kernel::RouteEvent> routes = ctx_.routes.drain();
  // Lost notifications while the trial ran: its route figures are then
  // computed from an incomplete record.
  trial_.route_events_lost = 0;
  for (const auto& e : ctx_.routes.errors())
    if (e.t_ns >= t_.fault && e.t_ns <= t_.end) ++trial_.route_events_lost;
  t_.mid = t_.fault + ns_of(sc_.hold_s) / 2;
  measure::DataPlaneFigures d = data_->analyse(t_, analysis_options(), sc_.clean_ms);
  const int64_t detected = detection(routes, d);
  fill_path(detected);
  if (data_->spec().service) d = data_->analyse(t_, analysis_options(), sc_.clean_ms);  // served from t_.mid
  trial_.forward = d.forward;
  trial_.reverse = d.reverse;
  trial_.failback_forward = d.failback_forward;
  trial_.failback_reverse = d.failback_reverse;
  trial_.reachable = d.reachable;
  trial_.probe_max_lateness_ms = d.probe_max_lateness_ms;
  if (canary_ && canary_->wakeups > 0) trial_.canary_max_lateness_ms = canary_->max_lateness_ms;
  judge_starvation(trial_, starvation_limit(ctx_.plan));
  trial_.flows = std::move(d.flows);
  trial_.served_before = std::move(d.served_before);
  trial_.served = std::move(d.served);
  trial_.serving = std::move(d.serving);
  analyse_traffic();

  add_event(t_.fault, "", "fault", sc_.fault.str());
  for (const auto& a : fault_->actions()) add_event(a.t_ns, a.node, a.kind, a.detail);
  add_event(t_.repair, "", "repair", sc_.fault.str());
  add_route_events(routes);
  add_frr_events();
  add_outage_events();
  std::stable_sort(trial_.events.begin(), trial_.events.end(),
                   [](const Event& a, const Event& b) { return a.t_ms < b.t_ms; });
}

bool TrialRun::watched(const kernel::RouteEvent& e) const {
  for (const auto& n : ctx_.plan.nodes) {
    for (const auto& p : n.announce)
      if (p.normalized() == e.route.dst.normalized()) return true;
    for (const auto& r : n.anycast_routes)
      if (r.prefix == e.route.dst.normalized()) return true;
  }
  return false;
}

// When the network noticed the fault: its first watched route change, or,
// where no route changed (a fault the routing never sees, or a reroute below
// the watched prefixes), the end of the data plane's outage. Neither: the
// hold's middle, as a last resort.
int64_t TrialRun::detection(const std::vector<kernel::RouteEvent>& routes,
                            const measure::DataPlaneFigures& d) const {
  for (const auto& e : routes)
    if (e.t_ns >= t_.fault && e.t_ns < t_.repair && watched(e)) return e.t_ns;
  std::optional<int64_t> end;
  for (const auto* o : {&d.forward, &d.reverse})
    if (o->outage_ms > 0 && o->recovered) end = std::max<int64_t>(end.value_or(0), t_.fault + std::llround(o->end_ms * kMs));
  return end ? *end : t_.fault + ns_of(sc_.hold_s) / 2;
}

// The path while the fault held: from the first counter reading at or after
// detection to the repair. Detection after the last reading (a hold too
// short for the fault's detection, which validate refuses): the last
// reading's window, the closest to a steady state there is.
void TrialRun::fill_path(int64_t detected) {
  if (hold_counts_.empty()) hold_counts_.push_back({t_.fault, c1_});
  const auto* from = &hold_counts_.back();
  for (const auto& c : hold_counts_)
    if (c.first >= detected) {
      from = &c;
      break;
    }
  t_.mid = from->first;
  trial_.path = data_->path(from->second, c2_, t_.repair - t_.mid);
  // Per direction: an ECMP hash may send each way over another link.
  trial_.path_forward = data_->path(from->second, c2_, t_.repair - t_.mid, true);
  trial_.path_reverse = data_->path(from->second, c2_, t_.repair - t_.mid, false);
}

void TrialRun::add_event(int64_t t, const std::string& node, const std::string& kind,
                         const std::string& detail) {
  trial_.events.push_back({ms_between(t_.fault, t), node, kind, detail});
}

// Changes of the announced (and anycast) prefixes, and from them the
// control plane's convergence: the last change while the fault held, and
// after the repair.
void TrialRun::add_route_events(const std::vector<kernel::RouteEvent>& routes) {
  std::map<std::string, std::string> node_of_ns;
  for (const auto& n : ctx_.plan.nodes) node_of_ns[n.ns] = n.name;
  std::optional<int64_t> last_change, last_failback_change;
  for (const auto& e : routes) {
    if (!watched(e)) continue;
    std::string via;
    for (const auto& nh : e.route.nexthops) via += (via.empty() ? "" : ",") + (nh.via ? nh.via->str() + " " : "") + nh.dev;
    add_event(e.t_ns, node_of_ns[e.route.ns], e.kind == kernel::RouteEvent::Kind::Add ? "route-add" : "route-delete",
              e.route.dst.str() + (via.empty() ? "" : " via " + via));
    if (e.t_ns >= t_.fault && e.t_ns < t_.repair) last_change = e.t_ns;
    if (e.t_ns >= t_.repair && e.t_ns < t_.end) last_failback_change = e.t_ns;
  }
  if (last_change) trial_.convergence_ms = ms_between(t_.fault, *last_change);
  if (last_failback_change) trial_.failback_convergence_ms = ms_between(t_.repair, *last_failback_change);
  // Still changing at the repair: a watched route changed in the last
  // quiet period before it (a second, or a quarter of a short hold), so the
  // network may not have settled and the convergence is a lower bound.
  const int64_t quiet = std::min<int64_t>(kS, (t_.repair - t_.fault) / 4);
  trial_.convergence_still_changing = last_change && *last_change >= t_.repair - quiet;
}

// BFD and BGP state changes from the routers' FRR logs, from a second
// before the fault to the end of the trial.
void TrialRun::add_frr_events() {
  std::map<std::string, std::string> node_of_addr;
  for (const auto& n : ctx_.plan.nodes)
    for (const auto& f : n.ifaces) node_of_addr[f.address.addr.str()] = n.name;
  for (auto& [node, tail] : frr_logs_)
    for (const auto& e : tail.read_new()) {
      int64_t t = e.realtime_ns - realtime_offset_;
      if (t < t_.fault - 1 * kS || t > t_.end) continue;
      auto peer = node_of_addr.find(e.peer);
      add_event(t, node, e.kind, "peer " + (peer == node_of_addr.end() ? e.peer : peer->second) +
                                     (e.detail.empty() ? "" : " (" + e.detail + ")"));
    }
}

void TrialRun::add_outage_events() {
  for (const auto* o : {&trial_.forward, &trial_.reverse}) {
    if (o->outage_ms <= 0) continue;
    std::string dir = o == &trial_.forward ? probe_.from + "->" + probe_.to : probe_.to + "->" + probe_.from;
    trial_.events.push_back({o->start_ms, "", "outage-start", dir});
    if (o->recovered) trial_.events.push_back({o->end_ms, "", "outage-end", dir});
  }
}

}  // namespace netlab::scenario
