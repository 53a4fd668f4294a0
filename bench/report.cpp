// report.html at scale: a 20-router topology, 3 scenarios x 5 trials, every
// router seeing BFD, BGP and route changes in every trial. Prints the page's
// size beside report.json's (the data it draws), netlab's time to build it,
// and the time chromium takes to load and paint it (a screenshot) beside the
// same for an empty page in the same run (chromium's own start-up).
// Needs no lab; needs chromium for the browser figures.
//
//   ninja -C build bench_report && build/bench/bench_report [--keep DIR]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include <fmt/format.h>

#include "netlab/process/command.h"
#include "netlab/report/html.h"
#include "netlab/report/report.h"
#include "netlab/topology/loader.h"

using nlohmann::json;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kRouters = 20, kScenarios = 3, kTrials = 5;

// A ring of routers over two sites, a host at each end of the ring.
std::string topology_text() {
  std::string t = "[lab]\nname = \"bench\"\nprobe = { from = \"h1\", to = \"h2\", interval_ms = 1, flows = 4 }\n\n";
  t += "[nodes.h1]\nrole = \"host\"\n\n[nodes.h2]\nrole = \"host\"\n\n";
  for (int i = 1; i <= kRouters; ++i)
    t += fmt::format("[nodes.r{}]\nrole = \"router\"\nasn = {}\nsite = \"{}\"\nlocation = \"loc{}\"\n\n", i, 65000 + i,
                     i <= kRouters / 2 ? "east" : "west", (i - 1) / 5);
  t += "[[links]]\nendpoints = [\"h1\", \"r1\"]\n\n";
  t += fmt::format("[[links]]\nendpoints = [\"h2\", \"r{}\"]\n\n", kRouters / 2 + 1);
  for (int i = 1; i <= kRouters; ++i)
    t += fmt::format("[[links]]\nname = \"ring{}\"\nendpoints = [\"r{}\", \"r{}\"]\nbfd = true\n{}\n", i, i,
                     i % kRouters + 1, i % 5 == 0 ? "kind = \"backbone\"\n" : "");
  for (int s = 0; s < kScenarios; ++s)
    t += fmt::format("[[scenarios]]\nname = \"ring{}-cut\"\nfault = {{ cut = \"ring{}\" }}\nhold_s = 5\ntrials = {}\n"
                     "expect = {{ max_outage_ms = 1000 }}\n\n",
                     s * 3 + 1, s * 3 + 1, kTrials);
  return t;
}

json outage(double ms, double start) {
  return {{"outage_ms", ms}, {"lost", static_cast<int>(ms)}, {"total_lost", static_cast<int>(ms)},
          {"sent", 5000},    {"start_ms", start},           {"end_ms", start + ms},
          {"recovered", true}};
}

// What a run of that topology reports: per trial, every router withdraws
// and re-learns both hosts' prefixes twice (fault and failback), the two
// routers of the cut link see BFD and BGP go down and up.
json report_data() {
  std::mt19937 rng(12);
  std::uniform_real_distribution<double> jitter(0, 50);
  json r = {{"netlab_version", "0.1.0"}, {"kernel_release", "bench"}, {"frr_version", "8.4.4"},
            {"backends", json::object()}, {"lab", "bench"}, {"topology", "bench.toml"}, {"seed", 1},
            {"bringup_ms", 9000}, {"verdict", "pass"}, {"scenarios", json::array()}};
  for (int s = 0; s < kScenarios; ++s) {
    int link = s * 3 + 1;
    json sc = {{"name", fmt::format("ring{}-cut", link)}, {"description", ""}, {"fault", fmt::format("cut ring{}", link)},
               {"hold_s", 5}, {"verdict", "pass"}, {"trials", json::array()},
               {"targets", json::array({{{"name", "max_outage_ms"}, {"limit", "1000"}, {"measured", "0"}, {"pass", true}, {"detail", ""}}})}};
    std::vector<double> outages;
    for (int i = 1; i <= kTrials; ++i) {
      json ev = json::array({{{"t_ms", 0}, {"node", ""}, {"kind", "fault"}, {"detail", sc["fault"]}}});
      std::string a = fmt::format("r{}", link), b = fmt::format("r{}", link % kRouters + 1);
      double detect = 290 + jitter(rng);
      for (const auto& n : {a, b}) {
        ev.push_back({{"t_ms", detect}, {"node", n}, {"kind", "bfd-down"}, {"detail", "peer (control-expired)"}});
        ev.push_back({{"t_ms", detect + 1}, {"node", n}, {"kind", "bgp-down"}, {"detail", "peer"}});
        ev.push_back({{"t_ms", 5000 + 900 + jitter(rng)}, {"node", n}, {"kind", "bfd-up"}, {"detail", "peer"}});
        ev.push_back({{"t_ms", 5000 + 1500 + jitter(rng)}, {"node", n}, {"kind", "bgp-up"}, {"detail", "peer"}});
      }
      for (int k = 1; k <= kRouters; ++k)
        for (const char* prefix : {"10.1.0.0/24", "10.2.0.0/24"})
          for (double base : {detect, 6500.0}) {
            double t = base + 2 + jitter(rng) * 4;
            ev.push_back({{"t_ms", t}, {"node", fmt::format("r{}", k)}, {"kind", "route-delete"},
                          {"detail", fmt::format("{} via 10.255.{}.1 ring{}", prefix, k, k)}});
            ev.push_back({{"t_ms", t + 0.5}, {"node", fmt::format("r{}", k)}, {"kind", "route-add"},
                          {"detail", fmt::format("{} via 10.255.{}.2 ring{}", prefix, k, k % kRouters + 1)}});
          }
      ev.push_back({{"t_ms", 5000}, {"node", ""}, {"kind", "repair"}, {"detail", sc["fault"]}});
      double fwd = detect + 5, rev = detect + 9;
      outages.push_back(std::max(fwd, rev));
      json flows = json::array();
      for (int f = 0; f < 4; ++f)
        flows.push_back({{"flow", f}, {"forward", outage(f % 2 ? fwd : 0, 0.5)}, {"reverse", outage(f % 2 ? 0 : rev, 0.5)}});
      sc["trials"].push_back(
          {{"trial", i}, {"outage_ms", {{"forward", fwd}, {"reverse", rev}}},
           {"outage", {{"forward", outage(fwd, 0.5)}, {"reverse", outage(rev, 0.5)}}}, {"convergence_ms", detect + 200},
           {"reachable", true}, {"path_before", {fmt::format("ring{}", link)}},
           {"path", json::array({"ring20", "ring19", "ring18"})}, {"path_after", {fmt::format("ring{}", link)}},
           {"path_packets", json::object()}, {"failback_outage_ms", 0},
           {"failback", {{"forward", outage(0, 0)}, {"reverse", outage(0, 0)}}}, {"failback_convergence_ms", 1700},
           {"hold_ms", 5000}, {"probe", {{"interval_ms", 1}, {"max_sender_lateness_ms", 0.3}}},
           {"flows_affected", 4}, {"flow_count", 4}, {"flows", flows}, {"events", ev}});
    }
    std::sort(outages.begin(), outages.end());
    sc["stats"] = {{"outage_ms", {{"p50", outages[kTrials / 2]}, {"p95", outages.back()}, {"max", outages.back()}}}};
    r["scenarios"].push_back(sc);
  }
  return r;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Chromium loading and painting `page` (a screenshot), in seconds; a fresh
// profile each time. -1 when chromium is missing or fails.
double chromium_paint(const std::string& dir, const std::string& page, int n) {
  if (!fs::exists("/usr/bin/chromium")) return -1;
  std::string profile = dir + "/profile-" + std::to_string(n);
  std::vector<std::string> argv{"/usr/bin/chromium",
                                "--headless",
                                "--no-sandbox",
                                "--disable-gpu",
                                "--disable-quic",
                                "--no-first-run",
                                "--disable-background-networking",
                                "--disable-component-update",
                                "--disable-sync",
                                "--user-data-dir=" + profile,
                                "--window-size=1280,4000",
                                "--screenshot=" + dir + "/shot-" + std::to_string(n) + ".png",
                                "file://" + page};
  auto t0 = Clock::now();
  auto r = netlab::process::run_command(argv, std::chrono::seconds(120));
  double s = seconds_since(t0);
  return r.exit_code == 0 ? s : -1;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? -1 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::string keep = argc > 2 && std::string(argv[1]) == "--keep" ? argv[2] : "";
  char tmpl[] = "/tmp/nlbench-report-XXXXXX";
  if (!::mkdtemp(tmpl)) return 3;
  const std::string dir = keep.empty() ? tmpl : keep;
  fs::create_directories(dir);

  auto loaded = netlab::topology::load_string(topology_text(), dir + "/bench.toml");
  if (!loaded.ok()) {
    std::fputs(loaded.render().c_str(), stderr);
    return 2;
  }
  json r = report_data();
  size_t events = 0;
  for (const auto& s : r["scenarios"])
    for (const auto& t : s["trials"]) events += t["events"].size();

  auto t0 = Clock::now();
  netlab::report::TopologyPicture picture(*loaded.topology);
  double layout_s = seconds_since(t0);
  t0 = Clock::now();
  std::string page = netlab::report::html(r, &picture);
  double html_s = seconds_since(t0);
  std::string json_text = r.dump(2);
  netlab::report::write_file(dir + "/report.html", page);
  netlab::report::write_file(dir + "/report.json", json_text);
  netlab::report::write_file(dir + "/empty.html", "<!DOCTYPE html><html><head><title>x</title></head><body></body></html>\n");

  std::printf("report.html of %d routers, %d scenarios x %d trials, %zu events\n", kRouters, kScenarios, kTrials, events);
  std::printf("  size:   report.html %.2f MB (limit 2 MB)   baseline: report.json %.2f MB\n", page.size() / 1e6,
              json_text.size() / 1e6);
  std::printf("  netlab: Graphviz layout %.1f ms, page %.1f ms\n", layout_s * 1e3, html_s * 1e3);
  std::vector<double> report_s, empty_s;
  for (int i = 0; i < 3; ++i) {
    empty_s.push_back(chromium_paint(dir, dir + "/empty.html", 2 * i));
    report_s.push_back(chromium_paint(dir, dir + "/report.html", 2 * i + 1));
  }
  if (median(report_s) < 0) {
    std::printf("  chromium: not measured (is /usr/bin/chromium installed?)\n");
  } else {
    double rep = median(report_s), base = median(empty_s);
    std::printf("  chromium load+paint (median of 3): report.html %.2f s   baseline: empty page %.2f s\n", rep, base);
    std::printf("  report's own rendering: %.2f s (limit 2 s)\n", rep - base);
  }
  if (keep.empty()) fs::remove_all(dir);
  else std::printf("  files kept in %s\n", dir.c_str());
  return 0;
}
