// The validity guard: the starvation limit of a lab, the judging of a
// trial's canary and probe figures against it, evaluate() leaving every
// target an invalid trial would decide inconclusive, and the runner running
// an invalid trial once more (on fakes, as runner_shard_test.cpp: a cut of
// dx1 blackholes the probe for 300 ms).
#include "netlab/scenario/guard.h"

#include <gtest/gtest.h>

#include "netlab/scenario/runner.h"
#include "support/fake_canary.h"
#include "support/fake_control.h"
#include "support/fake_dx_cut_lab.h"
#include "support/fake_flow_io.h"
#include "support/fake_kernel.h"
#include "support/test_plan.h"

namespace netlab::scenario {
namespace {

using netlab::testing::FakeCanary;
using netlab::testing::FakeClock;
using netlab::testing::FakeControl;
using netlab::testing::FakeDxCutLab;
using netlab::testing::FakeFlowIo;
using netlab::testing::FakeRouteMonitor;

plan::Session session(std::optional<topology::BfdTimers> bfd, uint32_t hold_s) {
  plan::Session s;
  s.bfd = bfd;
  s.timers.hold_s = hold_s;
  return s;
}

TEST(StarvationLimit, HalfTheSmallestDetectionTime) {
  plan::Plan p;
  p.sessions = {session(std::nullopt, 30), session(topology::BfdTimers{300, 3}, 90),
                session(topology::BfdTimers{1000, 3}, 90)};
  auto l = starvation_limit(p);
  EXPECT_EQ(l.limit_ms, 450);
  EXPECT_EQ(l.basis, "half of BFD 300x3");
  // Without BFD the BGP hold time detects; FRR's 180 s when none is set.
  p.sessions = {session(std::nullopt, 30), session(std::nullopt, 0)};
  l = starvation_limit(p);
  EXPECT_EQ(l.limit_ms, 15000);
  EXPECT_EQ(l.basis, "half of BGP hold 30 s");
  p.sessions = {session(std::nullopt, 0)};
  EXPECT_EQ(starvation_limit(p).limit_ms, 90000);
  p.sessions.clear();
  EXPECT_EQ(starvation_limit(p).limit_ms, 450);
}

TEST(JudgeStarvation, ACanaryLateBeyondTheLimitMakesTheTrialInvalid) {
  const StarvationLimit l{450, "half of BFD 300x3"};
  Trial t;
  t.canary_max_lateness_ms = 612.4;
  judge_starvation(t, l);
  EXPECT_FALSE(t.valid);
  EXPECT_EQ(t.invalid_reason, "host starved: a SCHED_OTHER task was 612 ms late (limit 450 ms, half of BFD 300x3)");
  EXPECT_EQ(t.starvation_limit_ms, 450);
  t.canary_max_lateness_ms = 450;  // at the limit: still valid
  judge_starvation(t, l);
  EXPECT_TRUE(t.valid);
  EXPECT_EQ(t.invalid_reason, "");
  // The probe sender is judged by the same bound, also without a canary.
  t.canary_max_lateness_ms.reset();
  t.probe_max_lateness_ms = 700;
  judge_starvation(t, l);
  EXPECT_FALSE(t.valid);
  EXPECT_EQ(t.invalid_reason, "host starved: the probe sender was 700 ms late (limit 450 ms, half of BFD 300x3)");
}

Trial trial(int i, double outage, bool valid = true) {
  Trial t;
  t.index = i;
  t.forward.outage_ms = t.reverse.outage_ms = outage;
  t.convergence_ms = outage;
  t.path = {"vpn1-t1"};
  t.valid = valid;
  if (!valid) t.invalid_reason = "host starved: a SCHED_OTHER task was 612 ms late (limit 450 ms, half of BFD 300x3)";
  return t;
}

TEST(EvaluateInvalid, AnInvalidTrialLeavesItsTargetsInconclusiveWithTheReason) {
  topology::Expect e;
  e.max_outage_ms = 1500;
  e.path = {"vpn1-t1"};
  ScenarioResult r;
  // Trial 2 missed the limit, but on a starved host: it judges nothing.
  r.trials = {trial(1, 900), trial(2, 2600, false), trial(3, 800)};
  evaluate(e, r);
  for (const auto& t : r.targets) {
    EXPECT_EQ(t.verdict, Verdict::Inconclusive) << t.name;
    EXPECT_NE(t.detail.find("trial 2 invalid: host starved: a SCHED_OTHER task was 612 ms late"), std::string::npos)
        << t.name << ": " << t.detail;
  }
  EXPECT_EQ(r.targets[1].measured, "900");  // the valid trials' worst
  EXPECT_EQ(r.verdict(), Verdict::Inconclusive);
  EXPECT_EQ(exit_code(r.verdict()), 5);
  EXPECT_EQ(r.stats()["outage_ms"].max, 900);  // nor does it count in the statistics
}

TEST(EvaluateInvalid, AMissInAValidTrialStillFails) {
  topology::Expect e;
  e.max_outage_ms = 1500;
  ScenarioResult r;
  r.trials = {trial(1, 1900), trial(2, 900, false)};
  evaluate(e, r);
  EXPECT_EQ(r.targets[1].verdict, Verdict::Fail);
  EXPECT_NE(r.targets[1].detail.find("trial 1: 1900 ms"), std::string::npos);
  EXPECT_NE(r.targets[1].detail.find("trial 2 invalid"), std::string::npos);
  EXPECT_EQ(r.verdict(), Verdict::Fail);
}

TEST(EvaluateInvalid, NoValidTrialDecidesNothing) {
  topology::Expect e;
  e.max_outage_ms = 1500;
  ScenarioResult r;
  r.trials = {trial(1, 900, false)};
  evaluate(e, r);
  ASSERT_EQ(r.targets.size(), 2u);
  for (const auto& t : r.targets) {
    EXPECT_EQ(t.verdict, Verdict::Inconclusive) << t.name;
    EXPECT_EQ(t.measured, "-");
    EXPECT_EQ(t.detail.rfind("trial 1 invalid: host starved", 0), 0u) << t.detail;
  }
  EXPECT_EQ(r.verdict(), Verdict::Inconclusive);
}

class RunnerGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sc_.name = "dx-cut";
    sc_.fault.kind = topology::FaultKind::Cut;
    sc_.fault.target = "dx1";
    sc_.hold_s = 2;
    sc_.trials = 2;
  }

  int said(const std::string& prefix) const {
    int n = 0;
    for (const auto& l : control_.said) n += l.rfind(prefix, 0) == 0;
    return n;
  }

  topology::Topology topo_ = netlab::testing::test_topology("scenario/hybrid.toml");
  plan::Plan plan_ = netlab::testing::test_plan(topo_);
  topology::Scenario sc_;
  RunnerOptions opt_;
  FakeDxCutLab lab_{plan_};
  FakeClock& clock_ = lab_.clock;
  FakeControl& control_ = lab_.control;
  FakeFlowIo& flows_ = lab_.flows;
  FakeRouteMonitor& routes_ = lab_.routes;
  FakeCanary canary_;
};

TEST_F(RunnerGuardTest, AValidTrialRunsOnceAndCarriesTheCanaryFigure) {
  canary_.lateness_ms = {3.5};
  Runner runner(control_, flows_, plan_, topo_, routes_, opt_);
  runner.set_canary(&canary_);
  ScenarioResult r = runner.run(sc_, {1});
  ASSERT_EQ(r.trials.size(), 1u);
  EXPECT_EQ(canary_.windows, 1);
  EXPECT_TRUE(r.trials[0].valid);
  EXPECT_EQ(r.trials[0].canary_max_lateness_ms, 3.5);
  EXPECT_EQ(r.trials[0].starvation_limit_ms, 450);  // the DX's BFD 300x3
  EXPECT_EQ(r.verdict(), Verdict::Pass);
}

TEST_F(RunnerGuardTest, AnInvalidTrialIsRunOnceMoreUnderItsNumber) {
  canary_.lateness_ms = {612, 4};
  Runner runner(control_, flows_, plan_, topo_, routes_, opt_);
  runner.set_canary(&canary_);
  ScenarioResult r = runner.run(sc_, {2});
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(canary_.windows, 2);
  ASSERT_EQ(r.trials.size(), 1u);
  const Trial& t = r.trials[0];
  EXPECT_EQ(t.index, 2);
  EXPECT_TRUE(t.valid);
  EXPECT_EQ(t.repeated_reason, "host starved: a SCHED_OTHER task was 612 ms late (limit 450 ms, half of BFD 300x3)");
  EXPECT_EQ(said("scenario dx-cut: trial 2/2"), 1);
  EXPECT_EQ(said("  trial 2 invalid, run again: host starved"), 1);
  EXPECT_EQ(r.verdict(), Verdict::Pass);
  EXPECT_TRUE(control_.pristine());
}

TEST_F(RunnerGuardTest, AnInvalidTrialStaysInvalidAfterOneRepeat) {
  canary_.lateness_ms = {612, 700, 3};
  Runner runner(control_, flows_, plan_, topo_, routes_, opt_);
  runner.set_canary(&canary_);
  ScenarioResult r = runner.run(sc_, {1});
  EXPECT_EQ(canary_.windows, 2);  // repeated once, not until valid
  ASSERT_EQ(r.trials.size(), 1u);
  EXPECT_FALSE(r.trials[0].valid);
  EXPECT_EQ(r.trials[0].invalid_reason,
            "host starved: a SCHED_OTHER task was 700 ms late (limit 450 ms, half of BFD 300x3)");
  EXPECT_NE(r.trials[0].repeated_reason.find("612 ms late"), std::string::npos);
  EXPECT_EQ(said("  trial 1 invalid again"), 1);
  EXPECT_EQ(r.verdict(), Verdict::Inconclusive);
  for (const auto& t : r.targets) EXPECT_EQ(t.verdict, Verdict::Inconclusive) << t.name;
}

}  // namespace
}  // namespace netlab::scenario
