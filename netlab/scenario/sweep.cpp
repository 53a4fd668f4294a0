#include "netlab/scenario/sweep.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "netlab/topology/graph.h"

namespace netlab::scenario {

using topology::DomainType;
using topology::Fault;
using topology::FaultKind;
using topology::Role;

namespace {

// How long detection of a session's loss can take: BFD when it runs,
// otherwise the BGP hold time.
double detection_s(const plan::Session& s) {
  if (s.bfd) return s.bfd->interval_ms * s.bfd->multiplier / 1000.0;
  return s.timers.hold_s;
}

// Sessions a failure can take down: over a failed link or tunnel, ending on
// a failed node, or riding a tunnel whose underlay failed.
double slowest_detection(const plan::Plan& p, const topology::Topology& t,
                         const topology::FailureSet& failed) {
  topology::Graph g(t);
  double worst = 0;
  for (const auto& s : p.sessions) {
    bool hit = failed.links.count(s.over) || failed.tunnels.count(s.over) || failed.nodes.count(s.a) ||
               failed.nodes.count(s.b);
    if (!hit)
      for (size_t i = 0; i < t.tunnels.size(); ++i)
        if (t.tunnels[i].name == s.over && !g.tunnel_up(i, failed)) hit = true;
    if (hit) worst = std::max(worst, detection_s(s));
  }
  return worst;
}

bool is_dx_device(const plan::PlanNode& n) { return n.role == Role::AwsDx; }

}  // namespace

bool SweepRow::reachable() const {
  return !result.trials.empty() &&
         std::all_of(result.trials.begin(), result.trials.end(), [](const Trial& t) { return t.reachable; });
}

std::vector<SweepFailure> sweep_failures(const topology::Topology& t, const plan::Plan& p, double hold) {
  std::vector<SweepFailure> out;
  const topology::Probe* probe = t.lab.probe ? &*t.lab.probe : nullptr;
  topology::Graph graph(t);
  std::set<std::string> dx_links, dx_devices, dx_locations;
  for (const auto& l : p.links)
    if (l.kind == topology::LinkKind::Dx) {
      dx_links.insert(l.name);
      for (const auto* e : {&l.a, &l.b})
        if (is_dx_device(*p.node(e->node))) {
          dx_devices.insert(e->node);
          if (auto loc = p.node(e->node)->domains.location) dx_locations.insert(*loc);
        }
      if (l.domains.location) dx_locations.insert(*l.domains.location);
    }

  auto add = [&](std::string kind, std::string name, Fault f, bool dx) {
    SweepFailure s{std::move(kind), std::move(name), f, hold, true, dx};
    auto failed = graph.failure_of(f);
    if (probe) s.predicted_reachable = graph.reach(probe->from, probe->to, failed).reachable;
    if (hold <= 0) s.hold_s = std::max(3.0, slowest_detection(p, t, failed) + 3.0);
    out.push_back(std::move(s));
  };

  for (const auto& l : p.links) {
    if (p.node(l.a.node)->role == Role::Host || p.node(l.b.node)->role == Role::Host) continue;
    Fault f;
    f.kind = FaultKind::Cut;
    f.target = l.name;
    add("link cut", l.name, f, dx_links.count(l.name) > 0);
  }
  for (const auto& tu : p.tunnels) {
    Fault f;
    f.kind = FaultKind::Cut;
    f.target = tu.name;
    add("tunnel cut", tu.name, f, false);
  }
  for (const auto& n : p.nodes) {
    if (!n.is_router()) continue;
    Fault f;
    f.kind = FaultKind::Crash;
    f.target = n.name;
    add("router crash", n.name, f, dx_devices.count(n.name) > 0);
  }
  for (const auto& n : p.nodes) {
    if (n.role == Role::Host) continue;
    Fault f;
    f.kind = FaultKind::Poweroff;
    f.target = n.name;
    add("node poweroff", n.name, f, dx_devices.count(n.name) > 0);
  }
  for (DomainType d : {DomainType::Site, DomainType::Location, DomainType::Az, DomainType::Region}) {
    std::set<std::string> values;
    for (const auto& n : p.nodes)
      if (auto& v = n.domains.get(d)) values.insert(*v);
    for (const auto& l : p.links)
      if (auto& v = l.domains.get(d)) values.insert(*v);
    for (const auto& v : values) {
      Fault f;
      f.kind = FaultKind::Domain;
      f.domain_type = d;
      f.domain_value = v;
      add(std::string(topology::to_string(d)) + " loss", v, f,
          d == DomainType::Location && dx_locations.count(v) > 0);
    }
  }
  return out;
}

SweepResult run_sweep(Runner& runner, const topology::Topology& t, const plan::Plan& p,
                      double hold, int trials) {
  if (!t.lab.probe) throw InputError("netlab sweep needs a [lab].probe between two hosts");
  SweepResult res;
  std::set<std::string> dx_links;
  for (const auto& l : p.links)
    if (l.kind == topology::LinkKind::Dx) dx_links.insert(l.name);
  for (const auto& f : sweep_failures(t, p, hold)) {
    topology::Scenario sc;
    sc.name = f.kind + " " + f.name;
    sc.fault = f.fault;
    sc.hold_s = f.hold_s;
    sc.trials = static_cast<uint32_t>(std::max(1, trials));
    sc.expect.reachable = f.predicted_reachable;
    SweepRow row{f, runner.run(sc), false};
    row.over_dx = !row.result.trials.empty() &&
                  std::all_of(row.result.trials.begin(), row.result.trials.end(), [&](const Trial& tr) {
                    return std::any_of(tr.path.begin(), tr.path.end(),
                                       [&](const std::string& l) { return dx_links.count(l) > 0; });
                  });
    res.rows.push_back(std::move(row));
  }
  res.dx = classify_dx(p, res.rows);
  return res;
}

Classification classify_dx(const plan::Plan& p, const std::vector<SweepRow>& rows) {
  // The DX structure: connections, the AWS devices they end on, locations.
  struct Conn {
    std::string link, device, location;
  };
  std::vector<Conn> conns;
  for (const auto& l : p.links) {
    if (l.kind != topology::LinkKind::Dx) continue;
    Conn c{l.name, "", l.domains.location.value_or("")};
    for (const auto* e : {&l.a, &l.b})
      if (is_dx_device(*p.node(e->node))) {
        c.device = e->node;
        if (c.location.empty()) c.location = p.node(e->node)->domains.location.value_or("");
      }
    conns.push_back(c);
  }
  if (conns.empty()) return {"none", "no Direct Connect connection"};

  std::map<std::string, std::set<std::string>> devices_at;  // location -> devices
  std::map<std::string, int> conns_at;
  for (const auto& c : conns) {
    devices_at[c.location].insert(c.device);
    ++conns_at[c.location];
  }

  // What was survived over DX, per kind of DX failure.
  auto survived = [&](const std::string& kind, const std::string& name) -> std::optional<bool> {
    for (const auto& r : rows)
      if (r.failure.kind == kind && r.failure.name == name) return r.reachable() && r.over_dx;
    return std::nullopt;
  };
  auto vpn_covered = [&](const std::string& kind, const std::string& name) {
    for (const auto& r : rows)
      if (r.failure.kind == kind && r.failure.name == name) return r.reachable() && !r.over_dx;
    return false;
  };
  std::vector<std::string> lost, backup;
  bool conn_ok = true, dev_ok = true, loc_ok = true;
  for (const auto& c : conns) {
    auto s = survived("link cut", c.link);
    if (s && !*s) {
      conn_ok = false;
      (vpn_covered("link cut", c.link) ? backup : lost).push_back("connection " + c.link);
    }
  }
  std::set<std::string> devices;
  for (const auto& c : conns)
    if (!c.device.empty()) devices.insert(c.device);
  for (const auto& d : devices) {
    auto s = survived("node poweroff", d);
    if (s && !*s) {
      dev_ok = false;
      (vpn_covered("node poweroff", d) ? backup : lost).push_back("device " + d);
    }
  }
  for (const auto& [loc, _] : devices_at) {
    if (loc.empty()) continue;
    auto s = survived("location loss", loc);
    if (s && !*s) {
      loc_ok = false;
      (vpn_covered("location loss", loc) ? backup : lost).push_back("location " + loc);
    }
  }

  auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  std::string tail;
  if (!lost.empty()) tail += "; unreachable on losing " + list(lost);
  if (!backup.empty()) tail += "; only the VPN backup carried traffic on losing " + list(backup);

  size_t nlocs = devices_at.size();
  bool two_per_location = std::all_of(devices_at.begin(), devices_at.end(), [&](const auto& kv) {
    return conns_at[kv.first] >= 2 && kv.second.size() >= 2;
  });
  std::string shape = fmt::format("{} connection{} on {} device{} at {} location{}", conns.size(),
                                  conns.size() == 1 ? "" : "s", devices.size(), devices.size() == 1 ? "" : "s",
                                  nlocs, nlocs == 1 ? "" : "s");
  if (conns.size() >= 2 && conn_ok && dev_ok && loc_ok && nlocs >= 2) {
    if (two_per_location)
      return {"Maximum Resiliency", shape + "; survives a connection, a device and a location over DX"};
    return {"High Resiliency", shape + "; survives a connection, a device and a location over DX"};
  }
  if (conns.size() >= 2 && conn_ok && dev_ok && devices.size() >= 2)
    return {"Development and Test", shape + "; survives a connection and a device over DX, not a location" + tail};
  return {"none", shape + tail};
}

std::string sweep_table(const SweepResult& r, bool color) {
  auto paint = [&](bool good, const std::string& s) {
    if (!color) return s;
    return std::string(good ? "\033[32m" : "\033[31;1m") + s + "\033[0m";
  };
  size_t nw = 7;
  for (const auto& row : r.rows) nw = std::max(nw, row.failure.kind.size() + 1 + row.failure.name.size());
  std::string o = fmt::format("{:<{}}  {:>6}  {:>9}  {:>9}  {:>10}  {:>10}  {}\n", "failure", nw, "hold",
                              "predicted", "reachable", "outage p50", "outage max", "path during failure");
  for (const auto& row : r.rows) {
    const auto& res = row.result;
    std::string name = row.failure.kind + " " + row.failure.name;
    if (!res.error.empty()) {
      o += fmt::format("{:<{}}  error: {}\n", name, nw, res.error);
      continue;
    }
    auto st = res.stats();
    std::string path;
    for (const auto& l : res.trials.empty() ? std::vector<std::string>{} : res.trials.back().path)
      path += (path.empty() ? "" : ",") + l;
    bool reach = row.reachable();
    bool open = std::any_of(res.trials.begin(), res.trials.end(), [](const Trial& t) {
      return !t.forward.recovered || !t.reverse.recovered;
    });
    o += fmt::format("{:<{}}  {:>5}s  {:>9}  {:>9}  {:>7} ms  {:>7} ms  {}\n", name, nw,
                     fmt::format("{:g}", row.failure.hold_s), row.failure.predicted_reachable ? "yes" : "no",
                     paint(reach, reach ? "yes" : "no"),
                     open ? "-" : fmt::format("{:.0f}", st["outage_ms"].p50),
                     open ? "-" : fmt::format("{:.0f}", st["outage_ms"].max), reach ? (path.empty() ? "-" : path) : "-");
  }
  o += "\nDirect Connect resiliency: " + r.dx.model + " (" + r.dx.reason + ")\n";
  return o;
}

}  // namespace netlab::scenario
