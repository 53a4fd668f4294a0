// A real lab for privileged scenario tests: loaded from a topology under
// tests/data/scenario/, built through the real kernel, process and FRR
// seams, torn down (and checked gone) when the fixture ends.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "netlab/kernel/capabilities.h"
#include "netlab/kernel/clock.h"
#include "netlab/kernel/route_monitor.h"
#include "netlab/lab/lab.h"
#include "netlab/lab/system_host.h"
#include "netlab/plan/planner.h"
#include "netlab/scenario/runner.h"
#include "netlab/topology/loader.h"

namespace netlab::testing {

class RealLab {
 public:
  // Empty skip_reason(): the lab is up.
  explicit RealLab(const std::string& topology_file) {
    if (::geteuid() != 0) {
      skip_ = "needs root";
      return;
    }
    // The helper programs netlab runs beside itself live in the build
    // directory, not beside this test binary.
    ::setenv("NETLAB_TUNNEL_WATCH", NETLAB_BUILD_DIR "/netlab-tunnel-watch", 0);
    ::setenv("NETLAB_DELAY", NETLAB_BUILD_DIR "/netlab-delay", 0);
    auto r = topology::load_and_validate(topology_file);
    if (!r.ok()) throw Error("invalid test topology: " + r.render());
    topo_ = std::move(*r.topology);
    caps_ = kernel::make_capability_probe()->probe();
    if (caps_.frr_version.empty()) {
      skip_ = "FRR is not installed";
      return;
    }
    plan::PlanOptions po;
    po.templates_dir = std::string(NETLAB_SOURCE_DIR) + "/frr-templates";
    auto keys = plan::make_key_source();
    plan_ = plan::make_plan(topo_, po, *keys);
    sys_ = std::make_unique<lab::SystemHost>();
    host_ = &sys_->host();
    host_->progress = nullptr;
    lab_ = lab::Lab::up(plan_, *host_);
    monitor_ = kernel::make_route_monitor();
    scenario::RunnerOptions ro;
    ro.probe_binary = NETLAB_PROBE_BINARY;
    runner_ = std::make_unique<scenario::Runner>(*lab_, topo_, *monitor_, ro);
  }

  ~RealLab() {
    runner_.reset();
    if (monitor_) monitor_->stop();
    if (lab_) lab_->down();
  }

  const std::string& skip_reason() const { return skip_; }
  const topology::Topology& topo() const { return topo_; }
  const plan::Plan& plan() const { return plan_; }
  lab::Lab& lab() { return *lab_; }
  scenario::Runner& runner() { return *runner_; }
  const kernel::Capabilities& caps() const { return caps_; }

 private:
  std::string skip_;
  topology::Topology topo_;
  kernel::Capabilities caps_;
  plan::Plan plan_;
  std::unique_ptr<lab::SystemHost> sys_;
  lab::Host* host_ = nullptr;
  std::unique_ptr<lab::Lab> lab_;
  std::unique_ptr<kernel::RouteMonitor> monitor_;
  std::unique_ptr<scenario::Runner> runner_;
};

// Helpers on a trial's timeline.
// A topology under tests/data/scenario/.
inline std::string scenario_data(const std::string& file) {
  return std::string(NETLAB_TEST_DATA) + "/scenario/" + file;
}

// A test suite sharing one lab, built before its first test and torn down
// after its last: `class X : public SharedLab<X> { static constexpr const
// char* kTopology = "file.toml"; };`. Tests are skipped when it cannot be up.
template <class Suite>
class SharedLab : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { lab_ = new RealLab(scenario_data(Suite::kTopology)); }
  static void TearDownTestSuite() {
    delete lab_;
    lab_ = nullptr;
  }
  void SetUp() override {
    if (!lab_->skip_reason().empty()) GTEST_SKIP() << lab_->skip_reason();
  }
  static inline RealLab* lab_ = nullptr;
};

inline std::vector<scenario::Event> events_of(const scenario::Trial& t, const std::string& kind,
                                              const std::string& node = "") {
  std::vector<scenario::Event> out;
  for (const auto& e : t.events)
    if (e.kind == kind && (node.empty() || e.node == node)) out.push_back(e);
  return out;
}

inline std::string timeline(const scenario::Trial& t) {
  std::string s;
  for (const auto& e : t.events)
    s += "  " + std::to_string(e.t_ms) + " " + e.node + " " + e.kind + " " + e.detail + "\n";
  return s;
}

}  // namespace netlab::testing
