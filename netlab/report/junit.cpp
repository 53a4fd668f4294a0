#include <fmt/format.h>

#include "netlab/report/report.h"

namespace netlab::report {

namespace {

std::string xml_escape(const std::string& s) {
  std::string o;
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&apos;"; break;
      default: o += c;
    }
  }
  return o;
}

// The data-plane figures of every trial and direction, as testsuite
// properties ("trial.2.forward.loss_ms"): a CI page shows what the probe
// saw beside the verdicts. A recovery without its clean period is a lower
// bound (">=350"); one never reached is "none".
std::string properties(const scenario::ScenarioResult& s, double scale) {
  if (s.trials.empty()) return "";
  std::string o = "    <properties>\n";
  auto prop = [&](const std::string& name, const std::string& value) {
    o += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", xml_escape(name), xml_escape(value));
  };
  // [lab] scale: every bandwidth and traffic rate below is AWS's divided by it.
  if (scale != 1) prop("scale", fmt::format("{:g}", scale));
  auto opt = [](const std::optional<double>& v) { return v ? fmt::format("{:g}", *v) : std::string("none"); };
  for (const auto& t : s.trials) {
    const std::string k = fmt::format("trial.{}.", t.index);
    prop(k + "resolution_ms", fmt::format("{:g}", t.resolution_ms()));
    prop(k + "valid", t.valid ? "true" : "false");
    if (!t.valid) prop(k + "invalid_reason", t.invalid_reason);
    if (t.canary_max_lateness_ms) prop(k + "canary_max_lateness_ms", fmt::format("{:g}", *t.canary_max_lateness_ms));
    if (!t.repeated_reason.empty()) prop(k + "repeated_reason", t.repeated_reason);
    for (const auto& [dir, out] : {std::pair{"forward", &t.forward}, std::pair{"reverse", &t.reverse}}) {
      const std::string d = k + dir + ".";
      prop(d + "outage_ms", fmt::format("{:g}", out->outage_ms));
      prop(d + "loss_ms", fmt::format("{:g}", out->loss_ms));
      prop(d + "loss_bursts", std::to_string(out->bursts));
      prop(d + "recovery_ms", !out->recovered            ? std::string("none")
                              : out->recovery_sustained ? fmt::format("{:g}", out->recovery_ms)
                                                        : fmt::format(">={:g}", out->recovery_ms));
      prop(d + "first_lost_ms", opt(out->first_lost_ms));
      prop(d + "last_lost_ms", opt(out->last_lost_ms));
    }
    for (const auto& x : t.traffic) {
      const std::string d = k + "traffic." + x.name + ".";
      for (const auto& [when, w] : {std::pair{"before", &x.before}, {"during", &x.during}, {"after", &x.after}}) {
        if (!w->measured) {
          prop(d + when, "not measured: " + w->why_not);
          continue;
        }
        prop(d + when + ".offered_mbit", fmt::format("{:.3g}", w->offered_mbit));
        prop(d + when + ".delivered_mbit", fmt::format("{:.3g}", w->delivered_mbit));
      }
      prop(d + "delivered_pct", opt(x.delivered_pct()));
      auto ok = x.mtu_ok();
      prop(d + "mtu_ok", ok ? (*ok ? "true" : "false") : "none");
    }
  }
  return o + "    </properties>\n";
}

}  // namespace

// One <testsuite> per scenario, one <testcase> per target, the trials'
// data-plane figures as the suite's properties; the target's figures are
// in the message so a CI page shows them without opening report.json. A
// target that failed is a <failure>, one that could not be measured an
// <error>, an inconclusive one <skipped> with the reason: none of them is
// ever shown as passed.
std::string junit(const scenario::RunResult& r, const std::string& extra_suite,
                  const std::vector<scenario::Target>& extra) {
  using scenario::Verdict;
  struct Counts {
    size_t tests = 0, failures = 0, errors = 0, skipped = 0;
  };
  // A scenario that could not run has one more testcase ("run") carrying the error.
  auto count = [](const scenario::ScenarioResult& s) {
    Counts c;
    bool broken = s.verdict() == Verdict::Error;
    if (broken) ++c.tests, ++c.errors;
    for (const auto& t : s.targets) {
      ++c.tests;
      Verdict v = broken ? Verdict::Error : t.verdict;
      c.failures += v == Verdict::Fail;
      c.errors += v == Verdict::Error;
      c.skipped += v == Verdict::Inconclusive;
    }
    return c;
  };
  auto testcase = [](const std::string& suite, const scenario::Target& t, Verdict v, const std::string& msg) {
    std::string o = fmt::format("    <testcase classname=\"{}\" name=\"{}\">", xml_escape(suite), xml_escape(t.name));
    switch (v) {
      case Verdict::Pass: o += fmt::format("<system-out>{}</system-out>", xml_escape(msg)); break;
      case Verdict::Fail: o += fmt::format("<failure message=\"{}\"/>", xml_escape(msg)); break;
      case Verdict::Error: o += fmt::format("<error message=\"{}\"/>", xml_escape(msg)); break;
      case Verdict::Inconclusive: o += fmt::format("<skipped message=\"{}\"/>", xml_escape(msg)); break;
    }
    return o + "</testcase>\n";
  };
  Counts all, more;
  for (const auto& s : r.scenarios) {
    Counts c = count(s);
    all.tests += c.tests, all.failures += c.failures, all.errors += c.errors, all.skipped += c.skipped;
  }
  for (const auto& t : extra) {
    ++more.tests;
    more.failures += t.verdict == Verdict::Fail;
    more.errors += t.verdict == Verdict::Error;
    more.skipped += t.verdict == Verdict::Inconclusive;
  }
  all.tests += more.tests, all.failures += more.failures, all.errors += more.errors, all.skipped += more.skipped;
  std::string o = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  o += fmt::format("<testsuites name=\"netlab {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n",
                   xml_escape(r.lab), all.tests, all.failures, all.errors, all.skipped);
  for (const auto& s : r.scenarios) {
    Counts c = count(s);
    bool broken = s.verdict() == Verdict::Error;
    o += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n",
                     xml_escape(s.name), c.tests, c.failures, c.errors, c.skipped);
    o += properties(s, r.scale);
    if (broken)
      o += fmt::format("    <testcase classname=\"{}\" name=\"run\"><error message=\"{}\"/></testcase>\n",
                       xml_escape(s.name), xml_escape(s.error.empty() ? "no trial ran" : s.error));
    for (const auto& t : s.targets) {
      std::string msg = fmt::format("{}: {}, measured {} (limit {}) over {} trial(s){}", t.name,
                                    scenario::to_string(t.verdict), t.measured, t.limit, s.trials.size(),
                                    t.detail.empty() ? "" : "; " + t.detail);
      o += testcase(s.name, t, broken ? Verdict::Error : t.verdict, msg);
    }
    // Figures that depend on the path before the fault, per path.
    if (std::string paths = scenario::path_groups_line(s); !paths.empty())
      o += fmt::format("    <system-out>{}</system-out>\n", xml_escape(paths));
    o += "  </testsuite>\n";
  }
  if (!extra.empty()) {
    o += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n",
                     xml_escape(extra_suite), more.tests, more.failures, more.errors, more.skipped);
    for (const auto& t : extra)
      o += testcase(extra_suite, t, t.verdict,
                    fmt::format("{}: {}, {} (claimed {}){}", t.name, scenario::to_string(t.verdict), t.measured, t.limit,
                                t.detail.empty() ? "" : "; " + t.detail));
    o += "  </testsuite>\n";
  }
  o += "</testsuites>\n";
  return o;
}

}  // namespace netlab::report
