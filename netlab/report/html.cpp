// report.html and the side-by-side comparison of runs: one self-contained
// XHTML page each (inline CSS and SVG, no script, nothing fetched), which
// also parses as XML.
#include "netlab/report/html.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

#include "netlab/report/svg_util.h"

namespace netlab::report {

using nlohmann::json;
using svg::escape;
using svg::ms_text;

namespace svg {

std::string verdict_class(std::string_view verdict) {
  for (const char* v : {"pass", "fail", "inconclusive", "error"})
    if (verdict == v) return std::string("verdict-") + v;
  return "verdict-unknown";
}

std::string escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // Control characters other than tab and newline are not XML.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') out += ' ';
        else out += c;
    }
  return out;
}

}  // namespace svg

namespace {

std::string str(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// A figure in ms from a json number; "-" when absent or null.
std::string ms_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? ms_text(it->get<double>()) : "-";
}

std::string stat_of(const json& s, const char* stat, const char* which) {
  if (!s.contains("stats") || !s["stats"].contains(stat)) return "-";
  return ms_of(s["stats"][stat], which);
}

std::string verdict_cell(const std::string& v) {
  return "<td class=\"verdict " + svg::verdict_class(v) + "\">" + escape(v.empty() ? "?" : v) + "</td>";
}

std::string join(const json& names) {
  std::string out;
  if (!names.is_array()) return out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n.get<std::string>();
  return out.empty() ? "-" : out;
}

std::vector<std::string> strings(const json& j, const char* key) {
  std::vector<std::string> out;
  if (j.contains(key) && j[key].is_array())
    for (const auto& v : j[key]) out.push_back(v.get<std::string>());
  return out;
}

constexpr const char* kStyle = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 6px;border-bottom:1px solid #ddd}
h3{font-size:15px;margin:16px 0 4px}
table{border-collapse:collapse;margin:6px 0 12px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f1f3f6}td.num{text-align:right;font-variant-numeric:tabular-nums}
.verdict{font-weight:bold}.verdict-pass{background:#e3f4e4;color:#1b5e20}.verdict-fail{background:#fde2e2;color:#b71c1c}
.verdict-inconclusive{background:#fff4d6;color:#8a5a00}.verdict-error{background:#ede3f4;color:#4a148c}
.verdict-unknown{background:#eee}
.cell-ok{background:#d7f0d9}.cell-bad{background:#f8c9c9}.cell-warn{background:#ffe9b3}.cell-na{background:#eee}
.better{color:#1b5e20}.worse{color:#b71c1c}
.muted{color:#666}.legend span{display:inline-block;margin-right:14px}
.sw{display:inline-block;width:22px;height:6px;vertical-align:middle;margin-right:4px}
.trial{margin:10px 0 18px}.pictures{overflow-x:auto}
svg text{user-select:none}
)";

std::string page_head(const std::string& title) {
  return "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
         "<meta name=\"generator\" content=\"netlab\"/>\n<title>" +
         escape(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
}

void facts(std::ostringstream& out, const json& r) {
  out << "<h2 id=\"facts\">Run</h2>\n<table class=\"facts\">\n";
  auto row = [&](const std::string& k, const std::string& v) {
    out << "<tr><th>" << escape(k) << "</th><td>" << escape(v) << "</td></tr>\n";
  };
  row("topology", str(r, "topology"));
  row("lab", str(r, "lab"));
  row("netlab", str(r, "netlab_version"));
  row("kernel", str(r, "kernel_release"));
  row("FRR", str(r, "frr_version"));
  row("seed", str(r, "seed"));
  if (r.contains("scale") && r["scale"].is_number() && r["scale"].get<double>() != 1)
    row("scale", fmt::format("every bandwidth, packet rate and traffic rate is AWS's divided by {:g}",
                             r["scale"].get<double>()));
  std::string bring = ms_of(r, "bringup_ms");
  if (r.contains("bringup_split_ms") && r["bringup_split_ms"].is_object()) {
    std::vector<std::pair<double, std::string>> split;
    for (const auto& [k, v] : r["bringup_split_ms"].items())
      if (v.is_number()) split.push_back({v.get<double>(), k});
    std::sort(split.begin(), split.end());
    bring += " (";
    for (size_t i = 0; i < split.size(); ++i)
      bring += (i ? ", " : "") + split[i].second + " at " + ms_text(split[i].first);
    bring += ")";
  }
  row("bring-up", bring);
  if (r.contains("backends"))
    for (const auto& [k, v] : r["backends"].items()) row("backend: " + k, v.is_string() ? v.get<std::string>() : v.dump());
  out << "</table>\n";
}

void summary(std::ostringstream& out, const json& r) {
  out << "<h2 id=\"summary\">Scenarios</h2>\n<table class=\"summary\">\n<tr><th>scenario</th><th>fault</th>"
         "<th>trials</th><th>outage p50</th><th>p95</th><th>max</th><th>convergence p50</th>"
         "<th>failback max</th><th>verdict</th></tr>\n";
  size_t i = 0;
  for (const auto& s : r.value("scenarios", json::array())) {
    out << "<tr><td><a href=\"#s" << i++ << "\">" << escape(str(s, "name")) << "</a></td><td>"
        << escape(str(s, "fault")) << "</td><td class=\"num\">" << s.value("trials", json::array()).size()
        << "</td><td class=\"num\">" << stat_of(s, "outage_ms", "p50") << "</td><td class=\"num\">"
        << stat_of(s, "outage_ms", "p95") << "</td><td class=\"num\">" << stat_of(s, "outage_ms", "max")
        << "</td><td class=\"num\">" << stat_of(s, "convergence_ms", "p50") << "</td><td class=\"num\">"
        << stat_of(s, "failback_outage_ms", "max") << "</td>" << verdict_cell(str(s, "verdict")) << "</tr>\n";
  }
  out << "</table>\n";
}

// The sweep: every single failure as a row, coloured by what it did to
// reachability against what the topology's graph predicted.
void sweep(std::ostringstream& out, const json& r) {
  if (!r.contains("sweep") || !r["sweep"].is_array()) return;
  out << "<h2 id=\"sweep\">Resiliency matrix</h2>\n";
  if (r.contains("dx_resiliency")) {
    const auto& d = r["dx_resiliency"];
    out << "<p class=\"resiliency\">AWS Direct Connect resiliency: <strong>" << escape(str(d, "model"))
        << "</strong>. " << escape(str(d, "reason")) << "</p>\n";
  }
  std::vector<std::string> lost;
  out << "<table class=\"matrix\">\n<tr><th>failure</th><th>kind</th><th>hold</th><th>predicted</th><th>reachable</th>"
         "<th>over DX</th><th>outage max</th></tr>\n";
  const auto scenarios = r.value("scenarios", json::array());
  size_t i = 0;
  for (const auto& row : r["sweep"]) {
    bool reach = row.value("reachable", false), pred = row.value("predicted_reachable", false);
    std::string outage = i < scenarios.size() ? stat_of(scenarios[i], "outage_ms", "max") : "-";
    out << "<tr><td>" << escape(str(row, "failure")) << "</td><td>" << escape(str(row, "kind"))
        << "</td><td class=\"num\">" << escape(str(row, "hold_s")) << " s</td><td class=\""
        << (pred ? "cell-ok" : "cell-bad") << "\">" << (pred ? "reachable" : "unreachable") << "</td><td class=\""
        << (reach == pred ? (reach ? "cell-ok" : "cell-bad") : "cell-warn") << "\">"
        << (reach ? "reachable" : "unreachable") << (reach != pred ? " (not as predicted)" : "")
        << "</td><td class=\"" << (row.contains("over_dx") ? (row.value("over_dx", false) ? "cell-ok" : "cell-warn") : "cell-na")
        << "\">" << (row.contains("over_dx") ? (row.value("over_dx", false) ? "yes" : "no") : "-")
        << "</td><td class=\"num\">" << outage << "</td></tr>\n";
    if (!reach) lost.push_back(str(row, "failure"));
    ++i;
  }
  out << "</table>\n";
  out << "<p>Failures that cut the probe off: " << escape(lost.empty() ? "none" : "") ;
  for (size_t k = 0; k < lost.size(); ++k) out << (k ? ", " : "") << "<code>" << escape(lost[k]) << "</code>";
  out << ".</p>\n";
}

constexpr const char* kTopologyLegend =
    "<p class=\"legend muted\"><span><span class=\"sw\" style=\"background:#c77700\"></span>DX</span>"
    "<span><span class=\"sw\" style=\"background:#37474f\"></span>backbone</span>"
    "<span><span class=\"sw\" style=\"background:#555\"></span>LAN</span>"
    "<span><span class=\"sw\" style=\"background:#2e7d32\"></span>internet</span>"
    "<span><span class=\"sw\" style=\"background:#6a1b9a\"></span>WireGuard</span>"
    "<span><span class=\"sw\" style=\"background:#283593\"></span>IPsec</span>"
    "<span><span class=\"sw\" style=\"background:#1565c0;opacity:.55\"></span>path before</span>"
    "<span><span class=\"sw\" style=\"background:#ef6c00;opacity:.55\"></span>during</span>"
    "<span><span class=\"sw\" style=\"background:#2e7d32;opacity:.55\"></span>after the fault</span>"
    "<span><span class=\"sw\" style=\"background:#c62828\"></span>faulted</span></p>\n";

// What the probe lost in one trial, per direction and per flow
// (docs/measurement.md): a table, for reports that carry the loss figures.
void loss_table(std::ostringstream& out, const json& t) {
  if (!t.contains("outage") || !t["outage"].value("forward", json::object()).contains("loss_ms")) return;
  out << "<table class=\"loss\"><tr><th>direction</th><th>longest gap</th><th>loss-derived</th><th>bursts</th>"
         "<th>recovery</th><th>first lost</th><th>last lost</th></tr>\n";
  auto row = [&](const std::string& label, const json& o) {
    std::string rec = !o.value("recovered", true)               ? "not recovered"
                      : o.value("recovery_sustained", true) ? ms_of(o, "recovery_ms")
                                                            : "\u2265 " + ms_of(o, "recovery_ms") + " (no clean period)";
    out << "<tr><td>" << escape(label) << "</td><td class=\"num\">" << ms_of(o, "outage_ms")
        << "</td><td class=\"num\">" << ms_of(o, "loss_ms") << "</td><td class=\"num\">" << o.value("loss_bursts", 0)
        << "</td><td class=\"num\">" << rec << "</td><td class=\"num\">" << ms_of(o, "first_lost_ms")
        << "</td><td class=\"num\">" << ms_of(o, "last_lost_ms") << "</td></tr>\n";
  };
  for (const char* dir : {"forward", "reverse"}) row(dir, t["outage"].value(dir, json::object()));
  for (const auto& f : t.value("flows", json::array()))
    for (const char* dir : {"forward", "reverse"})
      row("flow " + std::to_string(f.value("flow", 0)) + " " + dir, f.value(dir, json::object()));
  out << "</table>\n";
}

// The traffic streams of one trial (docs/traffic.md): offered and delivered
// before, during (second half of the hold) and after the fault.
void traffic_table(std::ostringstream& out, const json& t) {
  if (!t.contains("traffic") || t["traffic"].empty()) return;
  out << "<table class=\"traffic\"><tr><th>traffic</th><th>sent as</th><th>before</th><th>during the fault</th>"
         "<th>after</th><th>delivered</th><th>full-size packets</th></tr>\n";
  auto window = [](const json& w) -> std::string {
    if (!w.value("measured", false)) return "not measured: " + w.value("why_not", std::string());
    return fmt::format("{:.1f} / {:.1f} Mbit/s", w.value("offered_mbit", 0.0), w.value("delivered_mbit", 0.0));
  };
  for (const auto& x : t["traffic"]) {
    std::string as = fmt::format("{} {} B{}", str(x, "protocol"), x.value("size", 0), x.value("df", false) ? " DF" : "");
    if (x.value("rate_mbit", 0.0) > 0) as += fmt::format(", {:g} Mbit/s", x.value("rate_mbit", 0.0));
    if (x.value("pps", 0.0) > 0) as += fmt::format(", {:g} pps", x.value("pps", 0.0));
    const json during = x.value("during", json::object());
    std::string mtu = "-";
    if (x.contains("mtu_ok") && x["mtu_ok"].is_boolean())
      mtu = x["mtu_ok"].get<bool>() ? "delivered"
            : during.value("emsgsize", 0) > 0
                ? fmt::format("dropped; sender learnt path MTU {}", during.value("path_mtu", 0))
                : "dropped, no ICMP came back (blackhole)";
    out << "<tr data-traffic=\"" << escape(str(x, "name")) << "\"><td>" << escape(str(x, "name")) << "</td><td>"
        << escape(as) << "</td><td class=\"num\">" << escape(window(x.value("before", json::object())))
        << "</td><td class=\"num\">" << escape(window(during)) << "</td><td class=\"num\">"
        << escape(window(x.value("after", json::object()))) << "</td><td class=\"num\">"
        << (x.contains("delivered_pct") && x["delivered_pct"].is_number()
                ? fmt::format("{:.1f} %", x["delivered_pct"].get<double>())
                : std::string("-"))
        << "</td><td>" << escape(mtu) << "</td></tr>\n";
  }
  out << "</table>\n";
}

// The figures per path before the fault, when the trials started on
// different paths; the alternatives cover_paths could not make active.
void path_groups(std::ostringstream& out, const json& s) {
  if (s.contains("path_groups")) {
    out << "<h3>By path before the fault</h3>\n<table class=\"path-groups\"><tr><th>before on</th><th>trials</th>"
           "<th>outage p50</th><th>outage max</th><th>loss-derived max</th><th>recovery max</th></tr>\n";
    for (const auto& g : s["path_groups"]) {
      std::string trials;
      for (const auto& n : g.value("trials", json::array())) trials += (trials.empty() ? "" : ", ") + n.dump();
      const json st = g.value("stats", json::object());
      const json none = json::object();
      out << "<tr data-path=\"" << escape(str(g, "label")) << "\"><td>" << escape(str(g, "label")) << "</td><td>"
          << escape(trials) << "</td><td class=\"num\">" << ms_of(st.value("outage_ms", none), "p50")
          << "</td><td class=\"num\">" << ms_of(st.value("outage_ms", none), "max") << "</td><td class=\"num\">"
          << ms_of(st.value("loss_ms", none), "max") << "</td><td class=\"num\">"
          << ms_of(st.value("recovery_ms", none), "max") << "</td></tr>\n";
    }
    out << "</table>\n";
  }
  if (!s.contains("cover_paths")) return;
  for (const auto& n : s["cover_paths"].value("not_active", json::array()))
    out << "<p class=\"verdict verdict-inconclusive\">cover_paths could not make " << escape(str(n, "alternative"))
        << " the active path: " << escape(str(n, "why")) << "</p>\n";
  if (s["cover_paths"].contains("note")) out << "<p class=\"muted\">" << escape(str(s["cover_paths"], "note")) << "</p>\n";
}

void scenario_section(std::ostringstream& out, const json& s, size_t index, const TopologyPicture* topo) {
  const auto trials = s.value("trials", json::array());
  out << "<section class=\"scenario\" id=\"s" << index << "\" data-scenario=\"" << escape(str(s, "name"))
      << "\" data-trials=\"" << trials.size() << "\">\n<h2>" << escape(str(s, "name")) << " <span class=\"verdict "
      << svg::verdict_class(str(s, "verdict")) << "\">" << escape(str(s, "verdict")) << "</span></h2>\n";
  if (!str(s, "description").empty()) out << "<p>" << escape(str(s, "description")) << "</p>\n";
  out << "<p>fault <code>" << escape(str(s, "fault")) << "</code>, held " << escape(str(s, "hold_s")) << " s, "
      << trials.size() << " trial" << (trials.size() == 1 ? "" : "s") << ".</p>\n";
  if (s.contains("error")) out << "<p class=\"verdict verdict-error\">" << escape(str(s, "error")) << "</p>\n";
  if (!s.value("targets", json::array()).empty()) {
    out << "<table class=\"targets\"><tr><th>target</th><th>limit</th><th>measured</th><th>result</th><th>detail</th></tr>\n";
    for (const auto& t : s["targets"])
      out << "<tr><td>" << escape(str(t, "name")) << "</td><td>" << escape(str(t, "limit")) << "</td><td>"
          << escape(str(t, "measured")) << "</td>" << verdict_cell(t.contains("verdict") ? str(t, "verdict") : t.value("pass", false) ? "pass" : "fail") << "<td>"
          << escape(str(t, "detail")) << "</td></tr>\n";
    out << "</table>\n";
  }
  path_groups(out, s);
  if (topo && !trials.empty()) {
    const auto& t0 = trials[0];
    TopologyOverlay o{strings(t0, "path_before"), strings(t0, "path"), strings(t0, "path_after"),
                      topo->faulted_by(str(s, "name"), str(s, "fault"))};
    out << "<h3>Path of the probe (trial " << t0.value("trial", 1) << ")</h3>\n<div class=\"pictures\">"
        << topo->svg(o) << "</div>\n" << kTopologyLegend;
  }
  if (!trials.empty()) out << "<h3>Outage over the trials</h3>\n<div class=\"pictures\">" << svg::distribution(s) << "</div>\n";
  for (const auto& t : trials) {
    out << "<div class=\"trial\" data-trial=\"" << t.value("trial", 0) << "\">\n<h3>Trial " << t.value("trial", 0)
        << "</h3>\n<p class=\"muted\">outage forward " << (t.contains("outage_ms") ? ms_of(t["outage_ms"], "forward") : "-")
        << ", reverse " << (t.contains("outage_ms") ? ms_of(t["outage_ms"], "reverse") : "-") << "; convergence "
        << ms_of(t, "convergence_ms") << "; failback " << ms_of(t, "failback_outage_ms") << "; "
        << (t.value("reachable", true) ? "reachable" : "unreachable") << " at the end of the hold. Path before: "
        << escape(join(t.value("path_before", json::array()))) << "; during: " << escape(join(t.value("path", json::array())))
        << "; after: " << escape(join(t.value("path_after", json::array()))) << "."
        << (t.contains("resolution_ms") ? " Resolution " + ms_of(t, "resolution_ms") + "." : "") << "</p>\n";
    if (!t.value("valid", true))
      out << "<p class=\"verdict " << svg::verdict_class("inconclusive") << "\">Invalid, judges no target: "
          << escape(str(t, "invalid_reason")) << "</p>\n";
    if (t.contains("repeated_reason") && t["repeated_reason"].is_string())
      out << "<p class=\"muted\">Run twice: the first attempt was invalid (" << escape(str(t, "repeated_reason"))
          << ").</p>\n";
    loss_table(out, t);
    traffic_table(out, t);
    out << "<div class=\"pictures\">" << svg::trial_timeline(s, t) << "</div>\n</div>\n";
  }
  out << "</section>\n";
}

}  // namespace

std::string html(const json& r, const TopologyPicture* topo) {
  std::ostringstream out;
  std::string name = std::filesystem::path(str(r, "topology")).stem().string();
  out << page_head("netlab: " + name);
  out << "<h1>" << escape(name) << " <span class=\"verdict " << svg::verdict_class(str(r, "verdict")) << "\">"
      << escape(str(r, "verdict")) << "</span></h1>\n";
  if (!str(r, "description").empty()) out << "<p>" << escape(str(r, "description")) << "</p>\n";
  summary(out, r);
  sweep(out, r);
  if (topo) out << "<h2 id=\"topology\">Topology</h2>\n<div class=\"pictures\">" << topo->svg() << "</div>\n" << kTopologyLegend;
  size_t i = 0;
  for (const auto& s : r.value("scenarios", json::array())) scenario_section(out, s, i++, topo);
  facts(out, r);
  out << "<p class=\"muted\">Times are ms from the fault. Hover a mark, bar or link for its details.</p>\n";
  out << "</body>\n</html>\n";
  return out.str();
}

std::string html_compare(const std::vector<json>& reports, const std::vector<std::string>& labels) {
  std::ostringstream out;
  out << page_head("netlab: " + std::to_string(reports.size()) + " runs compared");
  out << "<h1>" << reports.size() << " runs compared</h1>\n";
  out << "<table class=\"runs\"><tr><th>run</th><th>topology</th><th>netlab</th><th>kernel</th><th>FRR</th>"
         "<th>seed</th><th>bring-up</th><th>verdict</th></tr>\n";
  for (size_t i = 0; i < reports.size(); ++i) {
    const auto& r = reports[i];
    out << "<tr><td>" << escape(labels[i]) << "</td><td>" << escape(str(r, "topology")) << "</td><td>"
        << escape(str(r, "netlab_version")) << "</td><td>" << escape(str(r, "kernel_release")) << "</td><td>"
        << escape(str(r, "frr_version")) << "</td><td>" << escape(str(r, "seed")) << "</td><td class=\"num\">"
        << ms_of(r, "bringup_ms") << "</td>" << verdict_cell(str(r, "verdict")) << "</tr>\n";
  }
  out << "</table>\n";

  std::vector<std::string> names;
  for (const auto& r : reports)
    for (const auto& s : r.value("scenarios", json::array()))
      if (std::find(names.begin(), names.end(), str(s, "name")) == names.end()) names.push_back(str(s, "name"));

  // The difference to the first run, coloured: lower is better for every figure.
  auto cell = [](const json* s, const json* base, const char* stat, const char* which) {
    std::string v = s ? stat_of(*s, stat, which) : "-";
    std::string d;
    if (s && base && s != base && s->contains("stats") && base->contains("stats") && (*s)["stats"].contains(stat) &&
        (*base)["stats"].contains(stat)) {
      double a = (*s)["stats"][stat].value(which, 0.0), b = (*base)["stats"][stat].value(which, 0.0);
      double diff = a - b;
      if (std::abs(diff) >= 0.05)
        d = std::string(" <span class=\"") + (diff < 0 ? "better" : "worse") + "\">(" + (diff > 0 ? "+" : "\u2212") +
            ms_text(std::abs(diff)) + ")</span>";
      else
        d = " <span class=\"muted\">(=)</span>";
    }
    return "<td class=\"num\">" + v + d + "</td>";
  };
  for (const auto& name : names) {
    out << "<section class=\"scenario\" data-scenario=\"" << escape(name) << "\">\n<h2>" << escape(name) << "</h2>\n"
        << "<table><tr><th>run</th><th>fault</th><th>trials</th><th>outage p50</th><th>p95</th><th>max</th>"
           "<th>convergence p50</th><th>failback max</th><th>verdict</th></tr>\n";
    const json* base = nullptr;
    for (size_t i = 0; i < reports.size(); ++i) {
      const json* s = nullptr;
      if (reports[i].contains("scenarios"))
        for (const auto& x : reports[i]["scenarios"])
          if (str(x, "name") == name) s = &x;
      if (i == 0) base = s;
      out << "<tr><td>" << escape(labels[i]) << "</td>";
      if (!s) {
        out << "<td colspan=\"8\" class=\"muted\">not in this run</td></tr>\n";
        continue;
      }
      out << "<td>" << escape(str(*s, "fault")) << "</td><td class=\"num\">" << s->value("trials", json::array()).size()
          << "</td>" << cell(s, base, "outage_ms", "p50") << cell(s, base, "outage_ms", "p95")
          << cell(s, base, "outage_ms", "max") << cell(s, base, "convergence_ms", "p50")
          << cell(s, base, "failback_outage_ms", "max") << verdict_cell(str(*s, "verdict")) << "</tr>\n";
    }
    out << "</table>\n<div class=\"pictures\">";
    // One scale for every run's distribution, so that they compare by eye.
    double axis = 0;
    for (const auto& r : reports)
      if (r.contains("scenarios"))
        for (const auto& x : r["scenarios"])
          if (str(x, "name") == name) {
            for (const auto& t : x.value("trials", json::array()))
              if (t.contains("outage_ms"))
                for (const char* dir : {"forward", "reverse"})
                  if (t["outage_ms"].contains(dir) && t["outage_ms"][dir].is_number())
                    axis = std::max(axis, t["outage_ms"][dir].get<double>());
            for (const auto& tg : x.value("targets", json::array()))
              if (str(tg, "name") == "max_outage_ms") try {
                  axis = std::max(axis, std::stod(str(tg, "limit")));
                } catch (const std::exception&) {
                }
          }
    for (size_t i = 0; i < reports.size(); ++i)
      if (reports[i].contains("scenarios"))
        for (const auto& x : reports[i]["scenarios"])
          if (str(x, "name") == name && !x.value("trials", json::array()).empty()) {
            json labelled = x;
            labelled["name"] = labels[i] + ": " + name;
            out << svg::distribution(labelled, axis * 1.08);
          }
    out << "</div>\n</section>\n";
  }
  out << "<p class=\"muted\">Differences are to the first run; lower is better.</p>\n</body>\n</html>\n";
  return out.str();
}

}  // namespace netlab::report
