// The traffic of a trial on fakes (docs/traffic.md): started once the probe
// flows, measured before (the baseline), during (the second half of the
// hold) and after (the settle period) the fault, stopped with the probes,
// and stopped also when the trial fails.
#include <gtest/gtest.h>

#include "netlab/scenario/trial.h"
#include "support/fake_control.h"
#include "support/fake_flow_io.h"
#include "support/fake_kernel.h"
#include "support/fake_traffic_io.h"
#include "support/test_plan.h"

namespace netlab::scenario {
namespace {

using netlab::testing::FakeClock;
using netlab::testing::FakeControl;
using netlab::testing::FakeFlowIo;
using netlab::testing::FakeRouteMonitor;
using netlab::testing::FakeTrafficIo;

constexpr int64_t kMs = 1'000'000;

class TrialTrafficTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sc_.name = "dx-cut";
    sc_.fault.kind = topology::FaultKind::Cut;
    sc_.fault.target = "dx1";
    sc_.hold_s = 4;
    probe_ = *topo_.lab.probe;
    for (const auto& n : plan_.nodes)
      for (const auto& f : n.ifaces) flows_.link_of[n.ns][f.name] = f.link;
    bulk_.name = "bulk";
    bulk_.from = "server";
    bulk_.to = "app";
    bulk_.rate_mbit = 4000;
    bulk_.direction = topology::TrafficDirection::Both;
    // Full before and after; a quarter delivered during the fault.
    traffic_.windows = [&](size_t, int64_t t0, int64_t t1) {
      windows_.push_back({t0, t1});
      return FakeTrafficIo::udp(40, t0 >= fault_ && t1 <= repair_ ? 25 : 100, static_cast<double>(t1 - t0) / 1e9);
    };
    control_.on_call = [&](const std::string& line) {
      if (line == "cut cgw:dx1 cut") fault_ = clock_.now_ns() - kMs;
      if (line == "uncut cgw:dx1 cut") repair_ = clock_.now_ns();
    };
  }

  TrialContext ctx() { return {control_, flows_, routes_, plan_, opt_, nullptr, &traffic_, &specs_}; }

  topology::Topology topo_ = netlab::testing::test_topology("scenario/hybrid.toml");
  plan::Plan plan_ = netlab::testing::test_plan(topo_);
  topology::Scenario sc_;
  topology::Probe probe_;
  topology::Traffic bulk_;
  std::vector<measure::TrafficSpec> specs_;
  RunnerOptions opt_;
  FakeClock clock_;
  FakeControl control_{clock_};
  FakeFlowIo flows_{clock_};
  FakeRouteMonitor routes_;
  FakeTrafficIo traffic_;
  int64_t fault_ = 0, repair_ = 0;
  std::vector<std::pair<int64_t, int64_t>> windows_;
};

TEST_F(TrialTrafficTest, SpecsAreOnePerDirectionWithTheRatesScaled) {
  specs_ = traffic_specs(plan_, {&bulk_}, 100);
  ASSERT_EQ(specs_.size(), 2u);
  EXPECT_EQ(specs_[0].name, "bulk forward");
  EXPECT_EQ(specs_[0].from_node, "server");
  EXPECT_EQ(specs_[0].to_node, "app");
  EXPECT_EQ(specs_[0].to_addr, plan_.node("app")->ifaces.front().address.addr);
  EXPECT_EQ(specs_[0].rate_mbit, 40);
  EXPECT_EQ(specs_[0].pps, 0);  // not limited by a packet rate
  EXPECT_EQ(specs_[1].name, "bulk reverse");
  EXPECT_EQ(specs_[1].from_node, "app");
  EXPECT_NE(specs_[0].port, specs_[1].port);  // every stream on its own ports
  EXPECT_NE(specs_[0].port, plan_.probe_port);
}

TEST_F(TrialTrafficTest, WindowsAreTheBaselineTheSecondHalfOfTheHoldAndTheSettlePeriod) {
  bulk_.direction = topology::TrafficDirection::Forward;
  specs_ = traffic_specs(plan_, {&bulk_}, 100);
  TrialRun run(ctx(), sc_, probe_, 1);
  Trial t = run.run();
  const auto& times = run.times();
  ASSERT_EQ(t.traffic.size(), 1u);
  ASSERT_EQ(windows_.size(), 3u);
  EXPECT_EQ(windows_[0], std::make_pair(times.pre, times.fault));
  EXPECT_EQ(windows_[1], std::make_pair(times.fault + (times.repair - times.fault) / 2, times.repair));
  EXPECT_EQ(windows_[2].second, times.end);
  EXPECT_NEAR(static_cast<double>(windows_[2].second - windows_[2].first) / kMs, opt_.settle_s * 1000, 1);
  const TrafficTrial& x = t.traffic[0];
  EXPECT_EQ(x.name, "bulk");
  EXPECT_EQ(x.protocol, "udp");
  EXPECT_EQ(x.rate_mbit, 40);
  EXPECT_EQ(x.before.delivered_pct, 100);
  EXPECT_EQ(x.during.delivered_pct, 25);
  EXPECT_EQ(x.after.delivered_pct, 100);
  EXPECT_EQ(x.delivered_pct(), 25);
  // Started after the probe flowed, stopped after it.
  EXPECT_EQ(traffic_.calls.front(), "traffic-start 1 " + plan_.runtime_dir + "/traffic/dx-cut-1");
  EXPECT_FALSE(traffic_.running);
}

TEST_F(TrialTrafficTest, ATrialThatFailsStopsItsTraffic) {
  specs_ = traffic_specs(plan_, {&bulk_}, 1);
  opt_.failback_timeout_s = 2;  // failback never completes
  control_.convergence.assign(100, {"route 10.100.0.0/16 (from vgw) not installed at cgw"});
  EXPECT_THROW(TrialRun(ctx(), sc_, probe_, 1).run(), Error);
  EXPECT_FALSE(traffic_.running);
  EXPECT_EQ(traffic_.calls.back(), "traffic-stop");
}

TEST_F(TrialTrafficTest, NoTrafficNoCalls) {
  Trial t = TrialRun(ctx(), sc_, probe_, 1).run();
  EXPECT_TRUE(t.traffic.empty());
  EXPECT_TRUE(traffic_.calls.empty());
}

}  // namespace
}  // namespace netlab::scenario
