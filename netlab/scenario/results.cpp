#include "netlab/scenario/results.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace netlab::scenario {

size_t Trial::flows_affected() const {
  if (flows.empty()) return forward.total_lost > 0 || reverse.total_lost > 0 ? 1 : 0;
  return static_cast<size_t>(std::count_if(flows.begin(), flows.end(), [](const FlowFigures& f) { return f.affected(); }));
}

Stats stats_of(std::vector<double> v) {
  Stats s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  // Nearest-rank percentiles: every figure printed is one that was measured.
  auto rank = [&](double p) {
    size_t k = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size())));
    return v[std::clamp<size_t>(k, 1, v.size()) - 1];
  };
  s.p50 = rank(0.50);
  s.p95 = rank(0.95);
  s.max = v.back();
  return s;
}

bool ScenarioResult::pass() const {
  if (!error.empty() || trials.empty()) return false;
  return std::all_of(targets.begin(), targets.end(), [](const Target& t) { return t.pass; });
}

std::map<std::string, Stats> ScenarioResult::stats() const {
  std::vector<double> out, conv, fb;
  for (const auto& t : trials) {
    out.push_back(t.outage_ms());
    if (t.convergence_ms) conv.push_back(*t.convergence_ms);
    fb.push_back(t.failback_outage_ms());
  }
  std::map<std::string, Stats> m;
  m["outage_ms"] = stats_of(out);
  if (!conv.empty()) m["convergence_ms"] = stats_of(conv);
  m["failback_outage_ms"] = stats_of(fb);
  return m;
}

bool RunResult::pass() const {
  return !scenarios.empty() &&
         std::all_of(scenarios.begin(), scenarios.end(), [](const ScenarioResult& s) { return s.pass(); });
}

namespace {

std::string ms(double v) { return fmt::format("{:.0f}", v); }

// A "<= limit" target over every trial: the worst trial decides.
Target at_most(const std::string& name, double limit, const std::vector<Trial>& trials,
               double (*figure)(const Trial&), bool (*open)(const Trial&)) {
  Target t{name, ms(limit), "", true, ""};
  double worst = 0;
  for (const auto& tr : trials) {
    double v = figure(tr);
    worst = std::max(worst, v);
    bool ok = v <= limit && !(open && open(tr));
    if (!ok) {
      t.pass = false;
      if (!t.detail.empty()) t.detail += "; ";
      t.detail += fmt::format("trial {}: {} ms{}", tr.index, ms(v),
                              open && open(tr) ? " (not recovered)" : "");
    }
  }
  t.measured = ms(worst);
  return t;
}

}  // namespace

void evaluate(const topology::Expect& e, ScenarioResult& r) {
  r.targets.clear();
  const auto& trials = r.trials;

  Target reach{"reachable", e.reachable ? "true" : "false", "", true, ""};
  bool all_as_expected = true;
  for (const auto& t : trials)
    if (t.reachable != e.reachable) {
      all_as_expected = false;
      reach.detail += fmt::format("{}trial {}: {}", reach.detail.empty() ? "" : "; ", t.index,
                                  t.reachable ? "reachable" : "unreachable");
    }
  reach.pass = all_as_expected && !trials.empty();
  reach.measured = trials.empty() ? "-" : all_as_expected ? reach.limit : (e.reachable ? "false" : "true");
  if (trials.empty()) reach.detail = "no trial was measured";
  r.targets.push_back(reach);

  if (e.max_outage_ms)
    r.targets.push_back(at_most(
        "max_outage_ms", *e.max_outage_ms, trials, [](const Trial& t) { return t.outage_ms(); },
        [](const Trial& t) { return !t.forward.recovered || !t.reverse.recovered; }));
  if (e.max_convergence_ms) {
    Target t = at_most(
        "max_convergence_ms", *e.max_convergence_ms, trials,
        [](const Trial& t) { return t.convergence_ms.value_or(0); }, nullptr);
    r.targets.push_back(t);
  }
  if (!e.path.empty()) {
    std::string limit;
    for (const auto& p : e.path) limit += (limit.empty() ? "" : "|") + p;
    Target t{"path", limit, "", true, ""};
    std::vector<std::string> seen;
    for (const auto& tr : trials) {
      bool hit = std::any_of(tr.path.begin(), tr.path.end(), [&](const std::string& p) {
        return std::find(e.path.begin(), e.path.end(), p) != e.path.end();
      });
      if (!hit) {
        t.pass = false;
        std::string got;
        for (const auto& p : tr.path) got += (got.empty() ? "" : ",") + p;
        t.detail += fmt::format("{}trial {}: {}", t.detail.empty() ? "" : "; ", tr.index,
                                got.empty() ? "no path" : got);
      }
      for (const auto& p : tr.path)
        if (std::find(seen.begin(), seen.end(), p) == seen.end()) seen.push_back(p);
    }
    for (const auto& p : seen) t.measured += (t.measured.empty() ? "" : ",") + p;
    if (t.measured.empty()) t.measured = "-";
    if (trials.empty()) t.pass = false;
    r.targets.push_back(t);
  }
  if (e.max_affected_flows_pct) {
    Target t{"max_affected_flows_pct", ms(*e.max_affected_flows_pct), "", !trials.empty(), ""};
    double worst = 0;
    for (const auto& tr : trials) {
      double pct = 100.0 * static_cast<double>(tr.flows_affected()) / static_cast<double>(tr.flow_count());
      worst = std::max(worst, pct);
      if (pct > *e.max_affected_flows_pct) {
        t.pass = false;
        t.detail += fmt::format("{}trial {}: {} of {} flows lost probes", t.detail.empty() ? "" : "; ",
                                tr.index, tr.flows_affected(), tr.flow_count());
      }
    }
    t.measured = ms(worst);
    r.targets.push_back(t);
  }
  if (!e.serving.empty()) {
    // Exactly the listed instances, as sets: an instance still answering
    // was not taken out of rotation; one listed but silent is not serving.
    std::vector<std::string> want = e.serving;
    std::sort(want.begin(), want.end());
    want.erase(std::unique(want.begin(), want.end()), want.end());
    std::string limit;
    for (const auto& x : want) limit += (limit.empty() ? "" : ",") + x;
    Target t{"serving", limit, "", !trials.empty(), ""};
    std::vector<std::string> seen;
    for (const auto& tr : trials) {
      std::vector<std::string> got = tr.serving;
      std::sort(got.begin(), got.end());
      std::string g;
      for (const auto& x : got) g += (g.empty() ? "" : ",") + x;
      if (g.empty()) g = "none";
      if (got != want) {
        t.pass = false;
        t.detail += fmt::format("{}trial {}: {}", t.detail.empty() ? "" : "; ", tr.index, g);
      }
      if (std::find(seen.begin(), seen.end(), g) == seen.end()) seen.push_back(g);
    }
    for (const auto& x : seen) t.measured += (t.measured.empty() ? "" : " | ") + x;
    if (t.measured.empty()) t.measured = "-";
    r.targets.push_back(t);
  }
  if (e.max_failback_outage_ms)
    r.targets.push_back(at_most(
        "max_failback_outage_ms", *e.max_failback_outage_ms, trials,
        [](const Trial& t) { return t.failback_outage_ms(); },
        [](const Trial& t) { return !t.failback_forward.recovered || !t.failback_reverse.recovered; }));
}

}  // namespace netlab::scenario
