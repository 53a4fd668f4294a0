// netlab events LAB [--json]: the running lab's timeline as it happens --
// BFD and BGP state changes from each router's FRR log, every route change
// in every router's kernel table, and the faults and repairs the journal
// records -- with millisecond wall-clock times, until interrupted or until
// the lab is taken down.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "netlab/base/error.h"
#include "netlab/cli/commands.h"
#include "netlab/cli/common.h"
#include "netlab/kernel/clock.h"
#include "netlab/kernel/route_monitor.h"
#include "netlab/lab/journal.h"
#include "netlab/measure/frr_events.h"

namespace netlab::cli {

namespace {

struct Line {
  int64_t realtime_ns = 0;
  std::string node, kind, detail;
};

std::string wall_time(int64_t realtime_ns, bool iso) {
  time_t s = static_cast<time_t>(realtime_ns / 1'000'000'000);
  int ms = static_cast<int>((realtime_ns / 1'000'000) % 1000);
  tm t{};
  if (iso) {
    gmtime_r(&s, &t);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", t.tm_year + 1900, t.tm_mon + 1,
                       t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, ms);
  }
  localtime_r(&s, &t);
  return fmt::format("{:02}:{:02}:{:02}.{:03}", t.tm_hour, t.tm_min, t.tm_sec, ms);
}

void print(const Line& l, bool json) {
  if (json) {
    nlohmann::json j = {{"time", wall_time(l.realtime_ns, true)},
                        {"realtime_ns", l.realtime_ns},
                        {"node", l.node},
                        {"kind", l.kind},
                        {"detail", l.detail}};
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%s  %-14s %-13s %s\n", wall_time(l.realtime_ns, false).c_str(), l.node.c_str(),
                l.kind.c_str(), l.detail.c_str());
  }
}

// What the journal gained since `seen` entries: live faults and repairs, and
// the lab's own state changes (kept, tearing-down).
std::vector<Line> journal_lines(const std::string& dir, size_t& seen, int64_t now_realtime) {
  std::vector<Line> out;
  std::vector<lab::Entry> entries;
  try {
    entries = lab::Journal::read(dir);
  } catch (const Error&) {
    return out;
  }
  for (size_t i = seen; i < entries.size(); ++i) {
    const auto& e = entries[i];
    if (e.op == "fault" || e.op == "repair") {
      out.push_back({e.data.value("realtime_ns", now_realtime), e.data.value("node", ""), e.op,
                     e.data.value("what", "")});
    } else if (e.op == "state") {
      out.push_back({now_realtime, "", "lab-state", e.data.value("state", "")});
    }
  }
  seen = entries.size();
  return out;
}

int cmd_events(const std::string& lab_name, bool json) {
  require_root("netlab events");
  require_lab(lab_name);
  auto running = running_plan(lab_name);
  if (!running)
    throw InputError("lab " + lab_name + " has no copy of its topology (started by `netlab run`?): "
                     "events follows labs brought up with `netlab up`");
  const plan::Plan& p = *running;
  install_stop_signals();
  auto& clock = kernel::system_clock();

  auto monitor = kernel::make_route_monitor();
  std::map<std::string, std::string> node_of_ns;
  std::map<std::string, measure::FrrLogTail> logs;
  for (const auto& n : p.nodes) {
    if (!n.is_router()) continue;
    monitor->watch(n.ns);
    node_of_ns[n.ns] = n.name;
    logs.emplace(n.name, measure::FrrLogTail(n.frr_dir + "/frr.log")).first->second.skip_to_end();
  }
  const std::string dir = p.runtime_dir;
  size_t seen = 0;
  journal_lines(dir, seen, 0);  // what happened before we started is history, not news
  size_t errors_seen = 0;
  if (!json) std::printf("following lab %s (%zu routers); Ctrl-C to stop\n", lab_name.c_str(), logs.size());
  std::fflush(stdout);

  bool gone = false;
  while (!stop_requested() && !gone) {
    const int64_t offset = clock.realtime_ns() - clock.now_ns();
    std::vector<Line> lines;
    for (const auto& ev : monitor->drain()) {
      auto it = node_of_ns.find(ev.route.ns);
      std::string detail = ev.route.str();
      lines.push_back({ev.t_ns + offset, it == node_of_ns.end() ? ev.route.ns : it->second,
                       ev.kind == kernel::RouteEvent::Kind::Add ? "route-add" : "route-delete", detail});
    }
    auto errs = monitor->errors();
    for (; errors_seen < errs.size(); ++errors_seen)
      lines.push_back({errs[errors_seen].t_ns + offset, node_of_ns[errs[errors_seen].ns], "events-lost",
                       errs[errors_seen].str()});
    for (auto& [node, tail] : logs)
      for (const auto& fe : tail.read_new())
        lines.push_back({fe.realtime_ns, node, fe.kind, fe.peer + (fe.detail.empty() ? "" : " " + fe.detail)});
    for (auto& l : journal_lines(dir, seen, clock.realtime_ns())) lines.push_back(std::move(l));
    std::stable_sort(lines.begin(), lines.end(),
                     [](const Line& a, const Line& b) { return a.realtime_ns < b.realtime_ns; });
    for (const auto& l : lines) print(l, json);
    if (!lines.empty()) std::fflush(stdout);
    gone = !std::filesystem::exists(dir + "/journal");
    clock.sleep_ns(20'000'000);  // the feed's latency; every event keeps its own time
  }
  monitor->stop();
  if (gone && !json) std::printf("lab %s was taken down\n", lab_name.c_str());
  return 0;
}

}  // namespace

Runner define_events(CLI::App& c) {
  auto lab = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  c.add_option("lab", *lab, "lab name")->required();
  c.add_flag("--json", *json, "one JSON object per line");
  return [lab, json] { return cmd_events(*lab, *json); };
}

}  // namespace netlab::cli
