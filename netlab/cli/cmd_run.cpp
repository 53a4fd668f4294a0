// netlab run: topology in, judged measurements out, nothing left behind.
#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>

#include "netlab/base/helpers.h"
#include "netlab/cli/commands.h"
#include "netlab/cli/common.h"
#include "netlab/cli/pictures.h"
#include "netlab/kernel/route_monitor.h"
#include "netlab/report/merge.h"
#include "netlab/report/report.h"
#include "netlab/scenario/runner.h"
#include "netlab/scenario/shard.h"
#include "netlab/scenario/sweep.h"
#include "netlab/topology/names.h"
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
  std::string shard;                   // "K/N": only this part of the trials
  int jobs = 0;                        // labs side by side, each running its share of the trials;
                                       // 0: as the host's cores allow (jobs_of)
  std::string lab;                     // run under this lab name instead of the file's
};

struct SweepOptions {
  std::string file;
  std::string out_dir = "netlab-out";
  double hold_s = 0;  // 0: per failure, from the slowest detection it involves
  int trials = 1;
  std::string junit;
  std::optional<uint64_t> seed;
  std::string shard;  // "K/N": only this part of the failures
  int jobs = 0;       // labs side by side, each running its share of the failures; 0: jobs_of
  std::string lab;    // run under this lab name instead of the file's
  std::string only;   // "dx": only the failures the Direct Connect class judges
};

namespace fs = std::filesystem;

namespace {

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

// This machine's name, for the report of a shard: which machine ran which part.
std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

// Marks a shard's result: the part, the machine, and every trial it ran.
void mark_shard(scenario::RunResult& r, const scenario::Shard& shard) {
  r.shard = shard.str();
  r.host = host_name();
  for (auto& s : r.scenarios)
    for (auto& t : s.trials) {
      t.shard = r.shard;
      t.host = r.host;
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

  // `t` is the topology loaded from `file`, once, by the command.
  Session(topology::Topology t, const std::string& file, const std::string& out_dir, bool keep_lab,
          int trials, std::optional<uint64_t> seed)
      : topo(std::move(t)), plan(make_plan(topo)), out(out_dir), keep(keep_lab) {
    plan.seed = plan::decide_seed(seed, plan.seed);
    require_environment(rh.caps());
    std::string probe = require_helper("netlab-probe");
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
    result.scale = plan.scale;
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
    if (!topo.traffic.empty()) ro.traffic_binary = require_helper("netlab-traffic");
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

namespace {
int run_jobs(const RunOptions& o, const std::string& file, const topology::Topology& topo);

// The labs to run side by side: --jobs as given; not given, as the host's
// cores allow (scenario::default_jobs), but one when the run is a shard or
// keeps its lab, which only one lab can be.
int jobs_of(int given, bool shard_or_keep) {
  if (given > 0) return given;
  return shard_or_keep ? 1 : scenario::default_jobs(scenario::usable_cpus());
}
void use_lab_name(topology::Topology& topo, const std::string& lab);
}  // namespace

int cmd_run(const RunOptions& o) {
  const std::string file = o.file.empty() ? default_topology() : o.file;
  auto topo = load_topology(file);
  // Scenario names are input: check them before anything is built.
  for (const auto& s : o.scenarios)
    if (!topo.scenario(s)) throw InputError("no scenario named \"" + s + "\" in " + file);
  const scenario::Shard shard = o.shard.empty() ? scenario::Shard{} : scenario::parse_shard(o.shard);
  if (!o.lab.empty()) use_lab_name(topo, o.lab);
  if (jobs_of(o.jobs, !shard.whole() || o.keep) > 1) {
    if (!shard.whole()) throw InputError("--jobs and --shard cannot be combined: give each shard its own machine");
    if (o.keep) throw InputError("--jobs and --keep cannot be combined: the labs of the jobs are not kept");
    RunOptions jo = o;
    jo.jobs = jobs_of(o.jobs, false);
    return run_jobs(jo, file, topo);
  }
  Session ses(std::move(topo), file, o.out_dir, o.keep, o.trials, o.seed);
  std::vector<const topology::Scenario*> chosen;
  std::vector<int> counts;
  for (const auto& sc : ses.topo.scenarios) {
    if (!o.scenarios.empty() && std::find(o.scenarios.begin(), o.scenarios.end(), sc.name) == o.scenarios.end())
      continue;
    chosen.push_back(&sc);
    counts.push_back(ses.runner->trial_count(sc));
  }
  // A shard runs its trials of the serial order (scenario/shard.h), each
  // under its serial number; a scenario it has no trial of is left out.
  const auto parts = scenario::shard_trials(shard, counts);
  for (size_t i = 0; i < chosen.size(); ++i) {
    const auto& sc = *chosen[i];
    if (!shard.whole()) ses.result.work.emplace_back(sc.name, counts[i]);
    if (parts[i].empty()) continue;
    auto r = ses.runner->run(sc, parts[i]);
    progress("scenario " + sc.name + ": " + std::string(scenario::to_string(r.verdict())));
    ses.result.scenarios.push_back(std::move(r));
  }
  if (!shard.whole()) {
    mark_shard(ses.result, shard);
    progress("shard " + shard.str() + " on " + ses.result.host);
  }
  ses.finish();

  const auto& result = ses.result;
  std::fputs(report::table(result, ::isatty(1)).c_str(), stdout);
  report::write_file(o.out_dir + "/report.json", report::to_json(result).dump(2) + "\n");
  write_pictures(o.out_dir, report::to_json(result), &ses.topo, &ses.plan);
  if (!o.junit.empty()) report::write_file(o.junit, report::junit(result));
  std::printf("report: %s/report.json%s\n", o.out_dir.c_str(),
              o.keep ? ("; lab " + ses.plan.lab + " left running").c_str() : "");
  return scenario::exit_code(result.verdict());
}

int cmd_report(const std::vector<std::string>& files, bool markdown) {
  std::vector<nlohmann::json> reports;
  for (const auto& f : files) reports.push_back(read_report(f));
  std::fputs(markdown ? report::markdown_summary(reports).c_str() : report::text_summary(reports).c_str(), stdout);
  return 0;
}

// netlab report --merge OUT_DIR A.json B.json ...: the shards of one run
// made into the report the unsharded run would have written.
int cmd_report_merge(const std::string& out, const std::vector<std::string>& files, const std::string& junit) {
  std::vector<report::ShardReport> parts;
  for (const auto& f : files) parts.push_back({f, read_report(f)});
  auto merged = report::merge_shards(parts);
  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) throw InputError("cannot create the output directory " + out + ": " + ec.message());
  std::fputs(report::table(merged.result, ::isatty(1)).c_str(), stdout);
  report::write_file(out + "/report.json", merged.json.dump(2) + "\n");
  report::write_file(junit.empty() ? out + "/junit.xml" : junit, report::junit(merged.result));
  // The pictures with the topology when its file is where the report says.
  write_report_pictures(out, merged.json);
  std::printf("report: %s/report.json (%zu shards merged)\n", out.c_str(), files.size());
  return scenario::exit_code(merged.result.verdict());
}

namespace {

// What a sweep writes, serial or split over jobs: the table on stdout,
// sweep.json (report.json's content with the matrix and the class), the
// pictures and the JUnit XML; `extra` goes into sweep.json as it is. Returns
// the exit code.
int write_sweep(const SweepOptions& o, const scenario::Shard& shard, const scenario::RunResult& result,
                const scenario::SweepResult& sweep, const topology::Topology& topo, const plan::Plan& plan,
                const nlohmann::json& extra = nlohmann::json::object()) {
  std::fputs(scenario::sweep_table(sweep, ::isatty(1)).c_str(), stdout);
  auto j = report::to_json(result);
  for (const auto& [k, v] : extra.items()) j[k] = v;
  j["sweep"] = nlohmann::json::array();
  for (const auto& row : sweep.rows)
    j["sweep"].push_back({{"failure", row.failure.kind + " " + row.failure.name},
                          {"kind", row.failure.kind},
                          {"target", row.failure.name},
                          {"hold_s", row.failure.hold_s},
                          {"predicted_reachable", row.failure.predicted_reachable},
                          {"reachable", row.reachable()},
                          {"over_dx", row.over_dx},
                          {"verdict", scenario::to_string(row.result.verdict())}});
  j["dx_resiliency"] = {{"model", sweep.dx.model},
                        {"layout", sweep.dx.layout},
                        {"verdict", scenario::to_string(sweep.dx.verdict)},
                        {"findings", sweep.dx.findings},
                        {"reason", sweep.dx.reason()}};
  j["selection"] = {{"only", sweep.only == scenario::SweepOnly::Dx ? "dx" : "all"},
                    {"swept", sweep.selected_failures},
                    {"of", sweep.all_failures}};
  j["verdict"] = scenario::to_string(sweep.verdict());
  report::write_file(o.out_dir + "/sweep.json", j.dump(2) + "\n");
  write_pictures(o.out_dir, j, &topo, &plan);
  if (!o.junit.empty()) {
    // The class is judged over the whole matrix: a testcase of its own.
    scenario::Target dx;
    dx.name = "dx_resiliency";
    dx.limit = sweep.dx.layout;
    dx.measured = sweep.dx.model;
    dx.verdict = sweep.dx.verdict;
    dx.detail = sweep.dx.reason();
    report::write_file(o.junit, report::junit(result, "sweep", {dx}));
  }
  std::printf("report: %s/sweep.json\n", o.out_dir.c_str());
  // A shard's classification saw only its own rows: its verdict is its rows'.
  if (!shard.whole()) {
    report::write_file(o.out_dir + "/report.json", report::to_json(result).dump(2) + "\n");
    return scenario::exit_code(result.verdict());
  }
  // The sweep's verdict: every row as the graph predicted, and the DX class
  // its layout claims confirmed by what was measured.
  return scenario::exit_code(sweep.verdict());
}

// One job of `netlab sweep --jobs N`: this netlab again, as a child process,
// running shard K/N of the failures on its own lab.
struct Job {
  int index = 0;
  std::string lab, out;
  uint64_t seed = 0;
  pid_t pid = -1;
  std::optional<int> status;  // exit code, or 128 + signal
  bool signalled = false;     // SIGTERM sent
};

// Starts `argv` (argv[0] a path) with stdout into `out_file`, in a process
// group of its own (a Ctrl-C reaches the parent, which stops each job once),
// and SIGTERM when the parent dies (so that even a SIGKILLed parent leaves no
// lab behind: each job tears its own down).
pid_t spawn_job(const std::vector<std::string>& argv, const std::string& out_file) {
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  check_errno(out, "create", out_file);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(130);
    ::dup2(out, 1);
    ::execv(cargv[0], cargv.data());
    ::_exit(127);
  }
  int err = errno;
  ::close(out);
  if (pid < 0) throw KernelError("fork", argv[0], err);
  return pid;
}

std::string self_exe() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw EnvironmentError("cannot find this program (/proc/self/exe): " + ec.message());
  return exe.string();
}

std::string hold_text(double hold_s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", hold_s);
  return buf;
}

// The jobs of one `sweep --jobs` run: started together, stopped together.
class JobSet {
 public:
  explicit JobSet(std::vector<Job> jobs) : jobs_(std::move(jobs)) {}
  const std::vector<Job>& jobs() const { return jobs_; }

  // Starts every job with the argv `args` gives it; an error while starting
  // stops the ones already started (and waits for them) before it goes on.
  void start(const std::function<std::vector<std::string>(const Job&)>& args, int n) {
    try {
      for (auto& jb : jobs_) {
        std::error_code ec;
        fs::create_directories(jb.out, ec);
        if (ec) throw InputError("cannot create the output directory " + jb.out + ": " + ec.message());
        jb.pid = spawn_job(args(jb), jb.out + "/stdout.txt");
        progress("job " + std::to_string(jb.index) + "/" + std::to_string(n) + ": lab " + jb.lab + ", seed " +
                 std::to_string(jb.seed) + ", pid " + std::to_string(jb.pid));
        if (stop_requested()) break;
      }
    } catch (...) {
      stop_all();
      while (reap(true)) {
      }
      throw;
    }
  }

  // Waits for every job; a signal stops them all, and so does a job that
  // failed (the serial sweep ends at its lab's failure too). 0 when each
  // ended with a sweep's verdict (exit 0, 1 or 5); else the exit code the
  // sweep ends with.
  int wait() {
    for (;;) {
      if (stop_requested()) stop_all();
      for (auto& jb : jobs_)
        if (jb.status && !verdict(*jb.status)) stop_all();
      if (!reap(false)) break;
      timespec pause{0, 50'000'000};  // the jobs' exits are polled: each waits on its own lab
      ::nanosleep(&pause, nullptr);
    }
    if (stop_requested()) throw lab::Interrupted();
    for (const auto& jb : jobs_) {
      const int st = jb.status.value_or(4);
      if (verdict(st) || jb.signalled) continue;  // signalled: stopped because another job failed
      progress("job " + std::to_string(jb.index) + " (lab " + jb.lab + ") ended with exit " + std::to_string(st) +
               "; its output is in " + jb.out);
      // netlab's own codes pass through; a job killed by a signal is a failed lab.
      return st <= 5 || st == 130 ? st : 4;
    }
    for (const auto& jb : jobs_)
      if (!verdict(jb.status.value_or(4))) return 4;
    return 0;
  }

 private:
  static bool verdict(int status) { return status == 0 || status == 1 || status == 5; }

  void stop_all() {
    for (auto& jb : jobs_)
      if (jb.pid > 0 && !jb.status && !jb.signalled) {
        ::kill(jb.pid, SIGTERM);
        jb.signalled = true;
      }
  }

  // Collects the jobs that ended; true while any still runs.
  bool reap(bool block) {
    bool running = false;
    for (auto& jb : jobs_) {
      if (jb.pid <= 0 || jb.status) continue;
      int st = 0;
      pid_t r = ::waitpid(jb.pid, &st, block ? 0 : WNOHANG);
      if (r == jb.pid) jb.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      else if (r < 0 && errno == ECHILD) jb.status = 4;
      else running = true;
    }
    return running;
  }

  std::vector<Job> jobs_;
};

// The output directory made, the stop signals installed, and the N jobs of
// a --jobs run described: lab `<lab>jK`, output OUT/jobK, and the seed
// derived per job (`own_seeds`, a sweep) or the run's (a run's shards share it).
std::vector<Job> prepare_jobs(const plan::Plan& plan, int n, const std::string& out_dir, bool own_seeds) {
  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) throw InputError("cannot create the output directory " + out_dir + ": " + ec.message());
  install_stop_signals();
  std::vector<Job> list;
  for (int k = 1; k <= n; ++k) {
    Job jb;
    jb.index = k;
    jb.lab = scenario::job_lab_name(plan.lab, k);
    jb.seed = own_seeds ? scenario::job_seed(*plan.seed, k) : *plan.seed;
    jb.out = out_dir + "/job" + std::to_string(k);
    list.push_back(jb);
  }
  return list;
}

// A finished job's report.json.
nlohmann::json job_report(const Job& jb) {
  const std::string f = jb.out + "/report.json";
  std::ifstream in(f);
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (!in || j.is_discarded() || !j.contains("scenarios"))
    throw Error("job " + std::to_string(jb.index) + " wrote no report (" + f + ")");
  return j;
}

// The jobs' report.json files as one run, as the serial sweep reports it:
// this topology's lab and seed, the bring-up of the slowest job (they ran at
// the same time), the rows in serial order; `job_list` says which job ran what.
scenario::RunResult merged_jobs(const SweepOptions& o, const topology::Topology& topo, const plan::Plan& plan,
                                const std::vector<Job>& jobs, const std::vector<scenario::RunResult>& parts,
                                scenario::SweepResult& sweep, nlohmann::json& job_list) {
  scenario::RunResult result = parts.front();
  result.lab = plan.lab;
  result.topology = o.file;
  result.description = topo.lab.description;
  result.seed = *plan.seed;
  result.shard.clear();
  result.host.clear();
  result.work.clear();
  result.shard_by_scenario = false;
  result.scenarios.clear();
  job_list = nlohmann::json::array();
  for (size_t k = 0; k < jobs.size(); ++k) {
    if (parts[k].bringup_ms > result.bringup_ms) {
      result.bringup_ms = parts[k].bringup_ms;
      result.bringup_split_ms = parts[k].bringup_split_ms;
    }
    nlohmann::json names = nlohmann::json::array();
    for (const auto& s : parts[k].scenarios) names.push_back(s.name);
    job_list.push_back({{"job", jobs[k].index},
                        {"lab", jobs[k].lab},
                        {"seed", jobs[k].seed},
                        {"out", jobs[k].out},
                        {"bringup_ms", parts[k].bringup_ms},
                        {"failures", names}});
  }
  for (auto& row : sweep.rows) {
    for (auto& t : row.result.trials) {
      t.shard.clear();
      t.host.clear();
    }
    result.scenarios.push_back(row.result);
  }
  return result;
}

// "24 single failures", or with --only dx "10 of the 24 single failures
// (those the Direct Connect class judges)".
std::string failures_text(size_t selected, size_t all, scenario::SweepOnly only) {
  if (only == scenario::SweepOnly::All) return std::to_string(all) + " single failures";
  return std::to_string(selected) + " of the " + std::to_string(all) +
         " single failures (those the Direct Connect class judges)";
}

// `netlab sweep --jobs N`: N jobs, each `netlab sweep --shard K/N` on a lab
// of its own (job_lab_name, job_seed), run side by side; their report.json
// files merged back into the serial sweep's rows (scenario::merge_jobs), and
// written as the serial sweep writes them. SIGINT/SIGTERM stop every job,
// each tearing its lab down, before this returns 130.
int cmd_sweep_jobs(const SweepOptions& o, topology::Topology topo) {
  RealHost rh;
  require_environment(rh.caps());
  require_helper("netlab-probe");
  if (!topo.lab.probe) throw InputError("netlab sweep needs a [lab].probe between two hosts");
  plan::Plan plan = make_plan(topo);
  plan.seed = plan::decide_seed(o.seed, plan.seed);
  const auto only = scenario::parse_sweep_only(o.only);
  const auto all = scenario::sweep_failures(topo, plan, o.hold_s);
  const auto failures = scenario::select_failures(all, only);
  const int n = static_cast<int>(std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(o.jobs), failures.size())));
  std::vector<Job> list = prepare_jobs(plan, n, o.out_dir, true);
  const std::string exe = self_exe();
  progress("sweep: " + failures_text(failures.size(), all.size(), only) + " over " + std::to_string(n) +
           " labs side by side, seed " + std::to_string(*plan.seed));
  JobSet set(std::move(list));
  set.start(
      [&](const Job& jb) {
        std::vector<std::string> argv{exe,        "sweep",
                                      o.file,     "--shard",
                                      std::to_string(jb.index) + "/" + std::to_string(n),
                                      "--lab",    jb.lab,
                                      "--seed",   std::to_string(jb.seed),
                                      "--trials", std::to_string(o.trials),
                                      "--out",    jb.out};
        if (o.hold_s > 0) argv.insert(argv.end(), {"--hold", hold_text(o.hold_s)});
        if (only == scenario::SweepOnly::Dx) argv.insert(argv.end(), {"--only", "dx"});
        return argv;
      },
      n);
  if (int rc = set.wait(); rc != 0) return rc;

  // The jobs' reports, merged into the serial order.
  std::vector<scenario::RunResult> parts;
  std::vector<std::vector<scenario::ScenarioResult>> per_job;
  for (const auto& jb : set.jobs()) {
    parts.push_back(report::from_json(job_report(jb)));
    per_job.push_back(parts.back().scenarios);
  }
  auto sweep = scenario::merge_jobs(plan, failures, per_job);
  sweep.only = only;
  sweep.all_failures = all.size();
  sweep.selected_failures = failures.size();
  nlohmann::json job_list;
  scenario::RunResult result = merged_jobs(o, topo, plan, set.jobs(), parts, sweep, job_list);
  return write_sweep(o, scenario::Shard{}, result, sweep, topo, plan, {{"jobs", job_list}});
}

// --lab: the run under another lab name (a job of --jobs, or beside another
// run of the same file); progress lines are tagged with it.
void use_lab_name(topology::Topology& topo, const std::string& lab) {
  if (!topology::valid_lab_name(lab))
    throw InputError("--lab \"" + lab + "\" is not a valid lab name: it must match [a-z][a-z0-9]{0,7}");
  topo.lab.name = lab;
  set_progress_tag("[" + lab + "]");
}

// `netlab run --jobs N`: N jobs, each `netlab run --shard K/N` on a lab of
// its own (job_lab_name) with the run's seed (the shards of one run share
// it), side by side; their report.json files merged as `report --merge`
// merges a sharded run's, each trial naming the part that ran it, and
// written as the serial run writes them.
int run_jobs(const RunOptions& o, const std::string& file, const topology::Topology& topo) {
  RealHost rh;
  require_environment(rh.caps());
  require_helper("netlab-probe");
  plan::Plan plan = make_plan(topo);
  plan.seed = plan::decide_seed(o.seed, plan.seed);
  size_t units = 0;
  for (const auto& sc : topo.scenarios)
    if (o.scenarios.empty() || std::find(o.scenarios.begin(), o.scenarios.end(), sc.name) != o.scenarios.end())
      units += static_cast<size_t>(o.trials > 0 ? o.trials : static_cast<int>(sc.trials));
  const int n = static_cast<int>(std::max<size_t>(1, std::min<size_t>(static_cast<size_t>(o.jobs), units)));
  std::vector<Job> list = prepare_jobs(plan, n, o.out_dir, false);
  const std::string exe = self_exe();
  progress("run: " + std::to_string(units) + " trials over " + std::to_string(n) + " labs side by side, seed " +
           std::to_string(*plan.seed));
  JobSet set(std::move(list));
  set.start(
      [&](const Job& jb) {
        std::vector<std::string> argv{exe,    "run",  file, "--shard", std::to_string(jb.index) + "/" + std::to_string(n),
                                      "--lab", jb.lab, "--seed", std::to_string(jb.seed), "--out", jb.out};
        if (o.trials > 0) argv.insert(argv.end(), {"--trials", std::to_string(o.trials)});
        for (const auto& sc : o.scenarios) argv.insert(argv.end(), {"--scenario", sc});
        return argv;
      },
      n);
  if (int rc = set.wait(); rc != 0) return rc;

  // One run under the file's lab name: each part ran under its job's.
  std::vector<report::ShardReport> parts;
  for (const auto& jb : set.jobs()) {
    nlohmann::json j = job_report(jb);
    j["lab"] = plan.lab;
    parts.push_back({jb.out + "/report.json", std::move(j)});
  }
  auto merged = report::merge_shards(parts);
  merged.json["jobs"] = nlohmann::json::array();
  for (const auto& jb : set.jobs())
    merged.json["jobs"].push_back({{"job", jb.index}, {"shard", std::to_string(jb.index) + "/" + std::to_string(n)},
                                   {"lab", jb.lab}, {"seed", jb.seed}, {"out", jb.out}});
  std::fputs(report::table(merged.result, ::isatty(1)).c_str(), stdout);
  report::write_file(o.out_dir + "/report.json", merged.json.dump(2) + "\n");
  write_pictures(o.out_dir, merged.json, &topo, &plan);
  if (!o.junit.empty()) report::write_file(o.junit, report::junit(merged.result));
  std::printf("report: %s/report.json (%d labs side by side)\n", o.out_dir.c_str(), n);
  return scenario::exit_code(merged.result.verdict());
}

}  // namespace

int cmd_sweep(const SweepOptions& o) {
  const scenario::Shard shard = o.shard.empty() ? scenario::Shard{} : scenario::parse_shard(o.shard);
  auto topo = load_topology(o.file);
  if (!o.lab.empty()) use_lab_name(topo, o.lab);
  const auto only = scenario::parse_sweep_only(o.only);
  if (only == scenario::SweepOnly::Dx &&
      std::none_of(topo.links.begin(), topo.links.end(),
                   [](const topology::Link& l) { return l.kind == topology::LinkKind::Dx; }))
    throw InputError(o.file + ": --only dx: the topology has no Direct Connect connection, so nothing to sweep");
  if (jobs_of(o.jobs, !shard.whole()) > 1) {
    if (!shard.whole()) throw InputError("--jobs and --shard cannot be combined: give each shard its own machine");
    SweepOptions jo = o;
    jo.jobs = jobs_of(o.jobs, false);
    return cmd_sweep_jobs(jo, std::move(topo));
  }
  Session ses(std::move(topo), o.file, o.out_dir, false, 0, o.seed);
  const auto all = scenario::sweep_failures(ses.topo, ses.plan, o.hold_s);
  const auto failures = scenario::select_failures(all, only);
  progress("sweep: " + failures_text(failures.size(), all.size(), only) +
           (shard.whole() ? "" : ", shard " + shard.str() + " runs every " + std::to_string(shard.count) +
                                     "th from the " + std::to_string(shard.index) + "th"));
  auto sweep = scenario::run_sweep(*ses.runner, ses.topo, ses.plan, o.hold_s, o.trials, shard, only);
  for (const auto& row : sweep.rows) ses.result.scenarios.push_back(row.result);
  if (!shard.whole()) {
    for (const auto& f : failures) ses.result.work.emplace_back(f.kind + " " + f.name, std::max(1, o.trials));
    ses.result.shard_by_scenario = true;
    mark_shard(ses.result, shard);
  }
  ses.finish();
  return write_sweep(o, shard, ses.result, sweep, ses.topo, ses.plan);
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
  c.add_option("--shard", o->shard,
               "run only part K of N of the trials (K/N; merge the parts with `netlab report --merge`)");
  c.add_option("--jobs", o->jobs,
               "split the trials over N labs built side by side on this host (one report, as one lab writes); "
               "default: one lab per two CPUs netlab may use (here " +
                   std::to_string(scenario::default_jobs(scenario::usable_cpus())) +
                   "), at most the trials, 1 with --shard or --keep")
      ->check(CLI::Range(1, scenario::kMaxJobs));
  c.add_option("--lab", o->lab, "run under this lab name instead of the file's [lab].name");
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
  c.add_option("--shard", o->shard,
               "run only part K of N of the failures (K/N; also writes report.json for `netlab report --merge`)");
  c.add_option("--jobs", o->jobs,
               "split the failures over N labs built side by side on this host (the same output as one lab); "
               "default: one lab per two CPUs netlab may use (here " +
                   std::to_string(scenario::default_jobs(scenario::usable_cpus())) + "), at most the failures, 1 with --shard")
      ->check(CLI::Range(1, scenario::kMaxJobs));
  c.add_option("--lab", o->lab, "run under this lab name instead of the file's [lab].name");
  c.add_option("--only", o->only,
               "dx: only the failures the Direct Connect class judges (each DX connection's cut, each DX device's "
               "poweroff, each DX location's loss); the table says so")
      ->check(CLI::IsMember({"dx", "all"}));
  return [o] { return cmd_sweep(*o); };
}

Runner define_report(CLI::App& c) {
  struct Args {
    std::vector<std::string> files;
    bool markdown = false;
    std::string html, pictures, merge, junit;
  };
  auto a = std::make_shared<Args>();
  c.add_option("files", a->files, "report.json files")->required();
  c.add_flag("--markdown", a->markdown, "as a Markdown table (the README's catalogue)");
  c.add_option("--html", a->html, "write OUT.html: one run in full, several side by side");
  c.add_option("--pictures", a->pictures, "write report.html, topology.svg and SCENARIO.timeline.svg of one run into DIR");
  c.add_option("--merge", a->merge,
               "merge the report.json files of a sharded run (--shard K/N) into DIR: report.json, junit.xml, "
               "report.html, as one unsharded run");
  c.add_option("--junit", a->junit, "with --merge: write the JUnit XML here (default DIR/junit.xml)");
  return [a] {
    if (!a->merge.empty()) return cmd_report_merge(a->merge, a->files, a->junit);
    if (!a->html.empty()) return cmd_report_html(a->html, a->files);
    if (!a->pictures.empty()) return cmd_report_pictures(a->pictures, a->files.at(0));
    return cmd_report(a->files, a->markdown);
  };
}

}  // namespace netlab::cli
