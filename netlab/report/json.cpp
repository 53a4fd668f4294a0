#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "netlab/base/error.h"
#include "netlab/report/report.h"

namespace netlab::report {

using nlohmann::json;

namespace {

json outage_json(const scenario::Outage& o) {
  return {{"outage_ms", o.outage_ms},   {"lost", o.lost},         {"total_lost", o.total_lost}, {"sent", o.sent},
          {"start_ms", o.start_ms},     {"end_ms", o.end_ms},     {"recovered", o.recovered}};
}

json opt(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

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
  j["bringup_ms"] = r.bringup_ms;
  j["bringup_split_ms"] = r.bringup_split_ms;
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
    json stats = json::object();
    for (const auto& [k, st] : s.stats()) stats[k] = {{"p50", st.p50}, {"p95", st.p95}, {"max", st.max}};
    js["stats"] = stats;
    js["trials"] = json::array();
    for (const auto& t : s.trials) {
      json jt;
      jt["trial"] = t.index;
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
                     {"max_sender_lateness_ms", t.probe_max_lateness_ms}};
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
      jt["events"] = json::array();
      for (const auto& e : t.events)
        jt["events"].push_back({{"t_ms", e.t_ms}, {"node", e.node}, {"kind", e.kind}, {"detail", e.detail}});
      js["trials"].push_back(std::move(jt));
    }
    j["scenarios"].push_back(std::move(js));
  }
  return j;
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
