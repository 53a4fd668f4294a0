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

}  // namespace

// One <testsuite> per scenario, one <testcase> per target; the figures are
// in the message so a CI page shows them without opening report.json.
std::string junit(const scenario::RunResult& r) {
  // A scenario that could not run has one more testcase ("run") carrying the error.
  auto cases = [](const scenario::ScenarioResult& s) { return s.targets.size() + (s.error.empty() ? 0 : 1); };
  size_t tests = 0, failures = 0;
  for (const auto& s : r.scenarios) {
    tests += cases(s);
    for (const auto& t : s.targets) failures += !t.pass;
    if (!s.error.empty()) ++failures;
  }
  std::string o = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  o += fmt::format("<testsuites name=\"netlab {}\" tests=\"{}\" failures=\"{}\">\n",
                   xml_escape(r.lab), tests, failures);
  for (const auto& s : r.scenarios) {
    size_t f = 0;
    for (const auto& t : s.targets) f += !t.pass;
    if (!s.error.empty()) ++f;
    o += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\">\n", xml_escape(s.name),
                     cases(s), f);
    if (!s.error.empty())
      o += fmt::format("    <testcase classname=\"{}\" name=\"run\"><failure message=\"{}\"/></testcase>\n",
                       xml_escape(s.name), xml_escape(s.error));
    for (const auto& t : s.targets) {
      std::string msg = fmt::format("{}: measured {} (limit {}) over {} trial(s){}", t.name, t.measured,
                                    t.limit, s.trials.size(), t.detail.empty() ? "" : "; " + t.detail);
      o += fmt::format("    <testcase classname=\"{}\" name=\"{}\">", xml_escape(s.name), xml_escape(t.name));
      if (!t.pass) o += fmt::format("<failure message=\"{}\"/>", xml_escape(msg));
      else o += fmt::format("<system-out>{}</system-out>", xml_escape(msg));
      o += "</testcase>\n";
    }
    o += "  </testsuite>\n";
  }
  o += "</testsuites>\n";
  return o;
}

}  // namespace netlab::report
