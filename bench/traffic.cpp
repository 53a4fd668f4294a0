// bench_traffic: netlab-traffic's accuracy and CPU next to iperf3, in one
// run, on the same veth.
//
// Two namespaces of its own (nl-btr<pid>-a/-b, a veth between them, removed
// at the end whatever happens). For UDP at 10, 50 and 200 Mbit/s of
// 1200-byte IP datagrams, one after another, each for --seconds (default 5):
//   - netlab-traffic: receiver in b, sender in a (the programs a lab runs,
//     found as netlab finds them: netlab/base/helpers.h); offered and
//     delivered from its logs over the whole run (traffic_figures.h);
//   - iperf3: server (-s -1 --json) in b, client (-u -b, -l 1172: the same
//     1200-byte datagrams and packets per second) in a; offered and delivered
//     from the client's JSON (sum_sent, sum_received packets).
// Rates are in IP datagram bits (packets x 1200 x 8). CPU: user + system
// seconds of sender and receiver together (/proc/PID/stat), per second of
// traffic, sampled just before the end. Both are started with an argv and
// stopped by PID.
// Needs root: `sudo build/bench/bench_traffic [--seconds S]`.
#include "netlab/measure/traffic.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "netlab/base/error.h"
#include "netlab/base/helpers.h"
#include "netlab/kernel/netlink.h"
#include "netlab/measure/traffic_figures.h"
#include "netlab/process/processes.h"

namespace {

using namespace netlab;
namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr uint32_t kSize = 1200;

int64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// utime + stime of a process, in seconds (0 when it is gone).
double cpu_seconds(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const size_t rp = s.rfind(')');
  if (rp == std::string::npos) return 0;
  std::istringstream in(s.substr(rp + 2));
  std::string field;
  unsigned long long ut = 0, st = 0;
  for (int i = 3; i <= 15 && in >> field; ++i) {
    if (i == 14) ut = std::stoull(field);
    if (i == 15) st = std::stoull(field);
  }
  return static_cast<double>(ut + st) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Result {
  double offered_mbit = 0, delivered_mbit = 0, cpu = 0;  // cpu: s per s
  std::string note;
};

void wait_for(const std::function<bool()>& ok, const std::string& what) {
  const int64_t deadline = mono_ns() + 5'000'000'000;
  while (!ok()) {
    if (mono_ns() > deadline) throw Error(what + " did not start within 5 s");
    std::this_thread::sleep_for(milliseconds(5));
  }
}

Result run_netlab(process::Processes& procs, const std::string& binary, const std::string& a,
                  const std::string& b, const std::string& dir, double mbit, double seconds,
                  uint16_t port, bool realtime) {
  measure::TrafficOptions r{.role = measure::TrafficRole::Recv,
                            .addr = *Ipv4::parse("10.79.0.2"),
                            .port = port,
                            .out = dir + "/recv.log"};
  measure::TrafficOptions s = r;
  s.role = measure::TrafficRole::Send;
  s.bind = *Ipv4::parse("10.79.0.1");
  s.rate_bps = static_cast<uint64_t>(mbit * 1e6);
  s.size = kSize;
  s.out = dir + "/send.log";
  s.realtime = realtime;
  auto spawn = [&](const measure::TrafficOptions& o, const std::string& ns) {
    std::vector<std::string> argv = {binary};
    for (auto& x : measure::traffic_args(o)) argv.push_back(x);
    return procs.spawn({.ns = ns, .argv = argv, .log_path = o.out + ".out"});
  };
  const auto rid = spawn(r, b);
  wait_for([&] { return !measure::read_traffic_log(r.out).samples.empty(); }, "receiver");
  const int64_t t0 = mono_ns();
  const auto sid = spawn(s, a);
  std::this_thread::sleep_for(milliseconds(static_cast<int64_t>(seconds * 1000) - 250));
  const double cpu = cpu_seconds(sid.pid) + cpu_seconds(rid.pid);
  const double elapsed = static_cast<double>(mono_ns() - t0) / 1e9;
  std::this_thread::sleep_for(milliseconds(250));
  procs.stop(sid, milliseconds(3000));
  procs.stop(rid, milliseconds(3000));
  const auto w = measure::traffic_window(measure::read_traffic_log(s.out),
                                         measure::read_traffic_log(r.out), 0, INT64_MAX);
  Result res;
  if (!w.measured) {
    res.note = "not measured: " + w.why_not + " " + read_all(s.out + ".out");
    return res;
  }
  res.offered_mbit = w.offered_mbit;
  res.delivered_mbit = w.delivered_mbit;
  res.cpu = cpu / elapsed;
  return res;
}

Result run_iperf(process::Processes& procs, const std::string& a, const std::string& b,
                 const std::string& dir, double mbit, double seconds, uint16_t port) {
  const std::string srv_out = dir + "/iperf-server.json", cli_out = dir + "/iperf-client.json";
  fs::remove(srv_out);  // the process layer appends
  fs::remove(cli_out);
  const auto sid = procs.spawn(
      {.ns = b,
       .argv = {"iperf3", "-s", "-1", "-B", "10.79.0.2", "-p", std::to_string(port), "--json"},
       .log_path = srv_out});
  // The server listens when its TCP control port accepts: give it a moment
  // (iperf3 has no readiness signal); the client retries nothing.
  std::this_thread::sleep_for(milliseconds(300));
  const uint32_t payload = kSize - measure::kTrafficHeaders;
  // -b counts UDP payload bits: the same packets per second as netlab-traffic.
  const uint64_t bps = static_cast<uint64_t>(mbit * 1e6 * payload / kSize);
  const int64_t t0 = mono_ns();
  const auto cid = procs.spawn(
      {.ns = a,
       .argv = {"iperf3", "-u", "-c", "10.79.0.2", "-B", "10.79.0.1", "-p", std::to_string(port),
                "-b", std::to_string(bps), "-l", std::to_string(payload), "-t",
                std::to_string(static_cast<int>(seconds)), "--json"},
       .log_path = cli_out});
  std::this_thread::sleep_for(milliseconds(static_cast<int64_t>(seconds * 1000) - 250));
  const double cpu = cpu_seconds(cid.pid) + cpu_seconds(sid.pid);
  const double elapsed = static_cast<double>(mono_ns() - t0) / 1e9;
  procs.wait_gone(cid, milliseconds(5000));
  procs.stop(cid, milliseconds(1000));
  procs.stop(sid, milliseconds(2000));
  Result res;
  try {
    const auto j = nlohmann::json::parse(read_all(cli_out));
    const auto& sent = j.at("end").at("sum_sent");
    const auto& recv = j.at("end").at("sum_received");
    const double secs = sent.at("seconds").get<double>();
    res.offered_mbit = sent.at("packets").get<double>() * kSize * 8 / secs / 1e6;
    res.delivered_mbit =
        recv.at("packets").get<double>() * kSize * 8 / recv.at("seconds").get<double>() / 1e6;
    res.cpu = cpu / elapsed;
  } catch (const std::exception& e) {
    res.note = std::string("iperf3 output unreadable: ") + e.what();
  }
  return res;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 5;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: bench_traffic [--seconds S]\n");
      return 2;
    }
  }
  if (seconds < 2) seconds = 2;
  if (geteuid() != 0) {
    std::fprintf(stderr, "bench_traffic: needs root (network namespaces)\n");
    return 0;
  }
  std::string binary;
  try {
    binary = require_helper("netlab-traffic");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_traffic: %s\n", e.what());
    return 1;
  }
  const bool have_iperf = std::system("command -v iperf3 >/dev/null 2>&1") == 0;
  auto nl = kernel::make_netlink();
  auto procs = process::make_processes();
  const std::string prefix = "nl-btr" + std::to_string(getpid()) + "-";
  const std::string a = prefix + "a", b = prefix + "b";
  char tmpl[] = "/tmp/nl-btr-XXXXXX";
  if (!::mkdtemp(tmpl)) return 1;
  const std::string dir = tmpl;
  struct Row {
    double mbit;
    std::string tool;
    Result r;
  };
  std::vector<Row> rows;
  int rc = 0;
  try {
    nl->netns_create(a);
    nl->netns_create(b);
    nl->veth_create({a, "a0", b, "b0", 1500});
    nl->address_add({a, "a0", *Ipv4Prefix::parse("10.79.0.1/30")});
    nl->address_add({b, "b0", *Ipv4Prefix::parse("10.79.0.2/30")});
    nl->link_set_up(a, "a0", true);
    nl->link_set_up(b, "b0", true);
    uint16_t port = 47700;
    for (double mbit : {10.0, 50.0, 200.0}) {
      rows.push_back({mbit, "netlab-traffic --rt (as a lab runs it)",
                      run_netlab(*procs, binary, a, b, dir, mbit, seconds, port++, true)});
      rows.push_back({mbit, "netlab-traffic without --rt",
                      run_netlab(*procs, binary, a, b, dir, mbit, seconds, port++, false)});
      if (have_iperf) {
        rows.push_back(
            {mbit, "iperf3 -u -b (baseline)", run_iperf(*procs, a, b, dir, mbit, seconds, port++)});
      } else {
        rows.push_back({mbit, "iperf3", Result{.note = "iperf3 not installed"}});
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_traffic: %s\n", e.what());
    rc = 1;
  }
  for (const auto& ns : {b, a}) {
    try {
      if (nl->netns_id(ns)) nl->netns_delete(ns);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "cleanup %s: %s\n", ns.c_str(), e.what());
      rc = 1;
    }
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  std::printf(
      "UDP, 1200-byte IP datagrams, %.0f s per run, veth between two namespaces; Mbit/s of IP "
      "datagrams;\nCPU = user+system s of sender+receiver per s of traffic (100%% = one core)\n\n",
      seconds);
  std::printf("%-7s %-40s %9s %9s %7s %7s\n", "asked", "generator", "offered", "delivered",
              "offered", "CPU");
  std::printf("%-7s %-40s %9s %9s %7s %7s\n", "Mbit/s", "", "Mbit/s", "Mbit/s", "error", "");
  for (const auto& row : rows) {
    const Result& x = row.r;
    if (!x.note.empty()) {
      std::printf("%-7.0f %-40s %s\n", row.mbit, row.tool.c_str(), x.note.c_str());
      continue;
    }
    std::printf("%-7.0f %-40s %9.2f %9.2f %+6.1f%% %6.1f%%\n", row.mbit, row.tool.c_str(),
                x.offered_mbit, x.delivered_mbit, 100 * (x.offered_mbit - row.mbit) / row.mbit,
                x.cpu * 100);
  }
  return rc;
}
