// Bring-up time of a topology, split into namespaces+links, daemons started
// and BGP converged, next to `ip -batch` creating the same namespaces, veth
// pairs and addresses, measured in the same run (bench/README.md).
//
//   bench_bringup [TOPOLOGY] [--runs N]      (root; default: the default topology)
//
// The lab is planned under the name "nlbench" so it never collides with a
// lab a user runs.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "netlab/cli/common.h"
#include "netlab/kernel/clock.h"
#include "netlab/process/command.h"
#include "netlab/topology/loader.h"

using namespace netlab;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// The `ip -batch` equivalent of the plan's kernel objects: one batch in the
// host namespace for namespaces and veth pairs (each end created directly in
// its namespace, as netlab does), then one `ip -n NS -batch` per namespace
// for its addresses and link states (batch lines cannot name a namespace).
std::string ip_batch_create(const plan::Plan& p) {
  std::string b;
  for (const auto& n : p.nodes) b += "netns add " + n.ns + "\n";
  for (const auto& l : p.links)
    b += "link add " + l.a.ifname + " netns " + l.a.ns + " type veth peer name " + l.b.ifname +
         " netns " + l.b.ns + "\n";
  return b;
}

std::map<std::string, std::string> ip_batch_per_namespace(const plan::Plan& p) {
  std::map<std::string, std::string> out;
  for (const auto& n : p.nodes) out[n.ns] = "link set lo up\n";
  for (const auto& l : p.links)
    for (const auto* e : {&l.a, &l.b})
      out[e->ns] += "addr add " + e->address.str() + " dev " + e->ifname + "\nlink set " + e->ifname + " up\n";
  return out;
}

std::string ip_batch_delete(const plan::Plan& p) {
  std::string b;
  for (const auto& n : p.nodes) b += "netns del " + n.ns + "\n";
  return b;
}

double run_ip_batch(const std::string& batch, const std::string& ns = "") {
  std::string f = "/tmp/netlab-bench-" + std::to_string(::getpid()) + ".batch";
  std::ofstream(f) << batch;
  std::vector<std::string> argv{"/usr/sbin/ip"};
  if (!ns.empty()) argv.insert(argv.end(), {"-n", ns});
  argv.insert(argv.end(), {"-batch", f});
  auto t0 = std::chrono::steady_clock::now();
  auto r = process::run_command(argv, std::chrono::seconds(60));
  auto t1 = std::chrono::steady_clock::now();
  ::unlink(f.c_str());
  if (r.exit_code != 0) throw Error("ip -batch failed: " + r.err);
  return std::chrono::duration<double, std::milli>(t1 - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::string file = cli::default_topology();
  int runs = 3;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) runs = std::max(1, std::atoi(argv[++i]));
    else file = a;
  }
  if (::geteuid() != 0) {
    std::fprintf(stderr, "bench_bringup needs root\n");
    return 3;
  }
  try {
    auto topo = cli::load_topology(file);
    topo.lab.name = "nlbench";
    auto plan = cli::make_plan(topo);
    cli::RealHost rh;
    cli::require_environment(rh.caps());
    rh.host().progress = nullptr;  // the table is the output

    std::vector<double> ip_ms, kernel_ms, daemons_ms, converged_ms;
    for (int r = 0; r < runs; ++r) {
      // The baseline's namespaces go whatever happens (ip's own -force
      // keeps going past the ones that are already gone).
      struct IpCleanup {
        const plan::Plan& p;
        ~IpCleanup() {
          std::string f = "/tmp/netlab-bench-" + std::to_string(::getpid()) + ".del";
          std::ofstream(f) << ip_batch_delete(p);
          process::run_command({"/usr/sbin/ip", "-force", "-batch", f}, std::chrono::seconds(60));
          ::unlink(f.c_str());
        }
      };
      {
        IpCleanup cleanup{plan};
        double ms = run_ip_batch(ip_batch_create(plan));
        for (const auto& [ns, batch] : ip_batch_per_namespace(plan)) ms += run_ip_batch(batch, ns);
        ip_ms.push_back(ms);
      }

      auto lab = lab::Lab::up(plan, rh.host());
      const auto& t = lab->timings();
      auto ms = [&](int64_t x) { return static_cast<double>(x - t.start_ns) / 1e6; };
      kernel_ms.push_back(ms(t.kernel_done_ns));
      daemons_ms.push_back(ms(t.daemons_started_ns));
      converged_ms.push_back(ms(t.converged_ns));
      lab->down();
    }

    std::printf("bring-up of %s: %zu namespaces, %zu veth pairs, %zu tunnels, %zu BGP sessions; %d runs\n",
                file.c_str(), plan.nodes.size(), plan.links.size(), plan.tunnels.size(),
                plan.sessions.size(), runs);
    std::printf("%-44s", "");
    for (int r = 0; r < runs; ++r) std::printf("  run %-4d", r + 1);
    std::printf("  median\n");
    auto row = [&](const char* what, const std::vector<double>& v) {
      std::printf("%-44s", what);
      for (double x : v) std::printf("  %6.0f ms", x);
      std::printf("  %6.0f ms\n", median(v));
    };
    row("baseline: ip -batch (namespaces+links+addrs)", ip_ms);
    row("netlab: namespaces + links + addresses", kernel_ms);
    row("netlab: + tunnels, FRR daemons started", daemons_ms);
    row("netlab: + BGP converged (all routes in FIB)", converged_ms);
  } catch (const Error& e) {
    std::fprintf(stderr, "bench_bringup: %s\n", e.what());
    return e.exit_code();
  }
  return 0;
}
