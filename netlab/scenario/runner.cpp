#include "netlab/scenario/runner.h"

#include <sys/stat.h>

#include <filesystem>

#include "netlab/measure/path_counters.h"
#include "netlab/measure/probe.h"
#include "netlab/measure/probe_runner.h"
#include "netlab/scenario/paths.h"

namespace netlab::scenario {

namespace {

class LabFlowIo final : public measure::FlowIo {
 public:
  LabFlowIo(lab::Control& c, kernel::Nft& nft, std::string binary)
      : control_(c), nft_(nft), binary_(std::move(binary)) {}

  void start_probe(const measure::ProbeProcess& p) override {
    const std::string dir = std::filesystem::path(p.options.out).parent_path().string();
    ::mkdir(dir.c_str(), 0700);
    process::ProcessSpec spec;
    spec.ns = p.ns;
    spec.argv = {binary_};
    for (auto& a : measure::probe_args(p.options)) spec.argv.push_back(a);
    spec.log_path = p.output;
    control_.start_process(p.node, p.name, spec);
  }
  void stop_probe(const std::string& node, const std::string& name) override {
    control_.stop_process(node, name);
  }
  measure::ProbeLog read_log(const std::string& path) override { return measure::read_probe_log(path); }
  void install_counters(const std::string& ns, const std::vector<std::string>& ifnames, uint16_t port,
                        uint16_t ports, Ipv4 forward_from) override {
    measure::PathCounters(nft_, port, ports, forward_from).install(ns, ifnames);
  }
  std::map<std::string, measure::DirectionCounts> read_counters(const std::string& ns) override {
    return measure::PathCounters(nft_, 0).read(ns);
  }

 private:
  lab::Control& control_;
  kernel::Nft& nft_;
  std::string binary_;
};

}  // namespace

std::unique_ptr<measure::FlowIo> make_lab_flow_io(lab::Control& c, kernel::Nft& nft, std::string binary) {
  return std::make_unique<LabFlowIo>(c, nft, std::move(binary));
}

Runner::Runner(lab::Lab& lab, const topology::Topology& t, kernel::RouteMonitor& routes, RunnerOptions o)
    : own_control_(lab::make_control(lab)),
      own_flows_(make_lab_flow_io(*own_control_, lab.host().nft, o.probe_binary)),
      control_(*own_control_), flows_(*own_flows_), plan_(lab.plan()), topo_(t), routes_(routes),
      opt_(std::move(o)), own_canary_(measure::start_canary()), canary_(own_canary_.get()) {
  for (const auto& n : plan_.nodes)
    if (n.is_router()) routes_.watch(n.ns);
  if (!t.traffic.empty()) {
    own_traffic_ = measure::make_lab_traffic_io(control_, opt_.traffic_binary);
    traffic_ = own_traffic_.get();
  }
}

Runner::Runner(lab::Control& c, measure::FlowIo& f, const plan::Plan& p, const topology::Topology& t,
               kernel::RouteMonitor& routes, RunnerOptions o)
    : control_(c), flows_(f), plan_(p), topo_(t), routes_(routes), opt_(std::move(o)) {
  for (const auto& n : plan_.nodes)
    if (n.is_router()) routes_.watch(n.ns);
}

Runner::~Runner() = default;

int Runner::trial_count(const topology::Scenario& sc) const {
  return opt_.trials_override > 0 ? opt_.trials_override : static_cast<int>(sc.trials);
}

ScenarioResult Runner::run(const topology::Scenario& sc) {
  std::vector<int> all;
  for (int i = 1; i <= trial_count(sc); ++i) all.push_back(i);
  return run(sc, all);
}

ScenarioResult Runner::run(const topology::Scenario& sc, const std::vector<int>& numbers) {
  ScenarioResult r;
  r.name = sc.name;
  r.description = sc.description;
  r.fault = sc.fault.str();
  r.hold_s = sc.hold_s;
  const topology::Probe* probe = topo_.probe_for(sc);
  const int trials = trial_count(sc);
  try {
    traffic_specs_ = traffic_specs(plan_, topo_.traffic_for(sc), plan_.scale);
    if (!probe) throw InputError("scenario " + sc.name + " has no probe");
    std::vector<int> todo = numbers;
    std::optional<PathCoverage> cover;  // cover_paths: may add trials to `todo`
    if (sc.cover_paths)
      cover.emplace(control_, plan_, *probe, trials, todo,
                    std::chrono::milliseconds(static_cast<int64_t>(opt_.failback_timeout_s * 1000)));
    for (int i : todo) {
      control_.say("scenario " + sc.name + ": trial " + std::to_string(i) + "/" +
                   std::to_string(std::max<size_t>(trials, todo.size())));
      // A repeated attempt (the validity guard) starts on the wanted path too.
      r.trials.push_back(run_trial(sc, *probe, i, [&] {
        if (cover) cover->before(i);
      }));
      if (cover) cover->after(r.trials.back());
      if (cover) r.cover = cover->result();
    }
    if (cover) r.cover = cover->result();
  } catch (const lab::Interrupted&) {
    throw;
  } catch (const Error& e) {
    r.error = e.what();
  }
  evaluate(sc.expect, r);
  return r;
}

Trial Runner::run_trial(const topology::Scenario& sc, const topology::Probe& probe, int index,
                         const std::function<void()>& prepare) {
  prepare();
  Trial t = TrialRun(context(), sc, probe, index).run();
  if (t.valid) return t;
  control_.say("  trial " + std::to_string(index) + " invalid, run again: " + t.invalid_reason);
  const std::string first = t.invalid_reason;
  prepare();
  t = TrialRun(context(), sc, probe, index).run();
  t.repeated_reason = first;
  if (!t.valid) control_.say("  trial " + std::to_string(index) + " invalid again: " + t.invalid_reason);
  return t;
}

}  // namespace netlab::scenario
