#include <fmt/format.h>

#include <algorithm>

#include "netlab/report/report.h"

namespace netlab::report {

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s.empty() ? "-" : s;
}

std::string verdict_word(scenario::Verdict v) {
  switch (v) {
    case scenario::Verdict::Pass: return "pass";
    case scenario::Verdict::Fail: return "FAIL";
    case scenario::Verdict::Inconclusive: return "INCONCLUSIVE";
    case scenario::Verdict::Error: return "ERROR";
  }
  return "ERROR";
}

std::string outage(const scenario::Outage& o) {
  return fmt::format("{:.0f}{}", o.outage_ms, o.recovered ? "" : "+");
}

// What one direction lost: "300 ms lost in 2 bursts (0..349 ms),
// recovered 350 ms".
std::string losses(const scenario::Outage& o, double clean_ms) {
  if (o.bursts == 0) return "nothing lost";
  std::string rec = !o.recovered            ? "not recovered"
                    : o.recovery_sustained ? fmt::format("recovered {:.0f} ms", o.recovery_ms)
                                           : fmt::format("recovered >={:.0f} ms (no {:.0f} ms clean period before the repair)",
                                                         o.recovery_ms, clean_ms);
  return fmt::format("{:.0f} ms lost in {} burst{} ({:.0f}..{:.0f} ms), {}", o.loss_ms, o.bursts,
                     o.bursts == 1 ? "" : "s", o.first_lost_ms.value_or(0), o.last_lost_ms.value_or(0), rec);
}

// The lines under a scenario's trial table: what each trial lost, how exact
// it was, what it could not see, and what it served.
std::string trial_notes(const scenario::ScenarioResult& s) {
  std::string o;
  for (const auto& t : s.trials) {
    // The validity guard (docs/measurement.md): marked `*` in the trial column.
    if (!t.valid) o += fmt::format("  * trial {}: invalid, judges no target: {}\n", t.index, t.invalid_reason);
    if (!t.repeated_reason.empty())
      o += fmt::format("  trial {}: run twice, the first attempt was invalid ({})\n", t.index, t.repeated_reason);
    if (t.forward.bursts || t.reverse.bursts)
      o += fmt::format("  trial {}: forward {}; reverse {}\n", t.index, losses(t.forward, t.clean_ms),
                       losses(t.reverse, t.clean_ms));
    // A resolution well above the interval: the sender woke late, and every
    // time of the trial is that much less exact.
    if (t.resolution_ms() > 2 * t.probe_interval_ms)
      o += fmt::format("  trial {}: resolution {:.1f} ms (probe interval {:g} ms, sender up to {:.1f} ms late)\n",
                       t.index, t.resolution_ms(), t.probe_interval_ms, t.probe_max_lateness_ms);
    if (!t.convergence_ms && t.reachable)
      o += fmt::format("  trial {}: no watched route changed after the fault\n", t.index);
    if (t.route_events_lost)
      o += fmt::format("  trial {}: {} route event{} lost: convergence figures are lower bounds\n", t.index,
                       t.route_events_lost, t.route_events_lost == 1 ? "" : "s");
    if (t.convergence_still_changing)
      o += fmt::format("  trial {}: routes still changing at the repair: convergence is a lower bound\n", t.index);
    if (t.path_forward && t.path_reverse && join(*t.path_forward) != join(*t.path_reverse))
      o += fmt::format("  trial {}: path forward {}, reverse {}\n", t.index, join(*t.path_forward),
                       join(*t.path_reverse));
  }
  for (const auto& t : s.trials)
    if (t.flow_count() > 1)
      o += fmt::format("  trial {}: {} of {} flows lost probes\n", t.index, t.flows_affected(), t.flow_count());
  for (const auto& t : s.trials) {
    if (t.served.empty() && t.served_before.empty()) continue;
    auto list = [](const std::map<std::string, uint64_t>& m) {
      std::string x;
      for (const auto& [name, n] : m) x += fmt::format("{}{} {}", x.empty() ? "" : ", ", name, n);
      return x.empty() ? std::string("-") : x;
    };
    o += fmt::format("  trial {}: probes received per instance: before the fault {}; while it held {}\n",
                     t.index, list(t.served_before), list(t.served));
  }
  return o;
}

// "all 7 targets met (verdict: pass)", or what was missed, inconclusive or
// could not run.
std::string run_summary(const scenario::RunResult& r) {
  // Targets of scenarios that ran to the end; a scenario that could not run
  // is counted as such, not again through the targets it could not meet.
  size_t missed = 0, doubtful = 0, total = 0, errors = 0;
  for (const auto& s : r.scenarios) {
    if (s.verdict() == scenario::Verdict::Error) {
      ++errors;
      continue;
    }
    for (const auto& t : s.targets) {
      ++total;
      if (t.verdict == scenario::Verdict::Fail || t.verdict == scenario::Verdict::Error) ++missed;
      if (t.verdict == scenario::Verdict::Inconclusive) ++doubtful;
    }
  }
  std::string summary = total == 0 && errors == 0 ? std::string("no target was judged")
                        : missed == 0 && doubtful == 0 && errors == 0 ? fmt::format("all {} targets met", total)
                                                                      : fmt::format("{} of {} targets missed", missed, total);
  if (doubtful) summary += fmt::format("; {} inconclusive", doubtful);
  if (errors) summary += fmt::format("; {} scenario{} could not run", errors, errors == 1 ? "" : "s");
  summary += fmt::format(" (verdict: {})", scenario::to_string(r.verdict()));
  return summary;
}

// "before on vpn1-t1: 26.8 s (2 trials); before on vpn1-t2: 71 ms (3
// trials)": a scenario's outage per path before the fault, when its trials
// started on different paths; and what cover_paths could not do.
std::string path_lines(const scenario::ScenarioResult& s) {
  std::string o = scenario::path_groups_line(s);
  if (!o.empty()) o = "  " + o + "\n";
  if (s.cover) {
    for (const auto& [alt, why] : s.cover->not_active)
      o += fmt::format("  cover_paths: could not make {} the active path: {}\n", alt, why);
    if (!s.cover->note.empty()) o += "  cover_paths: " + s.cover->note + "\n";
  }
  return o;
}

std::string window_text(const scenario::TrafficFigures& w) {
  if (!w.measured) return "not measured (" + w.why_not + ")";
  return fmt::format("{:.1f}/{:.1f} Mbit/s", w.offered_mbit, w.delivered_mbit);
}

// Per trial and stream: offered/delivered before, during and after the
// fault, the share delivered during it, and what happened to full-size
// packets.
std::string traffic_lines(const scenario::ScenarioResult& s) {
  std::string o;
  for (const auto& t : s.trials)
    for (const auto& x : t.traffic) {
      std::string rate = x.rate_mbit > 0 ? fmt::format("{:g} Mbit/s", x.rate_mbit) : "";
      if (x.pps > 0) rate += (rate.empty() ? "" : ", ") + fmt::format("{:g} pps", x.pps);
      if (rate.empty()) rate = "unpaced";
      o += fmt::format("  traffic {} trial {} ({} {} B{}, {}), offered/delivered: before {}, during {}, after {}", x.name,
                       t.index, x.protocol, x.size, x.df ? " DF" : "", rate, window_text(x.before),
                       window_text(x.during), window_text(x.after));
      if (auto d = x.delivered_pct()) o += fmt::format("; delivered {:.1f} %", *d);
      if (x.protocol == "udp" && x.during.measured && x.during.offered_pps > 0) o += fmt::format(", lost {:.1f} %", x.during.loss_pct);
      if (auto ok = x.mtu_ok(); ok && !*ok)
        o += x.during.emsgsize ? fmt::format("; no {}-byte packet got through (path MTU {} learnt)", x.size, x.during.path_mtu)
                               : fmt::format("; no {}-byte packet got through, no ICMP came back (blackhole)", x.size);
      o += "\n";
    }
  return o;
}

}  // namespace

std::string table(const scenario::RunResult& r, bool color) {
  auto paint = [&](bool pass, const std::string& s) {
    if (!color) return s;
    return std::string(pass ? "\033[32m" : "\033[31;1m") + s + "\033[0m";
  };
  std::string o;
  for (const auto& s : r.scenarios) {
    o += fmt::format("\n{}: {}, hold {:g} s, {} trial{}\n", s.name, s.fault, s.hold_s,
                     s.trials.size(), s.trials.size() == 1 ? "" : "s");
    if (!s.description.empty()) o += "  " + s.description + "\n";
    if (s.verdict() == scenario::Verdict::Error) {
      o += "  " + paint(false, "error: " + (s.error.empty() ? std::string("no trial ran") : s.error)) + "\n";
      continue;
    }
    size_t pw = 17;  // "path during fault"
    for (const auto& t : s.trials) pw = std::max(pw, (t.reachable ? join(t.path) : "(unreachable)").size());
    o += fmt::format("  {:>5}  {:>11}  {:>11}  {:>11}  {:<{}}  {:>16}\n", "trial", "outage fwd",
                     "outage rev", "convergence", "path during fault", pw, "failback fwd/rev");
    for (const auto& t : s.trials) {
      // With route events lost the last change seen is a lower bound.
      std::string conv = t.convergence_ms ? fmt::format("{}{:.0f} ms", t.route_events_lost || t.convergence_still_changing ? ">=" : "",
                                                        *t.convergence_ms)
                                          : "none";
      o += fmt::format("  {:>5}  {:>8} ms  {:>8} ms  {:>11}  {:<{}}  {:>13} ms\n",
                       std::to_string(t.index) + (t.valid ? "" : "*"),
                       outage(t.forward), outage(t.reverse), conv,
                       t.reachable ? join(t.path) : "(unreachable)", pw,
                       outage(t.failback_forward) + " / " + outage(t.failback_reverse));
    }
    o += trial_notes(s);
    o += traffic_lines(s);
    o += path_lines(s);
    if (s.trials.size() > 1) {
      auto st = s.stats();
      const auto& a = st["outage_ms"];
      o += fmt::format("  outage p50 {:.0f} ms, p95 {:.0f} ms, max {:.0f} ms", a.p50, a.p95, a.max);
      // The loss-derived outage, where it differs: the data plane broke more than once.
      if (const auto& l = st["loss_ms"]; l.max > a.max)
        o += fmt::format("; loss p50 {:.0f} ms, p95 {:.0f} ms, max {:.0f} ms", l.p50, l.p95, l.max);
      if (st.count("convergence_ms")) {
        const auto& c = st["convergence_ms"];
        o += fmt::format("; convergence p50 {:.0f} ms, max {:.0f} ms", c.p50, c.max);
      }
      o += "\n";
    }
    size_t lw = 10, mw = 10;
    for (const auto& t : s.targets) {
      lw = std::max(lw, t.limit.size() + 3);
      mw = std::max(mw, t.measured.size());
    }
    o += fmt::format("  {:<24} {:<{}} {:<{}} {}\n", "target", "limit", lw, "measured", mw, "verdict");
    for (const auto& t : s.targets) {
      std::string lim = t.name.starts_with("max_") ? "<= " + t.limit : t.name.starts_with("min_") ? ">= " + t.limit : t.limit;
      o += fmt::format("  {:<24} {:<{}} {:<{}} {}{}\n", t.name, lim, lw, t.measured, mw,
                       paint(t.pass(), verdict_word(t.verdict)), t.detail.empty() ? "" : "  (" + t.detail + ")");
    }
  }
  o += "\n";
  const std::string summary = run_summary(r);
  o += paint(r.pass(), summary) + "\n";
  o += fmt::format("seed {} (repeat the run's random choices with --seed {})\n", r.seed, r.seed);
  if (r.scale != 1)
    o += fmt::format("scale {:g}: every bandwidth, packet rate and traffic rate is AWS's divided by {:g}\n", r.scale,
                     r.scale);
  return o;
}

}  // namespace netlab::report
