// netlab run: topology in, judged measurements out, nothing left behind.
#include <CLI/CLI.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "netlab/cli/commands.h"
#include "netlab/cli/common.h"
#include "netlab/impair/impair.h"
#include "netlab/kernel/route_monitor.h"
#include "netlab/process/helpers.h"
#include "netlab/report/report.h"
#include "netlab/scenario/runner.h"
#include "netlab/scenario/sweep.h"
#include "netlab/version.h"

namespace netlab::cli {

struct RunOptions {
  std::string file;
  std::string out_dir = "netlab-out";
  std::vector<std::string> scenarios;  // empty: all
  int trials = 0;                      // 0: as the file says
  std::string junit;
  bool keep = false;                   // leave the lab up afterwards
  std::optional<uint64_t> seed;        // impairment randomness (else [lab].seed, else random)
};

struct SweepOptions {
  std::string file;
  std::string out_dir = "netlab-out";
  double hold_s = 0;  // 0: per failure, from the slowest detection it involves
  int trials = 1;
  std::string junit;
  std::optional<uint64_t> seed;
};

namespace fs = std::filesystem;

namespace {

std::string probe_binary() { return process::helper_path("netlab-probe"); }

// FRR's logs are part of the output: the evidence behind every BFD and BGP
// event in the report.
void keep_frr_logs(const plan::Plan& p, const std::string& out) {
  std::error_code ec;
  fs::create_directories(out + "/logs", ec);
  for (const auto& n : p.nodes)
    if (n.is_router()) fs::copy_file(n.frr_dir + "/frr.log", out + "/logs/" + n.name + ".log",
                                     fs::copy_options::overwrite_existing, ec);
  // Tunnel daemons' and watchers' logs (IKE, DPD decisions) beside the node's.
  for (const auto& n : p.nodes) {
    fs::path dir = fs::path(p.runtime_dir) / "nodes" / n.name;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      std::string f = e.path().filename().string();
      if (f.ends_with(".log") && (f.starts_with("charon") || f.starts_with("tunnel-watch") ||
                                  f.starts_with("wireguard-go") || f.starts_with("delay-")))
        fs::copy_file(e.path(), out + "/logs/" + n.name + "-" + f, fs::copy_options::overwrite_existing, ec);
    }
  }
}

}  // namespace

namespace {

// What run and sweep share: a lab built from `file`, a runner on it, and on
// the way out (normal, error or signal) the FRR logs kept and the lab torn
// down unless kept.
struct Session {
  topology::Topology topo;
  plan::Plan plan;
  RealHost rh;
  std::string out;
  bool keep = false;
  std::unique_ptr<lab::Lab> lab;
  std::unique_ptr<kernel::RouteMonitor> monitor;
  std::unique_ptr<scenario::Runner> runner;
  scenario::RunResult result;

  Session(const std::string& file, const std::string& out_dir, bool keep_lab, int trials,
          std::optional<uint64_t> seed)
      : topo(load_topology(file)), plan(make_plan(topo)), out(out_dir), keep(keep_lab) {
    plan.seed = impair::choose_seed(seed, plan.seed);
    require_environment(rh.caps());
    std::string probe = probe_binary();
    rh.host().stop = install_stop_signals();
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) throw InputError("cannot create the output directory " + out + ": " + ec.message());
    result.netlab_version = NETLAB_VERSION;
    result.kernel_release = rh.caps().kernel_release;
    result.frr_version = rh.caps().frr_version;
    result.lab = plan.lab;
    result.topology = file;
    result.description = topo.lab.description;
    result.seed = *plan.seed;
    result.backends["link cut"] = "nftables netdev ingress";

    lab = lab::Lab::up(plan, rh.host());
    const auto& tm = lab->timings();
    auto ms = [&](int64_t t) { return static_cast<double>(t - tm.start_ns) / 1e6; };
    result.bringup_ms = ms(tm.converged_ns);
    result.bringup_split_ms = {{"namespaces_and_links", ms(tm.kernel_done_ns)},
                               {"daemons_started", ms(tm.daemons_started_ns)},
                               {"converged", ms(tm.converged_ns)}};
    for (const auto& [k, v] : lab->backends())
      if (!k.starts_with("tunnel ")) result.backends[k] = v;
    progress("lab " + plan.lab + " converged in " + std::to_string(static_cast<int>(result.bringup_ms)) + " ms");

    monitor = kernel::make_route_monitor();
    scenario::RunnerOptions ro;
    ro.probe_binary = probe;
    ro.trials_override = trials;
    runner = std::make_unique<scenario::Runner>(*lab, topo, *monitor, ro);
  }

  // Normal end: logs kept, lab down (errors surface).
  void finish() {
    runner.reset();
    monitor->stop();  // its sockets hold the lab's namespaces
    keep_frr_logs(plan, out);
    // Kept only once the run is complete: an interrupted run still cleans up.
    if (keep) lab->release();
    else {
      progress("tearing down lab " + plan.lab);
      lab->down();
    }
  }

  ~Session() {
    // Error or signal: the monitor goes first, then the lab tears itself
    // down (Lab's destructor) unless it was released.
    runner.reset();
    if (monitor) monitor->stop();
  }
};

}  // namespace

int cmd_run(const RunOptions& o) {
  const std::string file = o.file.empty() ? default_topology() : o.file;
  {
    // Scenario names are input: check them before anything is built.
    auto topo = load_topology(file);
    for (const auto& s : o.scenarios)
      if (!topo.scenario(s)) throw InputError("no scenario named \"" + s + "\" in " + file);
  }
  Session ses(file, o.out_dir, o.keep, o.trials, o.seed);
  for (const auto& sc : ses.topo.scenarios) {
    if (!o.scenarios.empty() && std::find(o.scenarios.begin(), o.scenarios.end(), sc.name) == o.scenarios.end())
      continue;
    auto r = ses.runner->run(sc);
    progress("scenario " + sc.name + ": " + (r.pass() ? "pass" : "FAIL"));
    ses.result.scenarios.push_back(std::move(r));
  }
  ses.finish();

  const auto& result = ses.result;
  std::fputs(report::table(result, ::isatty(1)).c_str(), stdout);
  report::write_file(o.out_dir + "/report.json", report::to_json(result).dump(2) + "\n");
  if (!o.junit.empty()) report::write_file(o.junit, report::junit(result));
  std::printf("report: %s/report.json%s\n", o.out_dir.c_str(),
              o.keep ? ("; lab " + ses.plan.lab + " left running").c_str() : "");
  return result.pass() ? 0 : 1;
}

int cmd_report(const std::vector<std::string>& files, bool markdown) {
  std::vector<nlohmann::json> reports;
  for (const auto& f : files) {
    std::ifstream in(f);
    if (!in) throw InputError("cannot read " + f);
    auto j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded() || !j.contains("scenarios")) throw InputError(f + " is not a netlab report.json");
    reports.push_back(std::move(j));
  }
  std::fputs(markdown ? report::markdown_summary(reports).c_str() : report::text_summary(reports).c_str(), stdout);
  return 0;
}

int cmd_sweep(const SweepOptions& o) {
  Session ses(o.file, o.out_dir, false, 0, o.seed);
  auto failures = scenario::sweep_failures(ses.topo, ses.plan, o.hold_s);
  progress("sweep: " + std::to_string(failures.size()) + " single failures");
  auto sweep = scenario::run_sweep(*ses.runner, ses.topo, ses.plan, o.hold_s, o.trials);
  for (const auto& row : sweep.rows) ses.result.scenarios.push_back(row.result);
  ses.finish();

  std::fputs(scenario::sweep_table(sweep, ::isatty(1)).c_str(), stdout);
  auto j = report::to_json(ses.result);
  j["sweep"] = nlohmann::json::array();
  for (const auto& row : sweep.rows)
    j["sweep"].push_back({{"failure", row.failure.kind + " " + row.failure.name},
                          {"kind", row.failure.kind},
                          {"target", row.failure.name},
                          {"hold_s", row.failure.hold_s},
                          {"predicted_reachable", row.failure.predicted_reachable},
                          {"reachable", row.reachable()},
                          {"over_dx", row.over_dx}});
  j["dx_resiliency"] = {{"model", sweep.dx.model}, {"reason", sweep.dx.reason}};
  report::write_file(o.out_dir + "/sweep.json", j.dump(2) + "\n");
  if (!o.junit.empty()) report::write_file(o.junit, report::junit(ses.result));
  std::printf("report: %s/sweep.json\n", o.out_dir.c_str());
  return 0;
}


Runner define_run(CLI::App& c) {
  auto o = std::make_shared<RunOptions>();
  c.add_option("file", o->file, "topology file (default: topologies/hybrid-backup.toml)");
  c.add_option("--out", o->out_dir, "directory for report.json and logs")->capture_default_str();
  c.add_option("--scenario", o->scenarios, "run only these scenarios (repeatable)");
  c.add_option("--trials", o->trials, "override every scenario's trial count")->check(CLI::Range(1, 1000));
  c.add_option("--junit", o->junit, "also write JUnit XML here");
  c.add_flag("--keep", o->keep, "leave the lab running afterwards (remove it with `netlab down`)");
  c.add_option("--seed", o->seed, "seed for impairments' randomness (default: [lab].seed, else random; reported)");
  return [o] { return cmd_run(*o); };
}

Runner define_sweep(CLI::App& c) {
  auto o = std::make_shared<SweepOptions>();
  c.add_option("file", o->file, "topology file")->required();
  c.add_option("--out", o->out_dir, "directory for sweep.json and logs")->capture_default_str();
  c.add_option("--hold", o->hold_s, "hold every failure this many seconds (default: long enough to detect it)");
  c.add_option("--trials", o->trials, "trials per failure")->check(CLI::Range(1, 100));
  c.add_option("--junit", o->junit, "also write JUnit XML here");
  c.add_option("--seed", o->seed, "seed for impairments' randomness");
  return [o] { return cmd_sweep(*o); };
}

Runner define_report(CLI::App& c) {
  struct Args {
    std::vector<std::string> files;
    bool markdown = false;
  };
  auto a = std::make_shared<Args>();
  c.add_option("files", a->files, "report.json files")->required();
  c.add_flag("--markdown", a->markdown, "as a Markdown table (the README's catalogue)");
  return [a] { return cmd_report(a->files, a->markdown); };
}

}  // namespace netlab::cli
