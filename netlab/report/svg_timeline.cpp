// Timelines and distributions of a scenario, from report.json's trials.
//
// A timeline is one time axis in ms from the fault: a lane per node with its
// events as marks (class "mark", exactly one per event of the trial), lanes
// for the outage of each direction and flow as bars (class "bar", width =
// outage_ms x data-px-per-ms), the fault and the repair as guides, and under
// it the same lanes on a zoomed axis over the first 2 s after the fault
// (class "zmark"/"zbar", so the counts above stay exact).
#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "netlab/report/html.h"
#include "netlab/report/svg_util.h"
#include "netlab/scenario/results.h"

namespace netlab::report::svg {

using nlohmann::json;

namespace {

constexpr double kWidth = 960, kLeft = 130, kRight = 24;
constexpr double kLane = 16;
constexpr double kZoomFrom = -100, kZoomTo = 2000;

double num_of(const json& j, const char* key, double dflt = 0) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : dflt;
}
std::string str_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string kind_class(std::string k) {
  for (auto& c : k)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') c = '-';
  return "k-" + k;
}

// The shape of a mark: down-going changes point down, up-going point up,
// route changes are diamonds, everything else a square.
std::string mark_path(const std::string& kind, double x, double y) {
  auto has = [&](const char* s) { return kind.find(s) != std::string::npos; };
  if (has("down") || has("delete") || kind == "fault" || kind == "cut")
    return "M" + num(x - 4.5) + "," + num(y - 4) + "h9l-4.5,8z";
  if (has("up") || kind == "repair") return "M" + num(x - 4.5) + "," + num(y + 4) + "h9l-4.5,-8z";
  if (has("route")) return "M" + num(x) + "," + num(y - 4.5) + "l4,4.5l-4,4.5l-4,-4.5z";
  return "M" + num(x - 3.5) + "," + num(y - 3.5) + "h7v7h-7z";
}

struct Axis {
  double t0 = 0, t1 = 1;  // ms
  double x0 = kLeft, x1 = kWidth - kRight;
  double px_per_ms() const { return (x1 - x0) / (t1 - t0); }
  double x(double t) const { return x0 + (t - t0) * px_per_ms(); }
  bool in(double t) const { return t >= t0 && t <= t1; }
};

void axis_ticks(std::ostringstream& out, const Axis& a, double y, double bottom) {
  double step = tick_step(a.t1 - a.t0, 8);
  for (double t = std::ceil(a.t0 / step) * step; t <= a.t1 + 1e-9; t += step) {
    double x = a.x(t);
    out << "<line class=\"grid\" x1=\"" << num(x) << "\" y1=\"" << num(y) << "\" x2=\"" << num(x) << "\" y2=\""
        << num(bottom) << "\"/><text class=\"tick\" x=\"" << num(x) << "\" y=\"" << num(y - 3) << "\">"
        << (std::abs(t) < 1e-9 ? "0" : (step >= 1000 ? num(t / 1000) + " s" : num(t) + " ms")) << "</text>";
  }
}

// A lane of bars: one direction's outage (and failback) or one flow's.
struct BarLane {
  std::string label, cls;
  std::vector<std::pair<std::string, json>> bars;  // class, Outage
};

constexpr const char* kTimelineStyle =
    "<style>"
    ".timeline text{font:10px sans-serif;fill:#333}"
    ".timeline .tick{font-size:9px;text-anchor:middle;fill:#666}"
    ".timeline .grid{stroke:#e3e3e3}"
    ".timeline .lane{fill:#fafafa}"
    ".timeline .lane.alt{fill:#f1f3f6}"
    ".timeline .guide{stroke-width:1.5;stroke-dasharray:4 2}"
    ".timeline .guide.fault{stroke:#c62828}.timeline .guide.repair{stroke:#2e7d32}"
    ".mark,.zmark{fill:#607d8b;stroke:#fff;stroke-width:.6}"
    ".k-bfd-down{fill:#d81b60}.k-bfd-up{fill:#8e24aa}"
    ".k-bgp-down{fill:#e65100}.k-bgp-up{fill:#1565c0}"
    ".k-route-add{fill:#2e7d32}.k-route-delete{fill:#9e9d24}"
    ".k-fault,.k-cut,.k-link-down,.k-daemons-killed{fill:#c62828}.k-repair{fill:#2e7d32}"
    ".mark:hover,.zmark:hover{stroke:#000;stroke-width:1.5}"
    ".bar,.zbar{fill:#e53935;opacity:.8}.bar.rev,.zbar.rev{fill:#fb8c00}"
    ".bar.failback,.zbar.failback{fill:#6d4c41}"
    ".bar.open,.zbar.open{fill-opacity:.4;stroke:#b71c1c;stroke-dasharray:3 2}"
    ".zoom-label{font-style:italic;fill:#666}"
    "</style>";

}  // namespace

double tick_step(double span, int ticks) {
  if (span <= 0) return 1;
  double raw = span / ticks;
  double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * p) return m * p;
  return 10 * p;
}

namespace {

// Lanes: the lab as a whole first, then nodes in order of their first event.
std::vector<std::string> event_lanes(const json& events) {
  std::vector<std::string> lanes{""};
  for (const auto& e : events) {
    std::string n = str_of(e, "node");
    if (std::find(lanes.begin(), lanes.end(), n) == lanes.end()) lanes.push_back(n);
  }
  return lanes;
}

std::vector<BarLane> bar_lanes_of(const json& trial) {
  std::vector<BarLane> bar_lanes;
  for (const char* dir : {"forward", "reverse"}) {
    BarLane bl;
    bl.label = std::string("outage ") + (dir[0] == 'f' ? "fwd" : "rev");
    bl.cls = dir[0] == 'f' ? "fwd" : "rev";
    if (trial.contains("outage") && trial["outage"].contains(dir)) bl.bars.push_back({"outage", trial["outage"][dir]});
    if (trial.contains("failback") && trial["failback"].contains(dir))
      bl.bars.push_back({"failback", trial["failback"][dir]});
    bar_lanes.push_back(std::move(bl));
  }
  if (trial.contains("flows") && trial["flows"].size() > 1)
    for (const auto& f : trial["flows"])
      for (const char* dir : {"forward", "reverse"}) {
        BarLane bl;
        bl.label = "flow " + std::to_string(f.value("flow", 0)) + (dir[0] == 'f' ? " fwd" : " rev");
        bl.cls = std::string(dir[0] == 'f' ? "fwd" : "rev") + " flow";
        if (f.contains(dir)) bl.bars.push_back({"outage", f[dir]});
        bar_lanes.push_back(std::move(bl));
      }
  return bar_lanes;
}

// The full axis: every event and every bar.
Axis full_axis(const json& trial, const json& events, const std::vector<BarLane>& bar_lanes) {
  double hold = num_of(trial, "hold_ms");
  double lo = 0, hi = std::max(hold, 1.0);
  for (const auto& e : events) {
    lo = std::min(lo, num_of(e, "t_ms"));
    hi = std::max(hi, num_of(e, "t_ms"));
  }
  for (const auto& bl : bar_lanes)
    for (const auto& [cls, o] : bl.bars)
      if (num_of(o, "outage_ms") > 0) {
        hi = std::max(hi, num_of(o, "start_ms") + num_of(o, "outage_ms"));
        lo = std::min(lo, num_of(o, "start_ms"));
      }
  double pad = (hi - lo) * 0.02;
  return Axis{lo - pad, hi + pad};
}

// One panel of a timeline (the full axis, or the zoomed one under it).
struct Panel {
  std::ostringstream& out;
  const json& events;
  const std::vector<std::string>& lanes;
  const std::vector<BarLane>& bar_lanes;
  double lanes_h;

  void draw(const Axis& a, double top, bool zoomed) const;
  void draw_lanes(const Axis& a, double top) const;
  void draw_bars(const Axis& a, double top, bool zoomed) const;
  void draw_marks(const Axis& a, double top, bool zoomed) const;
};

void Panel::draw_lanes(const Axis& a, double top) const {
  double y = top;
  for (size_t i = 0; i < lanes.size() + bar_lanes.size(); ++i, y += kLane) {
    out << "<rect class=\"lane" << (i % 2 ? " alt" : "") << "\" x=\"" << num(a.x0) << "\" y=\"" << num(y)
        << "\" width=\"" << num(a.x1 - a.x0) << "\" height=\"" << num(kLane) << "\"/>";
    std::string label = i < lanes.size() ? (lanes[i].empty() ? "lab" : lanes[i]) : bar_lanes[i - lanes.size()].label;
    out << "<text x=\"" << num(a.x0 - 6) << "\" y=\"" << num(y + 11.5) << "\" text-anchor=\"end\">" << escape(label)
        << "</text>";
  }
  out << "\n";
  axis_ticks(out, a, top, top + lanes_h);
  out << "\n";
  // The fault and the repair as guides over every lane.
  for (const auto& e : events) {
    std::string k = str_of(e, "kind");
    double t = num_of(e, "t_ms");
    if ((k == "fault" || k == "repair") && str_of(e, "node").empty() && a.in(t))
      out << "<line class=\"guide " << k << "\" x1=\"" << num(a.x(t)) << "\" y1=\"" << num(top) << "\" x2=\""
          << num(a.x(t)) << "\" y2=\"" << num(top + lanes_h) << "\"/>";
  }
  out << "\n";
}

// Bars.
void Panel::draw_bars(const Axis& a, double top, bool zoomed) const {
  const char* bar = zoomed ? "zbar" : "bar";
  double y = top + kLane * static_cast<double>(lanes.size());
  for (const auto& bl : bar_lanes) {
    for (const auto& [cls, o] : bl.bars) {
      double ms = num_of(o, "outage_ms"), start = num_of(o, "start_ms");
      bool open = o.contains("recovered") && !o["recovered"].get<bool>();
      double from = start, to = start + ms;
      if (zoomed) {
        if (ms <= 0 || to < a.t0 || from > a.t1) continue;
        from = std::max(from, a.t0);
        to = std::min(to, a.t1);
      }
      std::string title = (cls == "failback" ? "failback " : "outage ") + bl.label.substr(bl.label.find(' ') + 1) +
                          ": " + ms_text(ms) + " (" + std::to_string(o.value("lost", 0)) + " probes lost";
      if (ms > 0) title += ", " + ms_text(start) + " to " + ms_text(start + ms) + " from the fault";
      title += std::string(")") + (open ? ", still open at the end" : "");
      out << "<rect class=\"" << bar << " " << cls << " " << bl.cls << (open ? " open" : "") << "\" x=\""
          << num(a.x(ms > 0 ? from : 0)) << "\" y=\"" << num(y + 3) << "\" width=\""
          << fmt::format("{:.3f}", (to - from) * a.px_per_ms()) << "\" height=\"" << num(kLane - 6)
          << "\" data-ms=\"" << ms << "\"><title>" << escape(title) << "</title></rect>";
    }
    y += kLane;
    out << "\n";
  }
}

// Marks, one per event.
void Panel::draw_marks(const Axis& a, double top, bool zoomed) const {
  const char* mark = zoomed ? "zmark" : "mark";
  for (const auto& e : events) {
    double t = num_of(e, "t_ms");
    if (zoomed && !a.in(t)) continue;
    std::string node = str_of(e, "node"), kind = str_of(e, "kind");
    size_t lane = std::find(lanes.begin(), lanes.end(), node) - lanes.begin();
    double ly = top + kLane * static_cast<double>(lane) + kLane / 2;
    std::string title = ms_text(t) + "  " + (node.empty() ? "lab" : node) + "  " + kind;
    std::string detail = str_of(e, "detail");
    if (!detail.empty()) title += "\n" + detail;
    out << "<path class=\"" << mark << " " << kind_class(kind) << "\" d=\"" << mark_path(kind, a.x(t), ly)
        << "\" data-t=\"" << t << "\"><title>" << escape(title) << "</title></path>\n";
  }
}

void Panel::draw(const Axis& a, double top, bool zoomed) const {
  if (zoomed)
    out << "<text class=\"zoom-label\" x=\"4\" y=\"" << num(top - 20) << "\">zoom: " << num(kZoomFrom)
        << " ms to " << num(kZoomTo / 1000) << " s after the fault</text>";
  draw_lanes(a, top);
  draw_bars(a, top, zoomed);
  draw_marks(a, top, zoomed);
}

}  // namespace

std::string trial_timeline(const json& scenario, const json& trial) {
  const json& events = trial.contains("events") ? trial["events"] : json::array();

  const std::vector<std::string> lanes = event_lanes(events);
  const std::vector<BarLane> bar_lanes = bar_lanes_of(trial);

  Axis full = full_axis(trial, events, bar_lanes);
  Axis zoom{kZoomFrom, kZoomTo};

  const double lanes_h = kLane * static_cast<double>(lanes.size() + bar_lanes.size());
  const double top1 = 40, bottom1 = top1 + lanes_h;
  const double top2 = bottom1 + 38, bottom2 = top2 + lanes_h;
  const double height = bottom2 + 10;
  const int index = trial.value("trial", 0);
  const std::string scen = str_of(scenario, "name");

  std::ostringstream out;
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"timeline\" width=\"" << num(kWidth) << "\" height=\""
      << num(height) << "\" viewBox=\"0 0 " << num(kWidth) << " " << num(height) << "\" data-scenario=\""
      << escape(scen) << "\" data-trial=\"" << index << "\" data-events=\"" << events.size()
      << "\" data-px-per-ms=\"" << fmt::format("{:.6f}", full.px_per_ms()) << "\" data-x-at-fault=\""
      << fmt::format("{:.3f}", full.x(0)) << "\" data-zoom-px-per-ms=\""
      << fmt::format("{:.6f}", zoom.px_per_ms()) << "\">\n"
      << kTimelineStyle << "\n";
  out << "<text x=\"4\" y=\"14\" font-weight=\"bold\">" << escape(scen) << ", trial " << index << " (" << escape(str_of(scenario, "fault"))
      << "): ms from the fault</text>\n";

  const Panel panel{out, events, lanes, bar_lanes, lanes_h};
  panel.draw(full, top1, false);
  panel.draw(zoom, top2, true);
  out << "</svg>\n";
  return out.str();
}

std::string scenario_timeline(const json& scenario) {
  std::vector<std::string> parts;
  double height = 0;
  std::ostringstream body;
  for (const auto& t : scenario.value("trials", json::array())) {
    std::string s = trial_timeline(scenario, t);
    // The trial's own height, read back from what was just written.
    auto h0 = s.find("height=\"") + 8;
    double h = std::stod(s.substr(h0, s.find('"', h0) - h0));
    // A nested <svg> at its place: the trial's picture unchanged.
    body << "<svg y=\"" << num(height) << "\"" << s.substr(4);
    height += h + 8;
  }
  std::ostringstream out;
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << num(kWidth) << "\" height=\"" << num(height + 20)
      << "\" viewBox=\"0 0 " << num(kWidth) << " " << num(height + 20) << "\">\n"
      << body.str() << "<text x=\"4\" y=\"" << num(height + 12)
      << "\" font-family=\"sans-serif\" font-size=\"10\" fill=\"#555\">"
         "\u25BC down/delete/fault  \u25B2 up/repair  \u25C6 route change;  bars: outage forward (red), reverse "
         "(orange), failback (brown)</text>\n</svg>\n";
  return out.str();
}

std::string distribution(const json& scenario, double axis_max_ms) {
  constexpr double kRow = 46;
  const auto trials = scenario.value("trials", json::array());
  std::optional<double> target;
  for (const auto& t : scenario.value("targets", json::array()))
    if (str_of(t, "name") == "max_outage_ms") try {
        target = std::stod(str_of(t, "limit"));
      } catch (const std::exception&) {
      }
  double vmax = target.value_or(0);
  // Every trial is drawn; an invalid one (the host starved the lab) hollow,
  // and it counts in no statistic, as in the report's figures.
  std::map<std::string, std::vector<double>> values, judged;
  for (const char* dir : {"forward", "reverse"})
    for (const auto& t : trials) {
      double v = t.contains("outage_ms") ? num_of(t["outage_ms"], dir) : 0;
      values[dir].push_back(v);
      if (t.value("valid", true)) judged[dir].push_back(v);
      vmax = std::max(vmax, v);
    }
  Axis a{0, axis_max_ms > 0 ? axis_max_ms : vmax > 0 ? vmax * 1.08 : 1};
  const double top = 30, height = top + 2 * kRow + 8;
  std::ostringstream out;
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"distribution\" width=\"" << num(kWidth)
      << "\" height=\"" << num(height) << "\" viewBox=\"0 0 " << num(kWidth) << " " << num(height)
      << "\" data-scenario=\"" << escape(str_of(scenario, "name")) << "\" data-px-per-ms=\""
      << fmt::format("{:.6f}", a.px_per_ms()) << "\">\n"
      << "<style>.distribution text{font:10px sans-serif;fill:#333}.distribution .tick{font-size:9px;"
         "text-anchor:middle;fill:#666}.distribution .grid{stroke:#e3e3e3}.point{fill:#1565c0;opacity:.75}"
         ".point:hover{stroke:#000}.point.invalid{fill:none;stroke:#888;stroke-width:1.5}.stat{stroke-width:2}.stat.p50{stroke:#2e7d32}.stat.p95{stroke:#ef6c00}"
         ".stat.max{stroke:#6d4c41}.target{stroke:#c62828;stroke-width:2;stroke-dasharray:6 3}</style>\n";
  out << "<text x=\"4\" y=\"12\" font-weight=\"bold\">" << escape(str_of(scenario, "name"))
      << ": outage per trial (ms)</text>\n";
  axis_ticks(out, a, top, top + 2 * kRow);
  out << "\n";
  double y = top;
  for (const char* dir : {"forward", "reverse"}) {
    const auto& v = values[dir];
    const auto& jv = judged[dir];
    auto st = scenario::stats_of(jv);
    out << "<g class=\"direction\" data-direction=\"" << dir << "\"><text x=\"" << num(a.x0 - 6) << "\" y=\""
        << num(y + kRow / 2 + 3) << "\" text-anchor=\"end\">" << dir << "</text>";
    for (size_t i = 0; i < v.size(); ++i) {
      double jitter = v.size() > 1 ? (static_cast<double>(i) / static_cast<double>(v.size() - 1) - 0.5) * (kRow - 20) : 0;
      const bool valid = trials[i].value("valid", true);
      out << "<circle class=\"point" << (valid ? "" : " invalid") << "\" cx=\"" << num(a.x(v[i])) << "\" cy=\""
          << num(y + kRow / 2 + jitter) << "\" r=\"4\" data-ms=\"" << v[i] << "\"><title>trial "
          << trials[i].value("trial", 0) << ": " << ms_text(v[i]) << (valid ? "" : ", invalid: judges nothing")
          << "</title></circle>";
    }
    for (auto [name, val] : {std::pair{"p50", st.p50}, std::pair{"p95", st.p95}, std::pair{"max", st.max}})
      if (!jv.empty())
        out << "<line class=\"stat " << name << "\" x1=\"" << num(a.x(val)) << "\" y1=\"" << num(y + 4) << "\" x2=\""
            << num(a.x(val)) << "\" y2=\"" << num(y + kRow - 4) << "\"><title>" << name << " " << ms_text(val)
            << "</title></line>";
    if (target)
      out << "<line class=\"target\" x1=\"" << num(a.x(*target)) << "\" y1=\"" << num(y) << "\" x2=\""
          << num(a.x(*target)) << "\" y2=\"" << num(y + kRow) << "\"><title>target: max_outage_ms "
          << ms_text(*target) << "</title></line>";
    out << "</g>\n";
    y += kRow;
  }
  out << "</svg>\n";
  return out.str();
}

}  // namespace netlab::report::svg
