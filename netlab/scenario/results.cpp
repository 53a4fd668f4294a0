#include "netlab/scenario/results.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <iterator>

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

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::Pass: return "pass";
    case Verdict::Inconclusive: return "inconclusive";
    case Verdict::Fail: return "fail";
    case Verdict::Error: return "error";
  }
  return "error";
}

Verdict worst(Verdict a, Verdict b) { return static_cast<int>(a) >= static_cast<int>(b) ? a : b; }

int exit_code(Verdict v) {
  switch (v) {
    case Verdict::Pass: return 0;
    case Verdict::Fail: return 1;
    case Verdict::Error: return 4;
    case Verdict::Inconclusive: return 5;
  }
  return 4;
}

Verdict ScenarioResult::verdict() const {
  if (!error.empty() || trials.empty()) return Verdict::Error;
  Verdict v = Verdict::Pass;
  for (const auto& t : targets) v = worst(v, t.verdict);
  // An invalid trial judges nothing, so it cannot leave a pass behind.
  for (const auto& t : trials)
    if (!t.valid) v = worst(v, Verdict::Inconclusive);
  return v;
}

std::map<std::string, Stats> ScenarioResult::stats() const {
  std::vector<double> out, loss, conv, fb;
  for (const auto& t : trials) {
    if (!t.valid) continue;  // a starved host's figures are not the network's
    out.push_back(t.outage_ms());
    loss.push_back(std::max(t.forward.loss_ms, t.reverse.loss_ms));
    if (t.convergence_ms) conv.push_back(*t.convergence_ms);
    fb.push_back(t.failback_outage_ms());
  }
  std::map<std::string, Stats> m;
  m["outage_ms"] = stats_of(out);
  m["loss_ms"] = stats_of(loss);
  if (!conv.empty()) m["convergence_ms"] = stats_of(conv);
  m["failback_outage_ms"] = stats_of(fb);
  return m;
}

namespace {

std::map<std::string, Stats> group_stats(const std::vector<const Trial*>& trials) {
  std::vector<double> out, loss, rec, conv;
  for (const Trial* t : trials) {
    out.push_back(t->outage_ms());
    loss.push_back(std::max(t->forward.loss_ms, t->reverse.loss_ms));
    rec.push_back(std::max(t->forward.recovery_ms, t->reverse.recovery_ms));
    if (t->convergence_ms) conv.push_back(*t->convergence_ms);
  }
  std::map<std::string, Stats> m{{"outage_ms", stats_of(out)}, {"loss_ms", stats_of(loss)},
                                 {"recovery_ms", stats_of(rec)}};
  if (!conv.empty()) m["convergence_ms"] = stats_of(conv);
  return m;
}

}  // namespace

std::vector<PathGroup> ScenarioResult::path_groups() const {
  std::vector<PathGroup> groups;
  std::vector<std::vector<const Trial*>> members;
  for (const auto& t : trials) {
    std::vector<std::string> key = t.path_before;
    std::sort(key.begin(), key.end());
    auto it = std::find_if(groups.begin(), groups.end(), [&](const PathGroup& g) { return g.path_before == key; });
    if (it == groups.end()) {
      groups.push_back({key, "", {}, {}});
      members.emplace_back();
      it = groups.end() - 1;
    }
    it->trials.push_back(t.index);
    members[static_cast<size_t>(it - groups.begin())].push_back(&t);
  }
  if (groups.size() < 2) return {};
  // The label: the links not every group crossed (the ones that differ);
  // when some group has none of those (it crossed only links the others
  // cross too), every group is labelled with its whole path instead.
  bool whole = false;
  for (auto& g : groups) {
    for (const auto& link : g.path_before) {
      bool common = std::all_of(groups.begin(), groups.end(), [&](const PathGroup& o) {
        return std::find(o.path_before.begin(), o.path_before.end(), link) != o.path_before.end();
      });
      if (!common) g.label += (g.label.empty() ? "" : ",") + link;
    }
    whole = whole || g.label.empty();
  }
  for (size_t i = 0; i < groups.size(); ++i) {
    auto& g = groups[i];
    if (whole) {
      g.label.clear();
      for (const auto& link : g.path_before) g.label += (g.label.empty() ? "" : ",") + link;
      if (g.label.empty()) g.label = "-";
    }
    g.stats = group_stats(members[i]);
  }
  return groups;
}

std::string path_groups_line(const ScenarioResult& s) {
  auto figure = [](double ms) { return ms >= 10000 ? fmt::format("{:.1f} s", ms / 1000) : fmt::format("{:.0f} ms", ms); };
  std::string o;
  for (const auto& g : s.path_groups()) {
    const double hi = g.stats.at("outage_ms").max;
    double lo = hi;
    for (const auto& t : s.trials)
      if (std::find(g.trials.begin(), g.trials.end(), t.index) != g.trials.end()) lo = std::min(lo, t.outage_ms());
    const std::string range = figure(lo) == figure(hi) ? figure(hi) : figure(lo) + "-" + figure(hi);
    const size_t n = g.trials.size();
    o += fmt::format("{}before on {}: {} ({} trial{})", o.empty() ? "" : "; ", g.label, range, n, n == 1 ? "" : "s");
  }
  return o;
}

Verdict RunResult::verdict() const {
  if (scenarios.empty()) return Verdict::Error;
  Verdict v = Verdict::Pass;
  for (const auto& s : scenarios) v = worst(v, s.verdict());
  return v;
}

namespace {

std::string ms(double v) { return fmt::format("{:.0f}", v); }

std::string join(const std::vector<std::string>& v, const char* sep = ",") {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

// Collects what each trial showed for one target and concludes: a miss in
// any trial fails it; otherwise a trial that cannot decide makes it
// inconclusive; only every trial meeting it passes it. No trial: error.
class Judge {
 public:
  Judge(std::string name, std::string limit) {
    t_.name = std::move(name);
    t_.limit = std::move(limit);
  }
  void miss(std::string why) { misses_.push_back(std::move(why)); }
  void doubt(std::string why) { doubts_.push_back(std::move(why)); }
  Target done(const std::vector<Trial>& trials, std::string measured) {
    t_.measured = measured.empty() ? "-" : std::move(measured);
    if (trials.empty()) {
      t_.verdict = Verdict::Error;
      t_.detail = "no trial was measured";
      return t_;
    }
    t_.verdict = !misses_.empty() ? Verdict::Fail : !doubts_.empty() ? Verdict::Inconclusive : Verdict::Pass;
    std::vector<std::string> all = misses_;
    all.insert(all.end(), doubts_.begin(), doubts_.end());
    t_.detail = join(all, "; ");
    return t_;
  }

 private:
  Target t_;
  std::vector<std::string> misses_, doubts_;
};

// A measured figure, or why there is none; `lower_bound`: the figure comes
// from an incomplete record and the true value can only be larger.
struct Figure {
  std::optional<double> value;
  bool open = false;  // an outage still going on when the window closed
  bool lower_bound = false;
  std::string why;  // no value, or a lower bound: the reason
};

// How precisely the probe's figures of a trial are known.
enum class Precision {
  Exact,      // not a probe time (a route event's, a count)
  ProbeTime,  // within the trial's resolution (Trial::resolution_ms)
};

// A "<= limit" target over every trial: the worst trial decides. A figure
// that is a lower bound above the limit is still a miss (the truth is worse);
// at or below it, it decides nothing. A probe time closer to the limit than
// the trial's resolution decides nothing either: the truth may lie on the
// other side of it.
Target at_most(const std::string& name, double limit, const std::vector<Trial>& trials,
               const std::function<Figure(const Trial&)>& figure, Precision precision = Precision::Exact) {
  Judge j(name, ms(limit));
  std::optional<double> worst;
  bool bound = false;
  for (const auto& tr : trials) {
    Figure f = figure(tr);
    if (!f.value) {
      j.doubt(fmt::format("trial {}: {}", tr.index, f.why));
      continue;
    }
    if (!worst || *f.value > *worst) {
      worst = f.value;
      bound = f.lower_bound;
    }
    std::string v = (f.lower_bound ? ">= " : "") + ms(*f.value) + " ms";
    // Nothing lost against a limit of nothing is all a probe can prove.
    const bool within = precision == Precision::ProbeTime && !f.open && !(*f.value == 0 && limit == 0) &&
                        std::abs(*f.value - limit) < tr.resolution_ms();
    if (within)
      j.doubt(fmt::format("trial {}: {} is within the trial's resolution of {:.3g} ms{}", tr.index, v,
                          tr.resolution_ms(), f.lower_bound ? " (" + f.why + ")" : ""));
    else if (*f.value > limit || f.open)
      j.miss(fmt::format("trial {}: {}{}{}", tr.index, v, f.open ? " (not recovered)" : "",
                         f.lower_bound ? " (" + f.why + ")" : ""));
    else if (f.lower_bound)
      j.doubt(fmt::format("trial {}: {} ({})", tr.index, v, f.why));
  }
  return j.done(trials, worst ? (bound ? ">=" : "") + ms(*worst) : "");
}

// Recovery: the later direction's. Not sustained (no clean period before
// the repair), it is a lower bound; an outage still open is a miss.
Figure recovery_of(const Trial& t) {
  const Outage& f = t.forward;
  const Outage& r = t.reverse;
  Figure x;
  x.value = std::max(f.recovery_ms, r.recovery_ms);
  x.open = !f.recovered || !r.recovered;
  if (!f.recovery_sustained || !r.recovery_sustained) {
    x.lower_bound = true;
    x.why = fmt::format("no clean period of {} ms before the repair: the figure is a lower bound", ms(t.clean_ms));
  }
  return x;
}

Figure convergence_of(const Trial& t) {
  Figure f;
  f.value = t.convergence_ms;
  if (t.route_events_lost > 0) {
    f.lower_bound = true;
    f.why = fmt::format("{} route event{} lost: the figure is a lower bound", t.route_events_lost,
                        t.route_events_lost == 1 ? "" : "s");
    if (!f.value) f.why = fmt::format("no route change recorded, and {} route event{} lost", t.route_events_lost,
                                      t.route_events_lost == 1 ? " was" : "s were");
  } else if (!f.value) {
    f.why = "no watched route changed after the fault";
  } else if (t.convergence_still_changing) {
    f.lower_bound = true;
    f.why = "routes still changing at the repair: the figure is a lower bound";
  }
  return f;
}

// The elements of a path target no link of `path` satisfies.
std::vector<std::string> unmet(const std::vector<std::string>& want, const std::vector<std::string>& path) {
  std::vector<std::string> out;
  for (const auto& w : want) {
    auto alts = topology::path_alternatives(w);
    bool hit = std::any_of(alts.begin(), alts.end(),
                           [&](const std::string& a) { return std::find(path.begin(), path.end(), a) != path.end(); });
    if (!hit) out.push_back(w);
  }
  return out;
}

std::string path_text(const std::vector<std::string>& p) { return p.empty() ? "no path" : join(p); }

// Every distinct path seen, in order: "vpn1-t2" or "dx2 | dx3".
std::string seen_paths(const std::vector<std::vector<std::string>>& paths) {
  std::vector<std::string> seen;
  for (const auto& p : paths) {
    std::string s = join(p);
    if (!s.empty() && std::find(seen.begin(), seen.end(), s) == seen.end()) seen.push_back(s);
  }
  return join(seen, " | ");
}

// `path`: every element in each direction; judged on both directions
// together where the trial's counters did not tell them apart.
Target path_both(const std::vector<std::string>& want, const std::vector<Trial>& trials) {
  Judge j("path", join(want, "+"));
  std::vector<std::vector<std::string>> seen;
  for (const auto& tr : trials) {
    if (tr.path_forward && tr.path_reverse) {
      using Dir = std::pair<const char*, const std::vector<std::string>*>;
      for (const auto& [dir, p] : {Dir{"forward", &*tr.path_forward}, Dir{"reverse", &*tr.path_reverse}}) {
        seen.push_back(*p);
        auto u = unmet(want, *p);
        if (!u.empty())
          j.miss(fmt::format("trial {} {}: {} (not {})", tr.index, dir, path_text(*p), join(u, ", ")));
      }
    } else {
      seen.push_back(tr.path);
      auto u = unmet(want, tr.path);
      if (!u.empty()) j.miss(fmt::format("trial {}: {} (not {})", tr.index, path_text(tr.path), join(u, ", ")));
    }
  }
  return j.done(trials, seen_paths(seen));
}

// `path_forward` / `path_reverse`: one direction; a trial that did not
// measure directions apart cannot decide it.
Target path_one(const std::string& name, bool forward, const std::vector<std::string>& want,
                const std::vector<Trial>& trials) {
  Judge j(name, join(want, "+"));
  std::vector<std::vector<std::string>> seen;
  for (const auto& tr : trials) {
    const auto& p = forward ? tr.path_forward : tr.path_reverse;
    if (!p) {
      j.doubt(fmt::format("trial {}: the path was not measured per direction", tr.index));
      continue;
    }
    seen.push_back(*p);
    auto u = unmet(want, *p);
    if (!u.empty()) j.miss(fmt::format("trial {}: {} (not {})", tr.index, path_text(*p), join(u, ", ")));
  }
  return j.done(trials, seen_paths(seen));
}

// `failback_path = "baseline"`: after failback the probe crosses the same
// links as before the fault (as sets: the order is by traffic and swaps).
Target failback_baseline(const std::vector<Trial>& trials) {
  Judge j("failback_path", "baseline");
  std::vector<std::vector<std::string>> seen;
  bool all_same = true;
  for (const auto& tr : trials) {
    if (tr.path_before.empty() || tr.path_after.empty()) {
      j.doubt(fmt::format("trial {}: the path {} was not measured", tr.index,
                          tr.path_before.empty() ? "before the fault" : "after failback"));
      all_same = false;
      continue;
    }
    auto before = tr.path_before, after = tr.path_after;
    std::sort(before.begin(), before.end());
    std::sort(after.begin(), after.end());
    seen.push_back(tr.path_after);
    if (before != after) {
      all_same = false;
      j.miss(fmt::format("trial {}: after failback {}, before the fault {}", tr.index, join(tr.path_after),
                         join(tr.path_before)));
    }
  }
  return j.done(trials, all_same && !trials.empty() ? "baseline" : seen_paths(seen));
}

// The targets are judged on the valid trials only; each invalid trial then
// leaves every target it would have decided inconclusive, with its reason:
// a pass becomes inconclusive, a fail found in a valid trial stays a fail,
// and with no valid trial at all nothing is decided.
void mark_invalid_trials(const ScenarioResult& r, std::vector<Target>& targets) {
  std::vector<std::string> why;
  for (const auto& t : r.trials)
    if (!t.valid) why.push_back(fmt::format("trial {} invalid: {}", t.index, t.invalid_reason));
  if (why.empty()) return;
  const std::string reasons = join(why, "; ");
  for (auto& t : targets) {
    if (t.verdict == Verdict::Pass || t.verdict == Verdict::Error) t.verdict = Verdict::Inconclusive;
    if (t.measured.empty()) t.measured = "-";
    t.detail = t.detail.empty() || t.detail == "no trial was measured" ? reasons : t.detail + "; " + reasons;
  }
}

std::string pct(double v) { return fmt::format("{:.1f}", v); }

// A share of the traffic during the fault, judged against a bound: every
// stream of every trial, the worst deciding. A stream whose window was not
// measured decides nothing (inconclusive, with why).
Target traffic_share(const std::string& name, double limit, bool at_least, const std::vector<Trial>& trials,
                     const std::function<std::optional<double>(const TrafficTrial&, std::string&)>& figure) {
  Judge j(name, pct(limit));
  std::optional<double> worst;
  for (const auto& tr : trials) {
    if (tr.traffic.empty()) j.doubt(fmt::format("trial {}: no traffic was measured", tr.index));
    for (const auto& s : tr.traffic) {
      std::string why;
      std::optional<double> v = figure(s, why);
      if (!v) {
        j.doubt(fmt::format("trial {}, {}: {}", tr.index, s.name, why));
        continue;
      }
      if (!worst || (at_least ? *v < *worst : *v > *worst)) worst = v;
      if (at_least ? *v < limit : *v > limit)
        j.miss(fmt::format("trial {}, {}: {} %", tr.index, s.name, pct(*v)));
    }
  }
  return j.done(trials, worst ? pct(*worst) : "");
}

std::optional<double> delivered_of(const TrafficTrial& s, std::string& why) {
  if (auto v = s.delivered_pct()) return v;
  why = !s.during.measured ? s.during.why_not
        : !s.before.measured ? "the goodput before the fault was not measured: " + s.before.why_not
                             : "nothing was offered during the fault";
  return std::nullopt;
}

std::optional<double> loss_of(const TrafficTrial& s, std::string& why) {
  if (s.protocol == "tcp") {
    why = "TCP retransmits what is lost: its loss is not a figure (judge min_delivered_pct)";
    return std::nullopt;
  }
  if (!s.during.measured) {
    why = s.during.why_not;
    return std::nullopt;
  }
  if (s.during.offered_pps <= 0) {
    why = "nothing was offered during the fault";
    return std::nullopt;
  }
  return s.during.loss_pct;
}

Target mtu_target(bool want, const std::vector<Trial>& trials) {
  Judge j("mtu_ok", want ? "true" : "false");
  std::optional<bool> seen_all;  // the trials' outcome when all agree
  bool mixed = false;
  for (const auto& tr : trials) {
    if (tr.traffic.empty()) j.doubt(fmt::format("trial {}: no traffic was measured", tr.index));
    for (const auto& s : tr.traffic) {
      std::optional<bool> ok = s.mtu_ok();
      if (!ok) {
        j.doubt(fmt::format("trial {}, {}: {}", tr.index, s.name,
                            s.during.measured ? "nothing was offered during the fault" : s.during.why_not));
        continue;
      }
      if (seen_all && *seen_all != *ok) mixed = true;
      seen_all = ok;
      if (*ok != want) {
        std::string how = *ok ? fmt::format("{}-byte packets delivered", s.size)
                              : fmt::format("no {}-byte packet delivered{}", s.size,
                                            s.during.emsgsize ? fmt::format(" (the sender learnt path MTU {})",
                                                                            s.during.path_mtu)
                                                              : " (no ICMP came back: a blackhole)");
        j.miss(fmt::format("trial {}, {}: {}", tr.index, s.name, how));
      }
    }
  }
  return j.done(trials, mixed ? "mixed" : seen_all ? (*seen_all ? "true" : "false") : "");
}

std::vector<Trial> valid_trials(const std::vector<Trial>& all) {
  std::vector<Trial> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out), [](const Trial& t) { return t.valid; });
  return out;
}

}  // namespace

void evaluate(const topology::Expect& e, ScenarioResult& r) {
  r.targets.clear();
  const std::vector<Trial> trials = valid_trials(r.trials);

  {
    Judge j("reachable", e.reachable ? "true" : "false");
    bool all_as_expected = true;
    for (const auto& t : trials)
      if (t.reachable != e.reachable) {
        all_as_expected = false;
        j.miss(fmt::format("trial {}: {}", t.index, t.reachable ? "reachable" : "unreachable"));
      }
    r.targets.push_back(j.done(trials, trials.empty()      ? ""
                                       : all_as_expected ? std::string(e.reachable ? "true" : "false")
                                                         : std::string(e.reachable ? "false" : "true")));
  }

  if (e.max_outage_ms)
    r.targets.push_back(at_most("max_outage_ms", *e.max_outage_ms, trials, [](const Trial& t) {
      return Figure{t.outage_ms(), !t.forward.recovered || !t.reverse.recovered, false, ""};
    }, Precision::ProbeTime));
  if (e.max_convergence_ms)
    r.targets.push_back(at_most("max_convergence_ms", *e.max_convergence_ms, trials, convergence_of));
  if (e.max_loss_ms)
    r.targets.push_back(at_most("max_loss_ms", *e.max_loss_ms, trials, [](const Trial& t) {
      return Figure{std::max(t.forward.loss_ms, t.reverse.loss_ms), !t.forward.recovered || !t.reverse.recovered,
                    false, ""};
    }, Precision::ProbeTime));
  if (e.max_recovery_ms)
    r.targets.push_back(at_most("max_recovery_ms", *e.max_recovery_ms, trials, recovery_of, Precision::ProbeTime));
  if (e.max_loss_bursts) {
    Judge j("max_loss_bursts", std::to_string(*e.max_loss_bursts));
    std::optional<uint64_t> worst;
    for (const auto& tr : trials) {
      const uint64_t n = std::max(tr.forward.bursts, tr.reverse.bursts);
      worst = std::max(worst.value_or(0), n);
      if (n > *e.max_loss_bursts)
        j.miss(fmt::format("trial {}: {} loss burst{} ({})", tr.index, n, n == 1 ? "" : "s",
                           tr.forward.bursts >= tr.reverse.bursts ? "forward" : "reverse"));
    }
    r.targets.push_back(j.done(trials, worst ? std::to_string(*worst) : ""));
  }
  if (!e.path.empty()) r.targets.push_back(path_both(e.path, trials));
  if (!e.path_forward.empty()) r.targets.push_back(path_one("path_forward", true, e.path_forward, trials));
  if (!e.path_reverse.empty()) r.targets.push_back(path_one("path_reverse", false, e.path_reverse, trials));
  if (e.failback_path == topology::FailbackPath::Baseline) r.targets.push_back(failback_baseline(trials));
  if (e.max_affected_flows_pct) {
    Judge j("max_affected_flows_pct", ms(*e.max_affected_flows_pct));
    std::optional<double> worst;
    for (const auto& tr : trials) {
      double pct = 100.0 * static_cast<double>(tr.flows_affected()) / static_cast<double>(tr.flow_count());
      worst = std::max(worst.value_or(0), pct);
      if (pct > *e.max_affected_flows_pct)
        j.miss(fmt::format("trial {}: {} of {} flows lost probes", tr.index, tr.flows_affected(), tr.flow_count()));
    }
    r.targets.push_back(j.done(trials, worst ? ms(*worst) : ""));
  }
  if (!e.serving.empty()) {
    // Exactly the listed instances, as sets: an instance still answering
    // was not taken out of rotation; one listed but silent is not serving.
    std::vector<std::string> want = e.serving;
    std::sort(want.begin(), want.end());
    want.erase(std::unique(want.begin(), want.end()), want.end());
    Judge j("serving", join(want));
    std::vector<std::string> seen;
    for (const auto& tr : trials) {
      std::vector<std::string> got = tr.serving;
      std::sort(got.begin(), got.end());
      std::string g = got.empty() ? "none" : join(got);
      if (got != want) j.miss(fmt::format("trial {}: {}", tr.index, g));
      if (std::find(seen.begin(), seen.end(), g) == seen.end()) seen.push_back(g);
    }
    r.targets.push_back(j.done(trials, join(seen, " | ")));
  }
  if (e.max_failback_outage_ms)
    r.targets.push_back(at_most("max_failback_outage_ms", *e.max_failback_outage_ms, trials, [](const Trial& t) {
      return Figure{t.failback_outage_ms(), !t.failback_forward.recovered || !t.failback_reverse.recovered, false,
                    ""};
    }, Precision::ProbeTime));
  if (e.min_delivered_pct)
    r.targets.push_back(traffic_share("min_delivered_pct", *e.min_delivered_pct, true, trials, delivered_of));
  if (e.max_delivered_pct)
    r.targets.push_back(traffic_share("max_delivered_pct", *e.max_delivered_pct, false, trials, delivered_of));
  if (e.max_loss_pct) r.targets.push_back(traffic_share("max_loss_pct", *e.max_loss_pct, false, trials, loss_of));
  if (e.mtu_ok) r.targets.push_back(mtu_target(*e.mtu_ok, trials));
  mark_invalid_trials(r, r.targets);
}

std::optional<double> TrafficTrial::delivered_pct() const {
  if (!during.measured) return std::nullopt;
  if (protocol == "tcp") {
    if (!before.measured || before.delivered_mbit <= 0) return std::nullopt;
    return 100.0 * during.delivered_mbit / before.delivered_mbit;
  }
  if (during.offered_pps <= 0) return std::nullopt;
  return during.delivered_pct;
}

std::optional<bool> TrafficTrial::mtu_ok() const {
  if (!during.measured) return std::nullopt;
  if (protocol == "tcp") return during.delivered_mbit > 0;
  if (during.offered_pps <= 0) return std::nullopt;
  return during.received > 0;
}

}  // namespace netlab::scenario
