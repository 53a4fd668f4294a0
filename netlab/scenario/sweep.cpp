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

// The failures classify_dx() judges, by their kind (and `dx`).
constexpr const char* kConnectionLoss = "link cut";
constexpr const char* kDeviceLoss = "node poweroff";
constexpr const char* kLocationLoss = "location loss";

}  // namespace

SweepOnly parse_sweep_only(const std::string& text) {
  if (text.empty() || text == "all") return SweepOnly::All;
  if (text == "dx") return SweepOnly::Dx;
  throw InputError("--only \"" + text + "\": the choices are dx (the failures the Direct Connect class judges) and all");
}

bool judged_by_dx_class(const SweepFailure& f) {
  return f.dx && (f.kind == kConnectionLoss || f.kind == kDeviceLoss || f.kind == kLocationLoss);
}

std::vector<SweepFailure> select_failures(std::vector<SweepFailure> failures, SweepOnly only) {
  if (only == SweepOnly::Dx) std::erase_if(failures, [](const SweepFailure& f) { return !judged_by_dx_class(f); });
  return failures;
}

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
    add(kConnectionLoss, l.name, f, dx_links.count(l.name) > 0);
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
    add(kDeviceLoss, n.name, f, dx_devices.count(n.name) > 0);
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

SweepRow sweep_row(const plan::Plan& p, const SweepFailure& f, ScenarioResult result) {
  std::set<std::string> dx_links;
  for (const auto& l : p.links)
    if (l.kind == topology::LinkKind::Dx) dx_links.insert(l.name);
  SweepRow row{f, std::move(result), false};
  row.over_dx = !row.result.trials.empty() &&
                std::all_of(row.result.trials.begin(), row.result.trials.end(), [&](const Trial& tr) {
                  return std::any_of(tr.path.begin(), tr.path.end(),
                                     [&](const std::string& l) { return dx_links.count(l) > 0; });
                });
  return row;
}

SweepResult run_sweep(Runner& runner, const topology::Topology& t, const plan::Plan& p,
                      double hold, int trials, const Shard& shard, SweepOnly only) {
  if (!t.lab.probe) throw InputError("netlab sweep needs a [lab].probe between two hosts");
  SweepResult res;
  auto all = sweep_failures(t, p, hold);
  res.only = only;
  res.all_failures = all.size();
  const auto failures = select_failures(std::move(all), only);
  res.selected_failures = failures.size();
  for (size_t i = 0; i < failures.size(); ++i) {
    if (!in_shard(shard, i)) continue;
    const auto& f = failures[i];
    topology::Scenario sc;
    sc.name = f.kind + " " + f.name;
    sc.fault = f.fault;
    sc.hold_s = f.hold_s;
    sc.trials = static_cast<uint32_t>(std::max(1, trials));
    sc.expect.reachable = f.predicted_reachable;
    res.rows.push_back(sweep_row(p, f, runner.run(sc)));
  }
  res.dx = classify_dx(p, res.rows);
  return res;
}

SweepResult merge_jobs(const plan::Plan& p, const std::vector<SweepFailure>& failures,
                       const std::vector<std::vector<ScenarioResult>>& per_job) {
  const int jobs = static_cast<int>(per_job.size());
  std::vector<size_t> next(per_job.size(), 0);  // each job's next result
  SweepResult res;
  for (size_t i = 0; i < failures.size(); ++i) {
    const auto& f = failures[i];
    const std::string name = f.kind + " " + f.name;
    for (int k = 1; k <= jobs; ++k) {
      if (!in_shard(Shard{k, jobs}, i)) continue;
      const auto& mine = per_job[static_cast<size_t>(k - 1)];
      size_t& at = next[static_cast<size_t>(k - 1)];
      if (at >= mine.size() || mine[at].name != name)
        throw Error("job " + std::to_string(k) + " of " + std::to_string(jobs) + " has no result for " + name +
                    (at < mine.size() ? " (found " + mine[at].name + " in its place)" : ""));
      res.rows.push_back(sweep_row(p, f, mine[at++]));
    }
  }
  for (size_t k = 0; k < per_job.size(); ++k)
    if (next[k] != per_job[k].size())
      throw Error("job " + std::to_string(k + 1) + " of " + std::to_string(jobs) + " ran " +
                  per_job[k][next[k]].name + ", which is not its part of the sweep");
  res.dx = classify_dx(p, res.rows);
  return res;
}

std::string Classification::reason() const {
  std::string r = "layout " + layout + " (" + shape + ")";
  if (findings.empty()) {
    r += verdict == Verdict::Pass && layout != "none" ? "; measured: every failure it promises survived over DX"
                                                      : "";
  } else {
    r += "; measured: ";
    for (size_t i = 0; i < findings.size(); ++i) r += (i ? ", " : "") + findings[i];
  }
  for (const auto& n : notes) r += "; " + n;
  return r;
}

Verdict SweepResult::verdict() const {
  Verdict v = dx.verdict;
  for (const auto& r : rows) v = worst(v, r.result.verdict());
  return v;
}

namespace {

// What the row of one failure of the DX layout shows.
enum class Seen { Survived, Backup, Lost, Starved, Unmeasured, Missing };
Seen seen_in(const std::vector<SweepRow>& rows, const std::string& kind, const std::string& name) {
  for (const auto& r : rows) {
    if (r.failure.kind != kind || r.failure.name != name) continue;
    if (r.result.verdict() == Verdict::Error) return Seen::Unmeasured;
    if (std::any_of(r.result.trials.begin(), r.result.trials.end(), [](const Trial& t) { return !t.valid; }))
      return Seen::Starved;
    if (!r.reachable()) return Seen::Lost;
    return r.over_dx ? Seen::Survived : Seen::Backup;
  }
  return Seen::Missing;
}

}  // namespace

Classification classify_dx(const plan::Plan& p, const std::vector<SweepRow>& rows) {
  Classification c;
  // The DX layout: connections, the AWS devices they end on, locations.
  struct Conn {
    std::string link, device, location;
  };
  std::vector<Conn> conns;
  for (const auto& l : p.links) {
    if (l.kind != topology::LinkKind::Dx) continue;
    Conn cn{l.name, "", l.domains.location.value_or("")};
    for (const auto* e : {&l.a, &l.b})
      if (is_dx_device(*p.node(e->node))) {
        cn.device = e->node;
        if (cn.location.empty()) cn.location = p.node(e->node)->domains.location.value_or("");
      }
    conns.push_back(cn);
  }
  std::map<std::string, std::set<std::string>> devices_at;  // location -> devices
  std::map<std::string, int> conns_at;
  std::set<std::string> devices;
  for (const auto& cn : conns) {
    if (!cn.device.empty()) devices.insert(cn.device);
    if (cn.location.empty()) continue;
    if (!cn.device.empty()) devices_at[cn.location].insert(cn.device);
    ++conns_at[cn.location];
  }
  size_t nlocs = conns_at.size();
  c.shape = fmt::format("{} connection{} on {} device{} at {} location{}", conns.size(), conns.size() == 1 ? "" : "s",
                        devices.size(), devices.size() == 1 ? "" : "s", nlocs, nlocs == 1 ? "" : "s");

  // AWS's layout rules (docs/verdicts.md): Maximum, two connections on two
  // devices at each of at least two locations; High, connections at two
  // locations or more; Development and Test, two connections on two devices.
  bool two_per_location = nlocs >= 2 && std::all_of(conns_at.begin(), conns_at.end(), [&](const auto& kv) {
                            return kv.second >= 2 && devices_at[kv.first].size() >= 2;
                          });
  bool promises_location = false;
  if (two_per_location) {
    c.layout = "Maximum Resiliency";
    promises_location = true;
  } else if (nlocs >= 2) {
    c.layout = "High Resiliency";
    promises_location = true;
  } else if (conns.size() >= 2 && devices.size() >= 2) {
    c.layout = "Development and Test";
  } else {
    c.layout = "none";
  }
  bool promises = c.layout != "none";

  // Each failure of the DX layout, promised or not, and what its row shows.
  bool failed = false, broken = false, undecided = false;
  auto judge = [&](const std::string& kind, const std::string& name, const std::string& what, bool promised) {
    Seen s = seen_in(rows, kind, name);
    std::string loss = "loss of " + what + " " + name;
    switch (s) {
      case Seen::Survived: return;
      case Seen::Backup:
      case Seen::Lost: {
        std::string text = loss + " not survived over DX" +
                           (s == Seen::Lost ? " (unreachable)" : " (only the VPN backup carried traffic)");
        if (promised) {
          c.findings.push_back(text);
          failed = true;
        } else {
          c.notes.push_back(text);
        }
        return;
      }
      case Seen::Starved:  // the validity guard: its trial judges nothing
        if (!promised) return;
        c.findings.push_back(loss + ": its trial ran on a starved host (invalid)");
        undecided = true;
        return;
      case Seen::Unmeasured:
      case Seen::Missing:
        if (!promised) return;
        c.findings.push_back(loss + (s == Seen::Missing ? ": no row in the matrix" : ": its row could not be measured"));
        broken = true;
        return;
    }
  };
  for (const auto& cn : conns) judge(kConnectionLoss, cn.link, "connection", promises);
  for (const auto& d : devices) judge(kDeviceLoss, d, "device", promises);
  for (const auto& [loc, n] : conns_at) judge(kLocationLoss, loc, "location", promises && promises_location);

  c.verdict = broken ? Verdict::Error : failed ? Verdict::Fail : undecided ? Verdict::Inconclusive : Verdict::Pass;
  c.model = c.verdict == Verdict::Pass ? c.layout : "none";
  if (conns.empty()) c.notes.push_back("no Direct Connect connection");
  return c;
}

std::string sweep_table(const SweepResult& r, bool color) {
  auto paint = [&](bool good, const std::string& s) {
    if (!color) return s;
    return std::string(good ? "\033[32m" : "\033[31;1m") + s + "\033[0m";
  };
  size_t nw = 7;
  for (const auto& row : r.rows) nw = std::max(nw, row.failure.kind.size() + 1 + row.failure.name.size());
  std::string o;
  if (r.only == SweepOnly::Dx)
    o += fmt::format("swept only the {} failures the Direct Connect class judges (--only dx), of the topology's {}\n\n",
                     r.selected_failures, r.all_failures);
  o += fmt::format("{:<{}}  {:>6}  {:>9}  {:>9}  {:>10}  {:>10}  {}\n", "failure", nw, "hold",
                   "predicted", "reachable", "outage p50", "outage max", "path during failure");
  for (const auto& row : r.rows) {
    const auto& res = row.result;
    std::string name = row.failure.kind + " " + row.failure.name;
    if (res.verdict() == Verdict::Error) {
      o += fmt::format("{:<{}}  error: {}\n", name, nw, res.error.empty() ? "no trial ran" : res.error);
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
                     paint(reach == row.failure.predicted_reachable, reach ? "yes" : "no"),  // red: not as predicted
                     open ? "-" : fmt::format("{:.0f}", st["outage_ms"].p50),
                     open ? "-" : fmt::format("{:.0f}", st["outage_ms"].max), reach ? (path.empty() ? "-" : path) : "-");
  }
  o += "\nDirect Connect resiliency: " + r.dx.model + " (" + r.dx.reason() + ")\n";
  auto rows_with = [&](Verdict v) {
    return std::count_if(r.rows.begin(), r.rows.end(), [&](const SweepRow& row) { return row.result.verdict() == v; });
  };
  if (auto n = rows_with(Verdict::Fail))
    o += fmt::format("{} of {} failures did not end as the topology's graph predicts\n", n, r.rows.size());
  if (auto n = rows_with(Verdict::Error)) o += fmt::format("{} of {} failures could not be measured\n", n, r.rows.size());
  o += paint(r.verdict() == Verdict::Pass, fmt::format("verdict: {}", to_string(r.verdict()))) + "\n";
  return o;
}

}  // namespace netlab::scenario
