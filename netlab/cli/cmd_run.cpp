// netlab run: topology in, judged measurements out, nothing left behind.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "netlab/cli/commands.h"
#include "netlab/cli/common.h"
#include "netlab/kernel/route_monitor.h"
#include "netlab/report/report.h"
#include "netlab/scenario/runner.h"
#include "netlab/version.h"

namespace netlab::cli {

namespace fs = std::filesystem;

namespace {

std::string probe_binary() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  fs::path beside = exe.parent_path() / "netlab-probe";
  if (!ec && fs::exists(beside)) return beside.string();
  throw EnvironmentError("netlab-probe is not installed beside " + exe.string());
}

// FRR's logs are part of the output: the evidence behind every BFD and BGP
// event in the report.
void keep_frr_logs(const plan::Plan& p, const std::string& out) {
  std::error_code ec;
  fs::create_directories(out + "/logs", ec);
  for (const auto& n : p.nodes)
    if (n.is_router()) fs::copy_file(n.frr_dir + "/frr.log", out + "/logs/" + n.name + ".log",
                                     fs::copy_options::overwrite_existing, ec);
}

}  // namespace

int cmd_run(const RunOptions& o) {
  const std::string file = o.file.empty() ? default_topology() : o.file;
  auto topo = load_topology(file);
  for (const auto& s : o.scenarios)
    if (!topo.scenario(s)) throw InputError("no scenario named \"" + s + "\" in " + file);
  auto plan = make_plan(topo);

  RealHost rh;
  require_environment(rh.caps());
  const std::string probe = probe_binary();
  rh.host().stop = install_stop_signals();
  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (ec) throw InputError("cannot create the output directory " + o.out_dir + ": " + ec.message());

  scenario::RunResult result;
  result.netlab_version = NETLAB_VERSION;
  result.kernel_release = rh.caps().kernel_release;
  result.frr_version = rh.caps().frr_version;
  result.lab = plan.lab;
  result.topology = file;
  result.backends["link cut"] = "nftables netdev ingress";

  auto lab = lab::Lab::up(plan, rh.host());
  if (o.keep) lab->release();
  const auto& tm = lab->timings();
  result.bringup_ms = static_cast<double>(tm.converged_ns - tm.start_ns) / 1e6;
  result.bringup_split_ms = {{"namespaces_and_links", static_cast<double>(tm.kernel_done_ns - tm.start_ns) / 1e6},
                             {"daemons_started", static_cast<double>(tm.daemons_started_ns - tm.start_ns) / 1e6},
                             {"converged", result.bringup_ms}};
  for (const auto& [k, v] : lab->backends())
    if (!k.starts_with("tunnel ")) result.backends[k] = v;
  progress("lab " + plan.lab + " converged in " + std::to_string(static_cast<int>(result.bringup_ms)) + " ms");

  auto monitor = kernel::make_route_monitor();
  {
    scenario::RunnerOptions ro;
    ro.probe_binary = probe;
    ro.trials_override = o.trials;
    scenario::Runner runner(*lab, topo, *monitor, ro);
    for (const auto& sc : topo.scenarios) {
      if (!o.scenarios.empty() &&
          std::find(o.scenarios.begin(), o.scenarios.end(), sc.name) == o.scenarios.end())
        continue;
      auto r = runner.run(sc);
      progress("scenario " + sc.name + ": " + (r.pass() ? "pass" : "FAIL"));
      result.scenarios.push_back(std::move(r));
    }
  }
  // The monitor's sockets hold the lab's namespaces: close them first.
  monitor->stop();
  keep_frr_logs(plan, o.out_dir);
  if (!o.keep) {
    progress("tearing down lab " + plan.lab);
    lab->down();
  }

  std::fputs(report::table(result, ::isatty(1)).c_str(), stdout);
  report::write_file(o.out_dir + "/report.json", report::to_json(result).dump(2) + "\n");
  if (!o.junit.empty()) report::write_file(o.junit, report::junit(result));
  std::printf("report: %s/report.json%s\n", o.out_dir.c_str(), o.keep ? ("; lab " + plan.lab + " left running").c_str() : "");
  return result.pass() ? 0 : 1;
}

}  // namespace netlab::cli
