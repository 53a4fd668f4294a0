// A trial's phases on fakes: the recording Control, probes simulated by
// FakeFlowIo and route events from FakeRouteMonitor, all on one FakeClock,
// over the plan of the default topology. A cut of dx1 blackholes the probe
// for 300 ms, after which it crosses vpn1-t1 until the repair.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>

#include "netlab/lab/lab.h"
#include "netlab/scenario/runner.h"
#include "netlab/scenario/trial.h"
#include "support/fake_control.h"
#include "support/fake_flow_io.h"
#include "support/fake_kernel.h"
#include "support/test_plan.h"

namespace netlab::scenario {
namespace {

using netlab::testing::FakeClock;
using netlab::testing::FakeControl;
using netlab::testing::FakeFlowIo;
using netlab::testing::FakeRouteMonitor;
using topology::FaultKind;

constexpr int64_t kMs = 1'000'000;

class TrialTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sc_.name = "dx-cut";
    sc_.fault.kind = FaultKind::Cut;
    sc_.fault.target = "dx1";
    sc_.hold_s = 2;
    probe_ = *topo_.lab.probe;
    for (const auto& n : plan_.nodes)
      for (const auto& f : n.ifaces) flows_.link_of[n.ns][f.name] = f.link;
    // The network: the cut blackholes everything for 300 ms, then the VPN
    // carries the probe until the repair.
    control_.on_call = [&](const std::string& line) {
      if (line == "cut cgw:dx1 cut") cut_at_ = clock_.now_ns(), repaired_at_.reset();
      if (line == "uncut cgw:dx1 cut") repaired_at_ = clock_.now_ns();
    };
    flows_.lost = [&](int64_t t, const std::string&, const std::string&) { return broken(t); };
    flows_.links_at = [&](int64_t t) {
      bool vpn = cut_at_ && t >= *cut_at_ + detect_ms_ * kMs && !(repaired_at_ && t >= *repaired_at_);
      if (vpn) return std::set<std::string>{"server-cgw", "vpn1-t1", "vpn-az1-vgw", "vgw-app"};
      return std::set<std::string>{"server-cgw", "dx1", "dx-ny5-vgw", "vgw-app"};
    };
    routes_.watch(plan_.node("cgw")->ns);
  }

  bool broken(int64_t t) const { return cut_at_ && t >= *cut_at_ && t < *cut_at_ + detect_ms_ * kMs; }

  kernel::RouteEvent watched_change(int64_t t) const {
    kernel::RouteEvent e;
    e.t_ns = t;
    e.kind = kernel::RouteEvent::Kind::Add;
    e.route.ns = plan_.node("cgw")->ns;
    e.route.dst = *Ipv4Prefix::parse("10.100.0.0/16");
    return e;
  }

  TrialContext ctx() { return {control_, flows_, routes_, plan_, opt_}; }

  topology::Topology topo_ = netlab::testing::test_topology("scenario/hybrid.toml");
  plan::Plan plan_ = netlab::testing::test_plan(topo_);
  topology::Scenario sc_;
  topology::Probe probe_;
  RunnerOptions opt_;
  FakeClock clock_;
  FakeControl control_{clock_};
  FakeFlowIo flows_{clock_};
  FakeRouteMonitor routes_;
  std::optional<int64_t> cut_at_, repaired_at_;
  int64_t detect_ms_ = 300;  // the blackhole before the VPN carries the probe
};

std::vector<std::string> kinds_of(const Trial& t) {
  std::vector<std::string> out;
  for (const auto& e : t.events) out.push_back(e.kind + (e.node.empty() ? "" : " " + e.node));
  return out;
}

TEST_F(TrialTest, PhasesActOnTheLabInOrder) {
  Trial t = TrialRun(ctx(), sc_, probe_, 1).run();
  auto ops = control_.ops();
  ASSERT_GE(ops.size(), 5u);
  EXPECT_EQ(ops[0], "wait-converged 90000ms");
  EXPECT_EQ(std::vector<std::string>(ops.begin() + 1, ops.begin() + 5),
            (std::vector<std::string>{"cut cgw:dx1 cut", "cut dx-ny5:dx1 cut", "uncut cgw:dx1 cut",
                                      "uncut dx-ny5:dx1 cut"}));
  // Counters everywhere, then both probes; stopped once failback settled.
  EXPECT_EQ(std::count_if(flows_.calls.begin(), flows_.calls.end(),
                          [](const std::string& c) { return c.starts_with("counters "); }),
            8);
  EXPECT_EQ(flows_.calls[8], "start-probe server probe-0");
  EXPECT_EQ(flows_.calls[9], "start-probe app probe-0");
  EXPECT_EQ(flows_.calls.back(), "stop-probe app probe-0");
  EXPECT_EQ(flows_.running(), 0u);
  EXPECT_EQ(flows_.started[0].options.out, plan_.runtime_dir + "/probe/dx-cut-1-server-0.log");
  EXPECT_TRUE(control_.pristine());
  EXPECT_EQ(t.index, 1);
}

TEST_F(TrialTest, MeasuresTheOutageAndThePathsOfEachPhase) {
  TrialRun run(ctx(), sc_, probe_, 1);
  Trial t = run.run();
  EXPECT_NEAR(t.forward.outage_ms, 300, 1);
  EXPECT_NEAR(t.reverse.outage_ms, 300, 1);
  EXPECT_TRUE(t.forward.recovered);
  EXPECT_TRUE(t.reachable);
  EXPECT_EQ(t.path_before, (std::vector<std::string>{"dx-ny5-vgw", "dx1"}));
  EXPECT_EQ(t.path, (std::vector<std::string>{"vpn-az1-vgw", "vpn1-t1"}));
  EXPECT_EQ(t.path_after, (std::vector<std::string>{"dx-ny5-vgw", "dx1"}));
  EXPECT_EQ(t.failback_outage_ms(), 0);
  // The hold lasts hold_s from the fault's first operation to the repair's.
  EXPECT_NEAR(t.hold_ms, 2000, 1);
  const auto& times = run.times();
  // Instants taken right before the first operation (which costs 1 ms here).
  EXPECT_EQ(times.fault + kMs, *cut_at_);
  EXPECT_EQ(times.repair + kMs, *repaired_at_);
  // The path window starts at the first counter reading after detection
  // (here the outage's end: no route event), read every 100 ms.
  EXPECT_GE(times.mid, times.fault + 301 * kMs);
  EXPECT_LE(times.mid, times.fault + 401 * kMs);
  EXPECT_EQ(times.pre_end - times.pre, 1000 * kMs);
}

TEST_F(TrialTest, TheTimelineHasTheFaultItsActionsTheRepairAndTheOutage) {
  Trial t = TrialRun(ctx(), sc_, probe_, 1).run();
  EXPECT_EQ(kinds_of(t), (std::vector<std::string>{"fault", "cut cgw", "cut dx-ny5", "outage-start",
                                                   "outage-start", "outage-end", "outage-end", "uncut cgw",
                                                   "repair", "uncut dx-ny5"}));
  EXPECT_EQ(t.events[0].t_ms, 0);
  EXPECT_EQ(t.events[0].detail, "cut dx1");
  EXPECT_EQ(t.events[2].t_ms, 1);  // the second end, one fake operation later
  EXPECT_EQ(t.events[3].detail, "server->app");
  EXPECT_NEAR(t.events[3].t_ms, 1, 1);  // the network broke with the cut
  EXPECT_NEAR(t.events[5].t_ms, 301, 1);
}

TEST_F(TrialTest, RouteEventsOfAnnouncedPrefixesGiveTheConvergence) {
  TrialRun run(ctx(), sc_, probe_, 1);
  run.start_flows();
  run.baseline();
  run.inject();
  kernel::RouteEvent e;
  e.t_ns = run.times().fault + 420 * kMs;
  e.kind = kernel::RouteEvent::Kind::Add;
  e.route.ns = plan_.node("cgw")->ns;
  e.route.dst = *Ipv4Prefix::parse("10.100.0.0/16");
  routes_.push(e);
  e.route.dst = *Ipv4Prefix::parse("10.255.0.16/30");  // the underlay: not watched
  routes_.push(e);
  run.hold();
  run.repair();
  run.failback();
  run.analyse();
  ASSERT_TRUE(run.trial().convergence_ms);
  EXPECT_EQ(*run.trial().convergence_ms, 420);
  EXPECT_EQ(run.trial().failback_convergence_ms, std::nullopt);
  auto adds = std::count_if(run.trial().events.begin(), run.trial().events.end(),
                            [](const Event& x) { return x.kind == "route-add"; });
  EXPECT_EQ(adds, 1);
}

TEST_F(TrialTest, ThePathWhileTheFaultHoldsIsMeasuredFromDetection) {
  // Detected 1200 ms into a 2 s hold: the hold's second half would still
  // see dx1 carry 200 ms of probes (20%), as if the probe used both.
  detect_ms_ = 1200;
  TrialRun run(ctx(), sc_, probe_, 1);
  Trial t = run.run();
  EXPECT_EQ(t.path, (std::vector<std::string>{"vpn-az1-vgw", "vpn1-t1"}));
  EXPECT_GE(run.times().mid, run.times().fault + 1201 * kMs);
}

TEST_F(TrialTest, PathsPerDirectionSayWhichLinksCarriedEachWay) {
  // While the fault holds, the way back takes the second tunnel.
  flows_.links_back_at = [&](int64_t t) {
    auto l = flows_.links_at(t);
    if (l.erase("vpn1-t1")) l.insert("vpn1-t2");
    return l;
  };
  Trial t = TrialRun(ctx(), sc_, probe_, 1).run();
  ASSERT_TRUE(t.path_forward && t.path_reverse);
  EXPECT_EQ(*t.path_forward, (std::vector<std::string>{"vpn-az1-vgw", "vpn1-t1"}));
  EXPECT_EQ(*t.path_reverse, (std::vector<std::string>{"vpn-az1-vgw", "vpn1-t2"}));
}

TEST_F(TrialTest, TheFirstWatchedRouteChangeIsTheDetection) {
  detect_ms_ = 1200;
  TrialRun run(ctx(), sc_, probe_, 1);
  run.start_flows();
  run.baseline();
  run.inject();
  routes_.push(watched_change(run.times().fault + 1250 * kMs));
  run.hold();
  run.repair();
  run.failback();
  run.analyse();
  EXPECT_GE(run.times().mid, run.times().fault + 1250 * kMs);
  EXPECT_LT(run.times().mid, run.times().fault + 1351 * kMs);
}

TEST_F(TrialTest, RouteEventsLostDuringTheTrialAreCounted) {
  TrialRun run(ctx(), sc_, probe_, 1);
  run.start_flows();
  routes_.push_error({plan_.node("cgw")->ns, clock_.now_ns(), ENOBUFS});  // before the trial: not its
  run.baseline();
  run.inject();
  routes_.push_error({plan_.node("cgw")->ns, run.times().fault + 10 * kMs, ENOBUFS});
  routes_.push_error({plan_.node("dx-ny5")->ns, run.times().fault + 20 * kMs, ENOBUFS});
  run.hold();
  run.repair();
  run.failback();
  run.analyse();
  EXPECT_EQ(run.trial().route_events_lost, 2u);
}

TEST_F(TrialTest, ARouteStillChangingAtTheRepairIsSaid) {
  TrialRun run(ctx(), sc_, probe_, 1);
  run.start_flows();
  run.baseline();
  run.inject();
  routes_.push(watched_change(run.times().fault + 400 * kMs));
  run.hold();
  run.repair();
  run.failback();
  run.analyse();
  EXPECT_FALSE(run.trial().convergence_still_changing);

  TrialRun late(ctx(), sc_, probe_, 2);
  late.start_flows();
  late.baseline();
  late.inject();
  routes_.push(watched_change(late.times().fault + 1800 * kMs));  // 200 ms before the repair
  late.hold();
  late.repair();
  late.failback();
  late.analyse();
  EXPECT_TRUE(late.trial().convergence_still_changing);
  EXPECT_EQ(*late.trial().convergence_ms, 1800);
}

TEST_F(TrialTest, FailbackWaitsForConvergenceAndACleanSteadyProbe) {
  control_.convergence = {{"BGP cgw -> dx-ny5 over dx1: Active"}, {"BGP cgw -> dx-ny5 over dx1: Active"}};
  TrialRun run(ctx(), sc_, probe_, 1);
  Trial t = run.run();
  EXPECT_NE(std::find(control_.said.begin(), control_.said.end(),
                      "  failback: waiting for BGP cgw -> dx-ny5 over dx1: Active"),
            control_.said.end());
  // Two polls not converged, then one converged, clean and on the path of
  // the poll before: three polls of 250 ms, then the settle time.
  auto polls = std::count(control_.calls().begin(), control_.calls().end(), "not-converged");
  EXPECT_EQ(polls, 3);
  EXPECT_GE(run.times().end - run.times().repair, 3 * 250 * kMs + 1000 * kMs);
  EXPECT_EQ(t.path_after, (std::vector<std::string>{"dx-ny5-vgw", "dx1"}));
}

TEST_F(TrialTest, FailbackThatNeverConvergesIsAnErrorWithTheLabRepaired) {
  opt_.failback_timeout_s = 2;
  control_.convergence.assign(100, {"route 10.100.0.0/16 (from vgw) not installed at cgw"});
  EXPECT_THROW(TrialRun(ctx(), sc_, probe_, 1).run(), Error);
  EXPECT_TRUE(control_.pristine());
  EXPECT_EQ(flows_.running(), 0u);
}

TEST_F(TrialTest, AFaultFailingToInjectLeavesTheLabRepairedAndStopsTheProbes) {
  control_.fail("cut", 2);
  EXPECT_THROW(TrialRun(ctx(), sc_, probe_, 1).run(), KernelError);
  EXPECT_TRUE(control_.pristine());
  EXPECT_EQ(flows_.running(), 0u);
  auto ops = control_.ops();
  EXPECT_EQ(std::vector<std::string>(ops.end() - 3, ops.end()),
            (std::vector<std::string>{"cut dx-ny5:dx1 cut -> failed", "uncut cgw:dx1 cut", "uncut dx-ny5:dx1 cut"}));
}

TEST_F(TrialTest, AStopDuringTheHoldRepairsBeforeItEndsTheTrial) {
  control_.on_call = [&](const std::string& line) {
    if (line == "cut dx-ny5:dx1 cut") control_.stop_requested = true;
  };
  EXPECT_THROW(TrialRun(ctx(), sc_, probe_, 1).run(), lab::Interrupted);
  EXPECT_TRUE(control_.pristine());
  EXPECT_EQ(flows_.running(), 0u);
}

TEST_F(TrialTest, ABaselineThatNeverFlowsIsAnErrorBeforeAnythingIsBroken) {
  flows_.lost = [](int64_t, const std::string&, const std::string&) { return true; };
  EXPECT_THROW(TrialRun(ctx(), sc_, probe_, 1).run(), Error);
  EXPECT_EQ(control_.ops(), (std::vector<std::string>{"wait-converged 90000ms"}));
  EXPECT_EQ(flows_.running(), 0u);
}

TEST_F(TrialTest, TheRunnerRecordsAFailedTrialAsTheScenariosError) {
  control_.fail("cut", 1);
  Runner runner(control_, flows_, plan_, topo_, routes_, opt_);
  sc_.trials = 2;
  ScenarioResult r = runner.run(sc_);
  EXPECT_NE(r.error.find("cut cgw:dx1 cut"), std::string::npos) << r.error;
  EXPECT_TRUE(r.trials.empty());
  EXPECT_TRUE(control_.pristine());
  EXPECT_EQ(control_.said.front(), "scenario dx-cut: trial 1/2");
}

TEST_F(TrialTest, TheRunnerRunsEveryTrial) {
  Runner runner(control_, flows_, plan_, topo_, routes_, opt_);
  sc_.trials = 2;
  ScenarioResult r = runner.run(sc_);
  EXPECT_EQ(r.error, "");
  ASSERT_EQ(r.trials.size(), 2u);
  EXPECT_EQ(r.trials[1].index, 2);
  EXPECT_NEAR(r.trials[1].forward.outage_ms, 300, 1);
  EXPECT_EQ(flows_.started.back().options.out, plan_.runtime_dir + "/probe/dx-cut-2-app-0.log");
}

}  // namespace
}  // namespace netlab::scenario
