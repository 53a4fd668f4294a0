// `netlab sweep --jobs N` against the serial sweep, in one run on one host:
// the same topology, seed and options, first on one lab, then split over N
// labs side by side. Prints each one's wall time, the slowest bring-up, and
// what the sharing of the CPUs did to the measurement: the probe sender's
// worst lateness per trial (report.json's probe.max_sender_lateness_ms: an
// outage is exact to within the interval plus this), the scheduling canary's
// and the trials the validity guard marked invalid or ran twice (docs/
// measurement.md), and whether every row
// came out the same (reachability and verdict). The labs are named
// `nlbsweep` (serial) and `nlbswej1`..`nlbswejN` (--lab), and torn down by
// netlab itself.
//
//   ninja -C build bench_sweep_jobs
//   sudo build/bench/bench_sweep_jobs [TOPOLOGY] [--jobs N] [--seed S] [--keep DIR]
//   (default topologies/dx-maximum-resiliency.toml, --jobs 2, --seed 1)
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "netlab/cli/common.h"
#include "netlab/process/command.h"

using nlohmann::json;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Run {
  std::string label;
  int exit_code = -1;
  double wall_s = 0;
  json sweep;  // sweep.json
  std::vector<double> lateness;  // per trial, ms
  std::vector<double> canary;    // per trial, ms (the validity guard's canary)
  size_t invalid = 0, repeated = 0;  // trials the guard marked invalid, run twice
};

std::string netlab_binary() {
  return (fs::read_symlink("/proc/self/exe").parent_path().parent_path() / "netlab").string();
}

Run sweep(const std::string& label, std::vector<std::string> args, const std::string& out) {
  Run r;
  r.label = label;
  std::vector<std::string> argv{netlab_binary(), "sweep"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--out", out});
  std::fprintf(stderr, "bench: %s\n", label.c_str());
  const auto t0 = Clock::now();
  auto res = netlab::process::run_command(argv, std::chrono::seconds(3600));
  r.wall_s = std::chrono::duration<double>(Clock::now() - t0).count();
  r.exit_code = res.exit_code;
  std::ifstream in(out + "/sweep.json");
  r.sweep = json::parse(in, nullptr, false);
  if (r.sweep.is_discarded() || !r.sweep.contains("scenarios")) {
    std::fprintf(stderr, "bench: %s wrote no sweep.json (exit %d)\n%s\n", label.c_str(), res.exit_code,
                 res.err.c_str());
    r.sweep = json::object();
    return r;
  }
  for (const auto& s : r.sweep["scenarios"])
    for (const auto& t : s["trials"]) {
      r.lateness.push_back(t["probe"].value("max_sender_lateness_ms", 0.0));
      if (t.contains("canary_max_lateness_ms") && t["canary_max_lateness_ms"].is_number())
        r.canary.push_back(t["canary_max_lateness_ms"].get<double>());
      r.invalid += !t.value("valid", true);
      r.repeated += t.contains("repeated_reason") && t["repeated_reason"].is_string();
    }
  return r;
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(q * static_cast<double>(v.size() - 1) + 0.5)];
}

}  // namespace

int main(int argc, char** argv) {
  std::string topology = netlab::cli::data_dir() + "/topologies/dx-maximum-resiliency.toml";
  std::string keep;
  int jobs = 2;
  std::string seed = "1";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--jobs" && i + 1 < argc) jobs = std::stoi(argv[++i]);
    else if (a == "--seed" && i + 1 < argc) seed = argv[++i];
    else if (a == "--keep" && i + 1 < argc) keep = argv[++i];
    else if (!a.starts_with("--")) topology = a;
    else {
      std::fprintf(stderr, "usage: bench_sweep_jobs [TOPOLOGY] [--jobs N] [--seed S] [--keep DIR]\n");
      return 2;
    }
  }
  // A Ctrl-C reaches every netlab of the process group; each tears its labs down.
  ::signal(SIGINT, SIG_IGN);
  const std::string dir = keep.empty() ? (fs::temp_directory_path() / ("bench-sweep-jobs-" + std::to_string(::getpid()))).string()
                                       : keep;
  fs::create_directories(dir);
  const std::vector<std::string> common{topology, "--lab", "nlbsweep", "--seed", seed};

  // Serial explicitly: --jobs defaults to what the host's CPUs allow.
  auto one = common;
  one.insert(one.end(), {"--jobs", "1"});
  Run serial = sweep("serial", one, dir + "/serial");
  auto with_jobs = common;
  with_jobs.insert(with_jobs.end(), {"--jobs", std::to_string(jobs)});
  Run split = sweep(fmt::format("--jobs {}", jobs), with_jobs, dir + "/jobs");

  // Row by row: the same failures, the same reachability and verdicts?
  size_t rows = 0, same_reach = 0, same_verdict = 0;
  std::vector<std::string> differ;
  if (serial.sweep.contains("sweep") && split.sweep.contains("sweep")) {
    const auto &a = serial.sweep["sweep"], &b = split.sweep["sweep"];
    rows = std::min(a.size(), b.size());
    for (size_t i = 0; i < rows; ++i) {
      if (a[i]["failure"] != b[i]["failure"]) {
        differ.push_back(fmt::format("row {}: {} / {}", i + 1, a[i]["failure"].get<std::string>(),
                                     b[i]["failure"].get<std::string>()));
        continue;
      }
      same_reach += a[i]["reachable"] == b[i]["reachable"];
      same_verdict += a[i]["verdict"] == b[i]["verdict"];
      if (a[i]["verdict"] != b[i]["verdict"])
        differ.push_back(fmt::format("{}: {} / {}", a[i]["failure"].get<std::string>(),
                                     a[i]["verdict"].get<std::string>(), b[i]["verdict"].get<std::string>()));
    }
  }

  std::printf("netlab sweep %s, seed %s, on %ld CPUs\n\n", topology.c_str(), seed.c_str(), ::sysconf(_SC_NPROCESSORS_ONLN));
  std::printf("%-28s %20s %20s\n", "", serial.label.c_str(), split.label.c_str());
  auto row = [](const char* name, const std::string& a, const std::string& b) {
    std::printf("%-28s %20s %20s\n", name, a.c_str(), b.c_str());
  };
  row("exit code", std::to_string(serial.exit_code), std::to_string(split.exit_code));
  row("wall time", fmt::format("{:.1f} s", serial.wall_s), fmt::format("{:.1f} s", split.wall_s));
  row("bring-up (slowest lab)", fmt::format("{:.0f} ms", serial.sweep.value("bringup_ms", 0.0)),
      fmt::format("{:.0f} ms", split.sweep.value("bringup_ms", 0.0)));
  row("failures", std::to_string(serial.sweep.value("sweep", json::array()).size()),
      std::to_string(split.sweep.value("sweep", json::array()).size()));
  row("trials", std::to_string(serial.lateness.size()), std::to_string(split.lateness.size()));
  row("sender lateness p50", fmt::format("{:.2f} ms", quantile(serial.lateness, 0.5)),
      fmt::format("{:.2f} ms", quantile(split.lateness, 0.5)));
  row("sender lateness p90", fmt::format("{:.2f} ms", quantile(serial.lateness, 0.9)),
      fmt::format("{:.2f} ms", quantile(split.lateness, 0.9)));
  row("sender lateness max", fmt::format("{:.2f} ms", quantile(serial.lateness, 1.0)),
      fmt::format("{:.2f} ms", quantile(split.lateness, 1.0)));
  auto over = [](const std::vector<double>& v, double ms) {
    return std::to_string(std::count_if(v.begin(), v.end(), [&](double x) { return x > ms; }));
  };
  row("trials lateness > 10 ms", over(serial.lateness, 10), over(split.lateness, 10));
  row("trials lateness > 100 ms", over(serial.lateness, 100), over(split.lateness, 100));
  row("canary lateness p50", fmt::format("{:.2f} ms", quantile(serial.canary, 0.5)),
      fmt::format("{:.2f} ms", quantile(split.canary, 0.5)));
  row("canary lateness max", fmt::format("{:.2f} ms", quantile(serial.canary, 1.0)),
      fmt::format("{:.2f} ms", quantile(split.canary, 1.0)));
  row("trials invalid / repeated", fmt::format("{} / {}", serial.invalid, serial.repeated),
      fmt::format("{} / {}", split.invalid, split.repeated));
  row("DX class", serial.sweep.value("dx_resiliency", json::object()).value("model", "-"),
      split.sweep.value("dx_resiliency", json::object()).value("model", "-"));
  std::printf("\nspeed-up %.2fx; rows compared %zu: reachability the same in %zu, verdict the same in %zu\n",
              split.wall_s > 0 ? serial.wall_s / split.wall_s : 0.0, rows, same_reach, same_verdict);
  for (const auto& d : differ) std::printf("  differs: %s\n", d.c_str());
  if (keep.empty()) fs::remove_all(dir);
  else std::printf("outputs kept in %s\n", dir.c_str());
  return serial.exit_code < 0 || split.exit_code < 0 ? 1 : 0;
}
