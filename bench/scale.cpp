// Bring-up and teardown at scale: rings of plain routers (eBGP, one AS
// each, BFD on every link; `netlab generate ring N`), timed from start to
// namespaces+links, daemons started, converged, and down; memory per router
// and idle CPU once converged. Beside it, in the same run: the same daemons
// started by a plain serial loop, as a user's script would (each router's
// zebra, wait for its socket, then bgpd, bfdd and staticd) on the same
// namespaces and links (bench/README.md).
//
//   bench_scale [--quick] [--sizes 50,150,300] [--idle S] [--parallel N] [--no-baseline]
//
// --quick: the ring of 50 only, idle CPU over 2 s. Root; the lab is
// "nlscale", removed at the end, also on SIGINT. Each step's figures go to
// stderr as soon as they are known, the table to stdout.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "netlab/cli/common.h"
#include "netlab/kernel/clock.h"
#include "netlab/lab/journal.h"
#include "netlab/process/proc_stat.h"
#include "netlab/topology/generate.h"
#include "netlab/topology/loader.h"
#include "netlab/topology/validate.h"

using namespace netlab;
using Clock = std::chrono::steady_clock;

namespace {

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

plan::Plan ring_plan(int n) {
  topology::GenerateOptions o;
  o.shape = topology::Shape::Ring;
  o.routers = n;
  o.name = "nlscale";
  auto r = topology::load_string(topology::generate(o), "ring.toml");
  if (r.topology) topology::validate(*r.topology, r.diagnostics);
  if (!r.ok()) throw Error("generated ring " + std::to_string(n) + " is invalid:\n" + r.render());
  return cli::make_plan(*r.topology);
}

// The lab's processes, from its journal: pid -> daemon name.
std::map<pid_t, std::string> lab_processes(const plan::Plan& p) {
  std::map<pid_t, std::string> out;
  for (const auto& e : lab::Journal::read(p.runtime_dir))
    if (e.op == "process-id") out[e.data.value("pid", 0)] = e.data.value("name", std::string());
  return out;
}

// Proportional set size (shared pages split among their users), kB.
uint64_t pss_kb(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
  std::string key;
  uint64_t v = 0;
  while (in >> key) {
    if (key == "Pss:") {
      in >> v;
      return v;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

// utime + stime of a process, in clock ticks.
uint64_t cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  auto close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(line.substr(close + 2));
  std::string f;
  uint64_t ut = 0, st = 0;
  for (int i = 3; i <= 15 && rest >> f; ++i) {
    if (i == 14) ut = std::stoull(f);
    if (i == 15) st = std::stoull(f);
  }
  return ut + st;
}

// Host-wide busy share of all CPUs over an interval, from /proc/stat.
struct CpuTotals {
  uint64_t busy = 0, all = 0;
};
CpuTotals host_cpu() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  CpuTotals t;
  uint64_t v;
  for (int i = 0; i < 10 && in >> v; ++i) {
    t.all += v;
    if (i != 3 && i != 4) t.busy += v;  // idle, iowait
  }
  return t;
}

struct Figures {
  int routers = 0;
  double kernel_ms = 0, daemons_ms = 0, converged_ms = 0, down_ms = 0;
  double pss_kb_per_router = 0;
  double idle_lab_cpu = 0;   // % of one CPU, the lab's processes
  double idle_host_cpu = 0;  // % of all CPUs, the whole host
  std::map<std::string, double> idle_by_daemon;  // % of one CPU
  double serial_ms = 0, serial_kernel_ms = 0;    // the baseline
  int processes = 0;
};

// The baseline: the lab's namespaces and links (by netlab), then each
// router's daemons started one after another, polling for zebra's socket
// every 10 ms as a script's `until [ -S ... ]; do sleep 0.01; done` would.
void serial_baseline(const plan::Plan& plan, cli::RealHost& rh, Figures& f) {
  lab::UpOptions o;
  o.daemons = false;
  auto lab = lab::Lab::up(plan, rh.host(), o);
  f.serial_kernel_ms = (lab->timings().kernel_done_ns - lab->timings().start_ns) / 1e6;
  auto t0 = Clock::now();
  for (const auto& n : plan.nodes) {
    if (!n.is_router()) continue;
    const std::string sock = n.frr_dir + "/zserv.api";
    for (const auto& d : n.daemons)
      if (d.name == "zebra") lab->spawn_process(n.name, d.name, d.spec);
    struct stat st;
    auto limit = Clock::now() + std::chrono::seconds(10);
    while (::stat(sock.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) {
      if (Clock::now() > limit) throw Error("baseline: zebra on " + n.name + " did not listen");
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (const auto& d : n.daemons)
      if (d.name != "zebra") lab->spawn_process(n.name, d.name, d.spec);
  }
  f.serial_ms = ms_since(t0);
  std::fprintf(stderr, "ring of %d: serial loop started every daemon in %.0f ms\n", f.routers, f.serial_ms);
  lab->down();
}

Figures measure(int n, cli::RealHost& rh, const lab::UpOptions& opt, int idle_s, bool baseline) {
  Figures f;
  f.routers = n;
  std::fprintf(stderr, "ring of %d routers\n", n);
  plan::Plan plan = ring_plan(n);
  if (baseline) serial_baseline(plan, rh, f);

  auto lab = lab::Lab::up(plan, rh.host(), opt);
  const auto& t = lab->timings();
  auto ms = [&](int64_t x) { return static_cast<double>(x - t.start_ns) / 1e6; };
  f.kernel_ms = ms(t.kernel_done_ns);
  f.daemons_ms = ms(t.daemons_started_ns);
  f.converged_ms = ms(t.converged_ns);
  std::fprintf(stderr, "ring of %d: namespaces+links %.0f ms, daemons started %.0f ms, converged %.0f ms\n", n,
               f.kernel_ms, f.daemons_ms, f.converged_ms);

  // Idle: converged, nothing asked of the lab; netlab itself sleeps.
  auto procs = lab_processes(plan);
  f.processes = static_cast<int>(procs.size());
  uint64_t pss = 0;
  for (const auto& [pid, name] : procs) pss += pss_kb(pid);
  f.pss_kb_per_router = static_cast<double>(pss) / n;
  std::map<pid_t, uint64_t> before;
  for (const auto& [pid, name] : procs) before[pid] = cpu_ticks(pid);
  CpuTotals h0 = host_cpu();
  auto i0 = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(idle_s));
  const double secs = ms_since(i0) / 1000;
  CpuTotals h1 = host_cpu();
  const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  uint64_t all = 0;
  for (const auto& [pid, name] : procs) {
    uint64_t d = cpu_ticks(pid) - std::min(before[pid], cpu_ticks(pid));
    all += d;
    f.idle_by_daemon[name] += 100.0 * d / hz / secs;
  }
  f.idle_lab_cpu = 100.0 * all / hz / secs;
  f.idle_host_cpu = h1.all > h0.all ? 100.0 * (h1.busy - h0.busy) / (h1.all - h0.all) : 0;

  auto d0 = Clock::now();
  lab->down();
  f.down_ms = ms_since(d0);
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes{50, 150, 300};
  int idle_s = 10;
  bool baseline = true;
  lab::UpOptions opt;
  opt.converge_timeout = std::chrono::seconds(300);
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") {
      sizes = {50};
      idle_s = 2;
    } else if (a == "--sizes" && i + 1 < argc) {
      sizes.clear();
      std::stringstream in(argv[++i]);
      for (std::string s; std::getline(in, s, ',');) sizes.push_back(std::atoi(s.c_str()));
    } else if (a == "--idle" && i + 1 < argc) {
      idle_s = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--parallel" && i + 1 < argc) {
      opt.start_parallel = static_cast<unsigned>(std::max(1, std::atoi(argv[++i])));
    } else if (a == "--no-baseline") {
      baseline = false;
    } else {
      std::fprintf(stderr,
                   "usage: bench_scale [--quick] [--sizes 50,150,300] [--idle S] [--parallel N] "
                   "[--no-baseline]\n");
      return 2;
    }
  }
  if (::geteuid() != 0) {
    std::fprintf(stderr, "bench_scale needs root\n");
    return 3;
  }
  try {
    cli::install_stop_signals();
    cli::RealHost rh;
    cli::require_environment(rh.caps());
    rh.host().progress = nullptr;  // the table is the output
    std::printf("rings of plain routers, eBGP and BFD 300 ms x 3 on every link; %u routers started at once; "
                "idle CPU over %d s\n",
                lab::start_parallelism(opt.start_parallel), idle_s);
    std::printf("%8s %10s %10s %10s %10s %9s %10s %10s %10s %10s\n", "routers", "ns+links",
                "daemons", "converged", "down", "PSS/rtr", "idle lab", "idle host", "serial",
                "x serial");
    std::fflush(stdout);
    for (int n : sizes) {
      Figures f = measure(n, rh, opt, idle_s, baseline);
      const double started = f.daemons_ms - f.kernel_ms;
      std::printf("%8d %8.0fms %8.0fms %8.0fms %8.0fms %7.1fMB %9.1f%% %9.1f%% %8.0fms %10s\n", n,
                  f.kernel_ms, f.daemons_ms, f.converged_ms, f.down_ms, f.pss_kb_per_router / 1024,
                  f.idle_lab_cpu, f.idle_host_cpu, f.serial_ms,
                  baseline ? (std::to_string(started / f.serial_ms).substr(0, 4) + "x").c_str() : "-");
      std::printf("         idle CPU by daemon (%% of one CPU, %d processes):", f.processes);
      for (const auto& [name, pct] : f.idle_by_daemon) std::printf(" %s %.1f%%", name.c_str(), pct);
      std::printf("\n");
      std::fflush(stdout);
    }
    std::printf("daemons: from namespaces+links done to the last daemon spawned (netlab: %s routers at once, "
                "readiness by inotify and pidfd); serial: the same, one router after another, polling for "
                "zebra's socket every 10 ms; x serial: netlab's time over the serial loop's\n",
                std::to_string(lab::start_parallelism(opt.start_parallel)).c_str());
  } catch (const Error& e) {
    std::fprintf(stderr, "bench_scale: %s\n", e.what());
    return e.exit_code();
  }
  return 0;
}
