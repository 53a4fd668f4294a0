#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "netlab/base/error.h"
#include "netlab/report/report.h"

namespace netlab::report {

using nlohmann::json;

namespace {

json opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

// The validity guard's figures of a trial (scenario/guard.h).
void guard_json(json& jt, const scenario::Trial& t) {
  jt["valid"] = t.valid;
  jt["invalid_reason"] = t.valid ? json(nullptr) : json(t.invalid_reason);
  jt["canary_max_lateness_ms"] = opt(t.canary_max_lateness_ms);
  jt["starvation_limit_ms"] = t.starvation_limit_ms;
  jt["repeated_reason"] = t.repeated_reason.empty() ? json(nullptr) : json(t.repeated_reason);
}

json outage_json(const scenario::Outage& o) {
  return {{"outage_ms", o.outage_ms},
          {"lost", o.lost},
          {"total_lost", o.total_lost},
          {"sent", o.sent},
          {"start_ms", o.start_ms},
          {"end_ms", o.end_ms},
          {"recovered", o.recovered},
          {"loss_ms", o.loss_ms},
          {"loss_bursts", o.bursts},
          {"recovery_ms", o.recovery_ms},
          {"recovery_sustained", o.recovery_sustained},
          {"first_lost_ms", opt(o.first_lost_ms)},
          {"last_lost_ms", opt(o.last_lost_ms)}};
}

json stats_json(const std::map<std::string, scenario::Stats>& stats) {
  json j = json::object();
  for (const auto& [k, st] : stats) j[k] = {{"p50", st.p50}, {"p95", st.p95}, {"max", st.max}};
  return j;
}

// The trials grouped by their path before the fault, and what cover_paths
// did: present only when the trials started on different paths, or the
// scenario asked for cover_paths.
void add_paths(json& js, const scenario::ScenarioResult& s) {
  if (auto groups = s.path_groups(); !groups.empty()) {
    js["path_groups"] = json::array();
    for (const auto& g : groups)
      js["path_groups"].push_back(
          {{"path_before", g.path_before}, {"label", g.label}, {"trials", g.trials}, {"stats", stats_json(g.stats)}});
  }
  if (!s.cover) return;
  json c = {{"alternatives", s.cover->alternatives}, {"not_active", json::array()}};
  for (const auto& [alt, why] : s.cover->not_active) c["not_active"].push_back({{"alternative", alt}, {"why", why}});
  if (!s.cover->note.empty()) c["note"] = s.cover->note;
  js["cover_paths"] = std::move(c);
}

json traffic_window_json(const scenario::TrafficFigures& w) {
  json j = {{"measured", w.measured}};
  if (!w.measured) {
    j["why_not"] = w.why_not;
    return j;
  }
  j["seconds"] = w.seconds;
  j["offered_mbit"] = w.offered_mbit;
  j["offered_pps"] = w.offered_pps;
  j["delivered_mbit"] = w.delivered_mbit;
  j["delivered_pps"] = w.delivered_pps;
  j["delivered_pct"] = w.delivered_pct;
  j["loss_pct"] = w.loss_pct;
  j["sent"] = w.sent;
  j["received"] = w.received;
  j["emsgsize"] = w.emsgsize;
  j["path_mtu"] = w.path_mtu;
  return j;
}

json traffic_json(const scenario::TrafficTrial& t) {
  json j = {{"name", t.name},       {"protocol", t.protocol}, {"size", t.size},
            {"df", t.df},           {"rate_mbit", t.rate_mbit}, {"pps", t.pps},
            {"before", traffic_window_json(t.before)}, {"during", traffic_window_json(t.during)},
            {"after", traffic_window_json(t.after)}};
  j["delivered_pct"] = opt(t.delivered_pct());
  auto ok = t.mtu_ok();
  j["mtu_ok"] = ok ? json(*ok) : json(nullptr);
  return j;
}

}  // namespace

json to_json(const scenario::RunResult& r) {
  json j;
  j["netlab_version"] = r.netlab_version;
  j["kernel_release"] = r.kernel_release;
  j["frr_version"] = r.frr_version;
  j["backends"] = r.backends;
  j["lab"] = r.lab;
  j["topology"] = r.topology;
  j["description"] = r.description;
  j["seed"] = r.seed;
  j["scale"] = r.scale;
  j["bringup_ms"] = r.bringup_ms;
  j["bringup_split_ms"] = r.bringup_split_ms;
  if (!r.shard.empty()) {
    j["shard"] = r.shard;
    j["host"] = r.host;
    j["shard_unit"] = r.shard_by_scenario ? "scenario" : "trial";
    j["work"] = json::array();
    for (const auto& [name, trials] : r.work) j["work"].push_back({{"scenario", name}, {"trials", trials}});
  }
  j["verdict"] = scenario::to_string(r.verdict());
  j["scenarios"] = json::array();
  for (const auto& s : r.scenarios) {
    json js;
    js["name"] = s.name;
    js["description"] = s.description;
    js["fault"] = s.fault;
    js["hold_s"] = s.hold_s;
    js["verdict"] = scenario::to_string(s.verdict());
    if (!s.error.empty()) js["error"] = s.error;
    js["targets"] = json::array();
    for (const auto& t : s.targets)
      js["targets"].push_back({{"name", t.name},
                               {"limit", t.limit},
                               {"measured", t.measured},
                               {"verdict", scenario::to_string(t.verdict)},
                               {"pass", t.pass()},
                               {"detail", t.detail}});
    js["stats"] = stats_json(s.stats());
    add_paths(js, s);
    js["trials"] = json::array();
    for (const auto& t : s.trials) {
      json jt;
      jt["trial"] = t.index;
      if (!t.shard.empty()) {
        jt["shard"] = t.shard;
        jt["host"] = t.host;
      }
      jt["outage_ms"] = {{"forward", t.forward.outage_ms}, {"reverse", t.reverse.outage_ms}};
      jt["outage"] = {{"forward", outage_json(t.forward)}, {"reverse", outage_json(t.reverse)}};
      jt["convergence_ms"] = opt(t.convergence_ms);
      jt["route_events_lost"] = t.route_events_lost;
      jt["convergence_still_changing"] = t.convergence_still_changing;
      jt["reachable"] = t.reachable;
      jt["path_before"] = t.path_before;
      jt["path"] = t.path;
      jt["path_forward"] = t.path_forward ? json(*t.path_forward) : json(nullptr);
      jt["path_reverse"] = t.path_reverse ? json(*t.path_reverse) : json(nullptr);
      jt["path_after"] = t.path_after;
      jt["path_packets"] = t.path_packets;
      jt["failback_outage_ms"] = t.failback_outage_ms();
      jt["failback"] = {{"forward", outage_json(t.failback_forward)},
                        {"reverse", outage_json(t.failback_reverse)}};
      jt["failback_convergence_ms"] = opt(t.failback_convergence_ms);
      jt["hold_ms"] = t.hold_ms;
      jt["probe"] = {{"interval_ms", t.probe_interval_ms},
                     {"max_sender_lateness_ms", t.probe_max_lateness_ms},
                     {"clean_ms", t.clean_ms}};
      jt["resolution_ms"] = t.resolution_ms();
      guard_json(jt, t);
      jt["flows_affected"] = t.flows_affected();
      jt["flow_count"] = t.flow_count();
      if (!t.served.empty() || !t.served_before.empty()) {
        jt["served_before"] = t.served_before;
        jt["served"] = t.served;
        jt["serving"] = t.serving;
      }
      jt["flows"] = json::array();
      for (const auto& f : t.flows)
        jt["flows"].push_back({{"flow", f.flow}, {"forward", outage_json(f.forward)}, {"reverse", outage_json(f.reverse)}});
      if (!t.traffic.empty()) {
        jt["traffic"] = json::array();
        for (const auto& x : t.traffic) jt["traffic"].push_back(traffic_json(x));
      }
      jt["events"] = json::array();
      for (const auto& e : t.events)
        jt["events"].push_back({{"t_ms", e.t_ms}, {"node", e.node}, {"kind", e.kind}, {"detail", e.detail}});
      js["trials"].push_back(std::move(jt));
    }
    j["scenarios"].push_back(std::move(js));
  }
  return j;
}

namespace {

scenario::TrafficFigures traffic_window_of(const json& j) {
  scenario::TrafficFigures w;
  w.measured = j.value("measured", false);
  w.why_not = j.value("why_not", "");
  w.seconds = j.value("seconds", 0.0);
  w.offered_mbit = j.value("offered_mbit", 0.0);
  w.offered_pps = j.value("offered_pps", 0.0);
  w.delivered_mbit = j.value("delivered_mbit", 0.0);
  w.delivered_pps = j.value("delivered_pps", 0.0);
  w.delivered_pct = j.value("delivered_pct", 0.0);
  w.loss_pct = j.value("loss_pct", 0.0);
  w.sent = j.value("sent", uint64_t{0});
  w.received = j.value("received", uint64_t{0});
  w.emsgsize = j.value("emsgsize", uint64_t{0});
  w.path_mtu = j.value("path_mtu", 0u);
  return w;
}

std::optional<double> opt_of(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return j[key].get<double>();
}

scenario::Outage outage_of(const json& j) {
  scenario::Outage o;
  o.outage_ms = j.value("outage_ms", 0.0);
  o.lost = j.value("lost", uint64_t{0});
  o.total_lost = j.value("total_lost", uint64_t{0});
  o.sent = j.value("sent", uint64_t{0});
  o.start_ms = j.value("start_ms", 0.0);
  o.end_ms = j.value("end_ms", 0.0);
  o.recovered = j.value("recovered", true);
  o.loss_ms = j.value("loss_ms", 0.0);
  o.bursts = j.value("loss_bursts", uint64_t{0});
  o.recovery_ms = j.value("recovery_ms", 0.0);
  // A report without the figure measured none: not a recovery of 0 ms.
  o.recovery_sustained = j.contains("recovery_ms") && j.value("recovery_sustained", true);
  o.first_lost_ms = opt_of(j, "first_lost_ms");
  o.last_lost_ms = opt_of(j, "last_lost_ms");
  return o;
}

std::optional<std::vector<std::string>> opt_list(const json& j, const char* key) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  return j[key].get<std::vector<std::string>>();
}

template <class T>
T get_or(const json& j, const char* key, T fallback) {
  return j.contains(key) && !j[key].is_null() ? j[key].get<T>() : fallback;
}

scenario::Verdict verdict_of(const std::string& v) {
  for (auto x : {scenario::Verdict::Pass, scenario::Verdict::Inconclusive, scenario::Verdict::Fail})
    if (scenario::to_string(x) == v) return x;
  return scenario::Verdict::Error;
}

}  // namespace

scenario::Trial trial_from_json(const json& j) {
  scenario::Trial t;
  t.index = j.at("trial").get<int>();
  if (j.contains("outage")) {
    t.forward = outage_of(j["outage"].value("forward", json::object()));
    t.reverse = outage_of(j["outage"].value("reverse", json::object()));
  }
  t.convergence_ms = opt_of(j, "convergence_ms");
  t.route_events_lost = j.value("route_events_lost", uint64_t{0});
  t.reachable = j.value("reachable", true);
  using Strings = std::vector<std::string>;
  t.path_before = get_or(j, "path_before", Strings{});
  t.path = get_or(j, "path", Strings{});
  t.path_forward = opt_list(j, "path_forward");
  t.path_reverse = opt_list(j, "path_reverse");
  t.path_after = get_or(j, "path_after", Strings{});
  t.path_packets = get_or(j, "path_packets", std::map<std::string, uint64_t>{});
  if (j.contains("failback")) {
    t.failback_forward = outage_of(j["failback"].value("forward", json::object()));
    t.failback_reverse = outage_of(j["failback"].value("reverse", json::object()));
  }
  t.failback_convergence_ms = opt_of(j, "failback_convergence_ms");
  t.hold_ms = j.value("hold_ms", 0.0);
  if (j.contains("probe")) {
    t.probe_interval_ms = j["probe"].value("interval_ms", 1.0);
    t.probe_max_lateness_ms = j["probe"].value("max_sender_lateness_ms", 0.0);
    t.clean_ms = j["probe"].value("clean_ms", 1000.0);
  }
  t.valid = j.value("valid", true);
  t.invalid_reason = get_or(j, "invalid_reason", std::string());
  t.canary_max_lateness_ms = opt_of(j, "canary_max_lateness_ms");
  t.starvation_limit_ms = j.value("starvation_limit_ms", 0.0);
  t.repeated_reason = get_or(j, "repeated_reason", std::string());
  t.served_before = get_or(j, "served_before", std::map<std::string, uint64_t>{});
  t.served = get_or(j, "served", std::map<std::string, uint64_t>{});
  t.serving = get_or(j, "serving", Strings{});
  for (const auto& f : j.value("flows", json::array()))
    t.flows.push_back({f.value("flow", 0u), outage_of(f.value("forward", json::object())),
                       outage_of(f.value("reverse", json::object()))});
  for (const auto& e : j.value("events", json::array()))
    t.events.push_back({e.value("t_ms", 0.0), e.value("node", ""), e.value("kind", ""), e.value("detail", "")});
  for (const auto& x : j.value("traffic", json::array())) {
    scenario::TrafficTrial tt;
    tt.name = x.value("name", "");
    tt.protocol = x.value("protocol", "udp");
    tt.size = x.value("size", 0u);
    tt.df = x.value("df", false);
    tt.rate_mbit = x.value("rate_mbit", 0.0);
    tt.pps = x.value("pps", 0.0);
    tt.before = traffic_window_of(x.value("before", json::object()));
    tt.during = traffic_window_of(x.value("during", json::object()));
    tt.after = traffic_window_of(x.value("after", json::object()));
    t.traffic.push_back(std::move(tt));
  }
  t.shard = j.value("shard", "");
  t.host = j.value("host", "");
  return t;
}

scenario::ScenarioResult scenario_from_json(const json& j) {
  scenario::ScenarioResult s;
  s.name = j.at("name").get<std::string>();
  s.description = j.value("description", "");
  s.fault = j.value("fault", "");
  s.hold_s = j.value("hold_s", 0.0);
  s.error = j.value("error", "");
  for (const auto& t : j.value("targets", json::array())) {
    scenario::Target x;
    x.name = t.value("name", "");
    x.limit = t.value("limit", "");
    x.measured = t.value("measured", "");
    x.verdict = verdict_of(t.value("verdict", "error"));
    x.detail = t.value("detail", "");
    s.targets.push_back(std::move(x));
  }
  for (const auto& t : j.value("trials", json::array())) s.trials.push_back(trial_from_json(t));
  // The path groups are recomputed from the trials; what cover_paths did is read.
  if (j.contains("cover_paths")) {
    const json& c = j["cover_paths"];
    scenario::PathCover cover;
    cover.alternatives = get_or(c, "alternatives", std::vector<std::string>{});
    for (const auto& n : c.value("not_active", json::array()))
      cover.not_active.emplace_back(n.value("alternative", ""), n.value("why", ""));
    cover.note = c.value("note", "");
    s.cover = std::move(cover);
  }
  return s;
}

scenario::RunResult from_json(const json& j) {
  scenario::RunResult r;
  r.netlab_version = j.value("netlab_version", "");
  r.kernel_release = j.value("kernel_release", "");
  r.frr_version = j.value("frr_version", "");
  r.backends = get_or(j, "backends", std::map<std::string, std::string>{});
  r.lab = j.value("lab", "");
  r.topology = j.value("topology", "");
  r.description = j.value("description", "");
  r.seed = j.value("seed", uint64_t{0});
  r.scale = j.value("scale", 1.0);
  r.bringup_ms = j.value("bringup_ms", 0.0);
  r.bringup_split_ms = get_or(j, "bringup_split_ms", std::map<std::string, double>{});
  r.shard = j.value("shard", "");
  r.host = j.value("host", "");
  r.shard_by_scenario = j.value("shard_unit", "trial") == "scenario";
  for (const auto& w : j.value("work", json::array()))
    r.work.emplace_back(w.value("scenario", ""), w.value("trials", 0));
  for (const auto& s : j.value("scenarios", json::array())) r.scenarios.push_back(scenario_from_json(s));
  return r;
}

void write_file(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  check_errno(fd, "create", tmp);
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      throw KernelError("write", tmp, e);
    }
    off += static_cast<size_t>(n);
  }
  check_errno(::fsync(fd), "fsync", tmp);
  ::close(fd);
  check_errno(::rename(tmp.c_str(), path.c_str()), "rename", path);
}

}  // namespace netlab::report
