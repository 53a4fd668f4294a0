// Judging targets over trials, and the statistics the report prints.
#include "netlab/scenario/results.h"

#include <gtest/gtest.h>

namespace netlab::scenario {
namespace {

Trial trial(int i, double fwd, double rev, std::vector<std::string> path = {"vpn1-t1"}, double fb = 0) {
  Trial t;
  t.index = i;
  t.forward.outage_ms = fwd;
  t.reverse.outage_ms = rev;
  t.path = std::move(path);
  t.failback_forward.outage_ms = fb;
  t.convergence_ms = std::max(fwd, rev) + 1;
  return t;
}

const Target& target(const ScenarioResult& r, const std::string& name) {
  for (const auto& t : r.targets)
    if (t.name == name) return t;
  throw std::runtime_error("no target " + name);
}

TEST(Stats, NearestRankPercentilesAreMeasuredValues) {
  auto s = stats_of({900, 100, 500, 700, 300});
  EXPECT_EQ(s.p50, 500);
  EXPECT_EQ(s.p95, 900);
  EXPECT_EQ(s.max, 900);
  std::vector<double> v;
  for (int i = 1; i <= 100; ++i) v.push_back(i);
  auto s100 = stats_of(v);
  EXPECT_EQ(s100.p50, 50);
  EXPECT_EQ(s100.p95, 95);
  EXPECT_EQ(stats_of({}).max, 0);
}

TEST(Evaluate, EveryTrialMustMeetEveryTarget) {
  topology::Expect e;
  e.max_outage_ms = 1500;
  e.path = {"vpn1-t1|vpn1-t2"};
  e.max_failback_outage_ms = 200;
  ScenarioResult r;
  r.trials = {trial(1, 900, 950), trial(2, 1200, 1600), trial(3, 800, 700, {"dx2"}, 250)};
  evaluate(e, r);
  EXPECT_TRUE(target(r, "reachable").pass());
  const auto& out = target(r, "max_outage_ms");
  EXPECT_FALSE(out.pass());
  EXPECT_EQ(out.measured, "1600");  // the worst trial
  EXPECT_NE(out.detail.find("trial 2"), std::string::npos);
  const auto& path = target(r, "path");
  EXPECT_FALSE(path.pass());
  EXPECT_NE(path.detail.find("trial 3: dx2"), std::string::npos);
  EXPECT_FALSE(target(r, "max_failback_outage_ms").pass());
  EXPECT_FALSE(r.pass());
  EXPECT_EQ(r.stats()["outage_ms"].max, 1600);
}

TEST(Evaluate, AnOutageThatNeverRecoveredFailsEvenIfShort) {
  topology::Expect e;
  e.max_outage_ms = 1500;
  ScenarioResult r;
  r.trials = {trial(1, 100, 100)};
  r.trials[0].forward.recovered = false;
  evaluate(e, r);
  EXPECT_FALSE(target(r, "max_outage_ms").pass());
  EXPECT_NE(target(r, "max_outage_ms").detail.find("not recovered"), std::string::npos);
}

TEST(Evaluate, UnreachableIsATargetToo) {
  topology::Expect e;
  e.reachable = false;
  ScenarioResult r;
  r.trials = {trial(1, 5000, 5000)};
  r.trials[0].reachable = false;
  evaluate(e, r);
  EXPECT_TRUE(r.pass());
  r.trials[0].reachable = true;
  evaluate(e, r);
  EXPECT_FALSE(r.pass());
  EXPECT_EQ(target(r, "reachable").measured, "true");
}

TEST(Evaluate, AScenarioThatCouldNotRunFails) {
  ScenarioResult r;
  r.error = "the baseline is broken";
  evaluate({}, r);
  EXPECT_FALSE(r.pass());
  ScenarioResult none;
  evaluate({}, none);
  EXPECT_FALSE(none.pass());  // no trial: nothing was shown
}

}  // namespace
}  // namespace netlab::scenario

namespace netlab::scenario {
namespace {

TEST(Evaluate, AffectedFlowsAreAShareOfTheProbesFlows) {
  topology::Expect e;
  e.max_affected_flows_pct = 50;
  ScenarioResult r;
  Trial t;
  t.index = 1;
  for (uint32_t f = 0; f < 8; ++f) {
    FlowFigures ff;
    ff.flow = f;
    if (f < 3) ff.forward.total_lost = 40;  // three flows were on the lost path
    t.flows.push_back(ff);
  }
  r.trials = {t};
  evaluate(e, r);
  EXPECT_EQ(r.trials[0].flows_affected(), 3u);
  const auto& target = r.targets.back();
  EXPECT_EQ(target.name, "max_affected_flows_pct");
  EXPECT_TRUE(target.pass());
  EXPECT_EQ(target.measured, "38");  // 3 of 8
  r.trials[0].flows[4].reverse.total_lost = 1;
  r.trials[0].flows[5].reverse.total_lost = 1;
  evaluate(e, r);
  EXPECT_FALSE(r.targets.back().pass());
  EXPECT_NE(r.targets.back().detail.find("5 of 8 flows"), std::string::npos);
}

TEST(Evaluate, ASingleFlowProbeIsAffectedOrNot) {
  Trial t;
  EXPECT_EQ(t.flows_affected(), 0u);
  EXPECT_EQ(t.flow_count(), 1u);
  t.reverse.total_lost = 1;
  EXPECT_EQ(t.flows_affected(), 1u);
}

}  // namespace
}  // namespace netlab::scenario

// Verdicts: no pass without evidence (docs/verdicts.md).
namespace netlab::scenario {
namespace {

const Target& named(const ScenarioResult& r, const std::string& name) {
  for (const auto& t : r.targets)
    if (t.name == name) return t;
  throw std::runtime_error("no target " + name);
}

Trial measured(int i, double outage, std::optional<double> convergence) {
  Trial t;
  t.index = i;
  t.forward.outage_ms = outage;
  t.reverse.outage_ms = outage;
  t.convergence_ms = convergence;
  t.path_before = t.path_after = {"dx1"};
  t.path = {"dx2"};
  return t;
}

TEST(Verdicts, TargetsOverNoTrialAreErrorsNotMeasuredZero) {
  topology::Expect e;
  e.max_outage_ms = 1500;
  e.max_convergence_ms = 1000;
  e.max_failback_outage_ms = 200;
  e.max_affected_flows_pct = 50;
  e.path = {"dx2"};
  e.failback_path = topology::FailbackPath::Baseline;
  ScenarioResult r;
  evaluate(e, r);
  ASSERT_EQ(r.targets.size(), 7u);
  for (const auto& t : r.targets) {
    EXPECT_EQ(t.verdict, Verdict::Error) << t.name;
    EXPECT_EQ(t.measured, "-") << t.name;  // never "0"
    EXPECT_EQ(t.detail, "no trial was measured") << t.name;
  }
  EXPECT_EQ(r.verdict(), Verdict::Error);
}

TEST(Verdicts, NoRouteChangeIsAFindingAndInconclusiveNotZero) {
  topology::Expect e;
  e.max_convergence_ms = 1000;
  ScenarioResult r;
  r.trials = {measured(1, 800, 900), measured(2, 800, std::nullopt)};
  evaluate(e, r);
  const auto& c = named(r, "max_convergence_ms");
  EXPECT_EQ(c.verdict, Verdict::Inconclusive);
  EXPECT_EQ(c.measured, "900");
  EXPECT_NE(c.detail.find("trial 2: no watched route changed after the fault"), std::string::npos) << c.detail;
  EXPECT_EQ(r.verdict(), Verdict::Inconclusive);
  EXPECT_FALSE(r.pass());
  // A measured miss in another trial still fails it: a miss is a finding.
  r.trials.push_back(measured(3, 800, 1200));
  evaluate(e, r);
  EXPECT_EQ(named(r, "max_convergence_ms").verdict, Verdict::Fail);
}

TEST(Verdicts, RoutesStillChangingAtTheRepairMakeConvergenceALowerBound) {
  topology::Expect e;
  e.max_convergence_ms = 1000;
  ScenarioResult r;
  r.trials = {measured(1, 800, 900)};
  r.trials[0].convergence_still_changing = true;
  evaluate(e, r);
  const auto& c = named(r, "max_convergence_ms");
  EXPECT_EQ(c.verdict, Verdict::Inconclusive);
  EXPECT_EQ(c.measured, ">=900");
  EXPECT_NE(c.detail.find("still changing at the repair"), std::string::npos) << c.detail;
  r.trials[0].convergence_ms = 1500;
  evaluate(e, r);
  EXPECT_EQ(named(r, "max_convergence_ms").verdict, Verdict::Fail);
}

TEST(Verdicts, LostRouteEventsMakeConvergenceALowerBound) {
  topology::Expect e;
  e.max_convergence_ms = 1000;
  ScenarioResult r;
  r.trials = {measured(1, 800, 900)};
  r.trials[0].route_events_lost = 3;
  evaluate(e, r);
  const auto& c = named(r, "max_convergence_ms");
  EXPECT_EQ(c.verdict, Verdict::Inconclusive);
  EXPECT_EQ(c.measured, ">=900");
  EXPECT_NE(c.detail.find("3 route events lost"), std::string::npos) << c.detail;
  // Above the limit it is a miss whatever was lost: the truth can only be later.
  r.trials[0].convergence_ms = 1500;
  evaluate(e, r);
  EXPECT_EQ(named(r, "max_convergence_ms").verdict, Verdict::Fail);
  // Nothing recorded and events lost: no "no route changed" claim either.
  r.trials[0].convergence_ms.reset();
  evaluate(e, r);
  EXPECT_EQ(named(r, "max_convergence_ms").verdict, Verdict::Inconclusive);
  EXPECT_NE(named(r, "max_convergence_ms").detail.find("no route change recorded, and 3 route events were lost"),
            std::string::npos);
}

TEST(Verdicts, APathTargetNeedsEveryElementInEachDirection) {
  topology::Expect e;
  e.path = {"dx2"};
  ScenarioResult r;
  r.trials = {measured(1, 800, 900)};
  // AWS -> customer over the sibling, customer -> AWS hashed to the other location.
  r.trials[0].path = {"dx2", "dx3"};
  r.trials[0].path_forward = std::vector<std::string>{"dx3"};
  r.trials[0].path_reverse = std::vector<std::string>{"dx2"};
  evaluate(e, r);
  const auto& p = named(r, "path");
  EXPECT_EQ(p.verdict, Verdict::Fail);
  EXPECT_NE(p.detail.find("trial 1 forward: dx3 (not dx2)"), std::string::npos) << p.detail;
  r.trials[0].path_forward = std::vector<std::string>{"dx2"};
  evaluate(e, r);
  EXPECT_EQ(named(r, "path").verdict, Verdict::Pass);

  // Every element, not any one; "a|b" is one element with alternatives.
  e.path = {"dx3", "dx4"};
  r.trials[0].path_forward = r.trials[0].path_reverse = std::vector<std::string>{"dx3"};
  evaluate(e, r);
  EXPECT_EQ(named(r, "path").verdict, Verdict::Fail);
  EXPECT_NE(named(r, "path").detail.find("(not dx4)"), std::string::npos);
  e.path = {"dx3|dx4"};
  evaluate(e, r);
  EXPECT_EQ(named(r, "path").verdict, Verdict::Pass);
  EXPECT_EQ(named(r, "path").limit, "dx3|dx4");
}

TEST(Verdicts, ADirectionNotMeasuredApartDecidesNothing) {
  topology::Expect e;
  e.path_forward = {"dx2"};
  e.path_reverse = {"dx2"};
  ScenarioResult r;
  r.trials = {measured(1, 800, 900)};
  evaluate(e, r);
  EXPECT_EQ(named(r, "path_forward").verdict, Verdict::Inconclusive);
  EXPECT_NE(named(r, "path_forward").detail.find("not measured per direction"), std::string::npos);
  r.trials[0].path_forward = std::vector<std::string>{"dx2"};
  r.trials[0].path_reverse = std::vector<std::string>{"dx3"};
  evaluate(e, r);
  EXPECT_EQ(named(r, "path_forward").verdict, Verdict::Pass);
  EXPECT_EQ(named(r, "path_reverse").verdict, Verdict::Fail);
}

TEST(Verdicts, FailbackToTheBaselinePathIsCompared) {
  topology::Expect e;
  e.failback_path = topology::FailbackPath::Baseline;
  ScenarioResult r;
  r.trials = {measured(1, 800, 900), measured(2, 800, 900)};
  r.trials[0].path_before = {"dx1", "dx3"};
  r.trials[0].path_after = {"dx3", "dx1"};  // as sets: the order is by traffic
  evaluate(e, r);
  EXPECT_EQ(named(r, "failback_path").verdict, Verdict::Pass);
  EXPECT_EQ(named(r, "failback_path").measured, "baseline");
  r.trials[1].path_after = {"dx2"};  // stayed on the sibling after the repair
  evaluate(e, r);
  EXPECT_EQ(named(r, "failback_path").verdict, Verdict::Fail);
  EXPECT_NE(named(r, "failback_path").detail.find("trial 2: after failback dx2, before the fault dx1"),
            std::string::npos);
  r.trials[1].path_before.clear();
  r.trials[1].path_after = {"dx1"};
  evaluate(e, r);
  EXPECT_EQ(named(r, "failback_path").verdict, Verdict::Inconclusive);
  // Not asked for: not judged.
  evaluate({}, r);
  EXPECT_THROW(named(r, "failback_path"), std::runtime_error);
}

TEST(Verdicts, TheWorstDecidesAndEachHasItsExitCode) {
  EXPECT_EQ(worst(Verdict::Pass, Verdict::Inconclusive), Verdict::Inconclusive);
  EXPECT_EQ(worst(Verdict::Fail, Verdict::Inconclusive), Verdict::Fail);
  EXPECT_EQ(worst(Verdict::Fail, Verdict::Error), Verdict::Error);
  EXPECT_EQ(exit_code(Verdict::Pass), 0);
  EXPECT_EQ(exit_code(Verdict::Fail), 1);
  EXPECT_EQ(exit_code(Verdict::Error), 4);
  EXPECT_EQ(exit_code(Verdict::Inconclusive), 5);
  RunResult run;
  EXPECT_EQ(run.verdict(), Verdict::Error);  // nothing ran: nothing passed
  ScenarioResult ok, doubtful;
  ok.trials = doubtful.trials = {measured(1, 800, 900)};
  doubtful.trials[0].convergence_ms.reset();
  topology::Expect e;
  e.max_convergence_ms = 1000;
  evaluate(e, ok);
  evaluate(e, doubtful);
  run.scenarios = {ok};
  EXPECT_EQ(run.verdict(), Verdict::Pass);
  run.scenarios.push_back(doubtful);
  EXPECT_EQ(run.verdict(), Verdict::Inconclusive);
  EXPECT_EQ(exit_code(run.verdict()), 5);
}

// A trial whose forward direction lost `loss` ms in `bursts` bursts and
// recovered `recovery` ms after the fault; the reverse lost nothing.
Trial lossy(int i, double loss, uint64_t bursts, double recovery) {
  Trial t = measured(i, loss / static_cast<double>(bursts), 900);
  t.reverse = Outage{};
  t.forward.loss_ms = loss;
  t.forward.bursts = bursts;
  t.forward.recovery_ms = recovery;
  t.forward.first_lost_ms = 0;
  t.forward.last_lost_ms = recovery - 1;
  return t;
}

TEST(LossTargets, PassWhenEveryTrialAndDirectionMeetsThem) {
  topology::Expect e;
  e.max_loss_ms = 400;
  e.max_recovery_ms = 500;
  e.max_loss_bursts = 3;
  ScenarioResult r;
  r.trials = {lossy(1, 300, 2, 350), lossy(2, 250, 3, 420)};
  r.trials[1].reverse.loss_ms = 310;  // the reverse direction counts too
  evaluate(e, r);
  EXPECT_EQ(named(r, "max_loss_ms").verdict, Verdict::Pass);
  EXPECT_EQ(named(r, "max_loss_ms").measured, "310");
  EXPECT_EQ(named(r, "max_recovery_ms").verdict, Verdict::Pass);
  EXPECT_EQ(named(r, "max_recovery_ms").measured, "420");
  EXPECT_EQ(named(r, "max_loss_bursts").verdict, Verdict::Pass);
  EXPECT_EQ(named(r, "max_loss_bursts").measured, "3");
  EXPECT_EQ(r.verdict(), Verdict::Pass);
}

TEST(LossTargets, AnyTrialOrDirectionMissingThemFails) {
  topology::Expect e;
  e.max_loss_ms = 250;
  e.max_recovery_ms = 300;
  e.max_loss_bursts = 1;
  ScenarioResult r;
  r.trials = {lossy(1, 200, 1, 250), lossy(2, 300, 2, 350)};
  r.trials[0].reverse.bursts = 2;  // trial 1 loses twice on the way back
  evaluate(e, r);
  const auto& loss = named(r, "max_loss_ms");
  EXPECT_EQ(loss.verdict, Verdict::Fail);
  EXPECT_EQ(loss.detail, "trial 2: 300 ms");
  const auto& rec = named(r, "max_recovery_ms");
  EXPECT_EQ(rec.verdict, Verdict::Fail);
  EXPECT_EQ(rec.measured, "350");
  const auto& bursts = named(r, "max_loss_bursts");
  EXPECT_EQ(bursts.verdict, Verdict::Fail);
  EXPECT_EQ(bursts.detail, "trial 1: 2 loss bursts (reverse); trial 2: 2 loss bursts (forward)");
}

TEST(LossTargets, AnOutageStillOpenFailsLossAndRecovery) {
  topology::Expect e;
  e.max_loss_ms = 5000;
  e.max_recovery_ms = 5000;
  ScenarioResult r;
  r.trials = {lossy(1, 300, 1, 300)};
  r.trials[0].reverse.recovered = false;
  r.trials[0].reverse.recovery_sustained = false;
  evaluate(e, r);
  EXPECT_EQ(named(r, "max_loss_ms").verdict, Verdict::Fail);
  EXPECT_EQ(named(r, "max_recovery_ms").verdict, Verdict::Fail);
  EXPECT_NE(named(r, "max_recovery_ms").detail.find("not recovered"), std::string::npos);
}

TEST(LossTargets, RecoveryWithoutItsCleanPeriodIsALowerBound) {
  topology::Expect e;
  e.max_recovery_ms = 1000;
  ScenarioResult r;
  r.trials = {lossy(1, 300, 2, 800)};
  r.trials[0].clean_ms = 2000;
  r.trials[0].forward.recovery_sustained = false;
  evaluate(e, r);
  const auto& rec = named(r, "max_recovery_ms");
  EXPECT_EQ(rec.verdict, Verdict::Inconclusive);  // never a pass
  EXPECT_EQ(rec.measured, ">=800");
  EXPECT_EQ(rec.detail, "trial 1: >= 800 ms (no clean period of 2000 ms before the repair: the figure is a lower bound)");
  // Already above the limit, the truth can only be worse: a miss.
  r.trials[0].forward.recovery_ms = 1200;
  evaluate(e, r);
  EXPECT_EQ(named(r, "max_recovery_ms").verdict, Verdict::Fail);
}

TEST(LossTargets, TheLossDerivedOutageHasItsPercentiles) {
  ScenarioResult r;
  r.trials = {lossy(1, 300, 2, 350), lossy(2, 250, 1, 250), lossy(3, 100, 1, 100)};
  r.trials[2].reverse.loss_ms = 400;  // each trial's worse direction
  const auto st = r.stats();
  EXPECT_EQ(st.at("loss_ms").p50, 300);
  EXPECT_EQ(st.at("loss_ms").max, 400);
  EXPECT_EQ(st.at("outage_ms").max, 250);
}

TEST(LossTargets, TargetsOverNoTrialAreErrors) {
  topology::Expect e;
  e.max_loss_ms = 100;
  e.max_recovery_ms = 100;
  e.max_loss_bursts = 0;
  ScenarioResult r;
  evaluate(e, r);
  for (const char* name : {"max_loss_ms", "max_recovery_ms", "max_loss_bursts"}) {
    EXPECT_EQ(named(r, name).verdict, Verdict::Error) << name;
    EXPECT_EQ(named(r, name).measured, "-") << name;
  }
}

TEST(LossTargets, NoLossMeetsAZeroLimit) {
  topology::Expect e;
  e.max_loss_bursts = 0;
  e.max_loss_ms = 0;
  ScenarioResult r;
  r.trials = {measured(1, 0, 900)};
  evaluate(e, r);
  EXPECT_EQ(named(r, "max_loss_bursts").verdict, Verdict::Pass);
  EXPECT_EQ(named(r, "max_loss_ms").verdict, Verdict::Pass);
}

TEST(Resolution, IsTheIntervalPlusTheWorstSenderLateness) {
  Trial t;
  t.probe_interval_ms = 1;
  t.probe_max_lateness_ms = 4.5;
  EXPECT_EQ(t.resolution_ms(), 5.5);
}

TEST(Resolution, AProbeTimeWithinTheResolutionOfItsLimitIsInconclusive) {
  topology::Expect e;
  e.max_outage_ms = 200;
  e.max_loss_ms = 300;
  e.max_recovery_ms = 350;
  e.max_loss_bursts = 2;
  ScenarioResult r;
  r.trials = {lossy(1, 302, 2, 347)};  // outage 151 ms
  r.trials[0].probe_max_lateness_ms = 4;  // resolution 5 ms
  evaluate(e, r);
  EXPECT_EQ(named(r, "max_outage_ms").verdict, Verdict::Pass);  // 49 ms under: decided
  const auto& loss = named(r, "max_loss_ms");  // 2 ms over: not decided
  EXPECT_EQ(loss.verdict, Verdict::Inconclusive);
  EXPECT_EQ(loss.detail, "trial 1: 302 ms is within the trial's resolution of 5 ms");
  const auto& rec = named(r, "max_recovery_ms");  // 3 ms under: not decided either
  EXPECT_EQ(rec.verdict, Verdict::Inconclusive);
  EXPECT_EQ(rec.detail, "trial 1: 347 ms is within the trial's resolution of 5 ms");
  EXPECT_EQ(named(r, "max_loss_bursts").verdict, Verdict::Pass);  // a count, not a time
  // The same figures at the probe's own resolution (1 ms) decide.
  r.trials[0].probe_max_lateness_ms = 0;
  evaluate(e, r);
  EXPECT_EQ(named(r, "max_loss_ms").verdict, Verdict::Fail);
  EXPECT_EQ(named(r, "max_recovery_ms").verdict, Verdict::Pass);
}

TEST(Resolution, ALowerBoundWithinTheResolutionSaysBoth) {
  topology::Expect e;
  e.max_recovery_ms = 350;
  ScenarioResult r;
  r.trials = {lossy(1, 300, 2, 348)};
  r.trials[0].forward.recovery_sustained = false;
  r.trials[0].probe_max_lateness_ms = 2;  // resolution 3 ms
  evaluate(e, r);
  const auto& rec = named(r, "max_recovery_ms");
  EXPECT_EQ(rec.verdict, Verdict::Inconclusive);
  EXPECT_EQ(rec.detail,
            "trial 1: >= 348 ms is within the trial's resolution of 3 ms "
            "(no clean period of 1000 ms before the repair: the figure is a lower bound)");
}

TEST(Resolution, AMeasuredMissElsewhereStillFails) {
  topology::Expect e;
  e.max_outage_ms = 100;
  ScenarioResult r;
  r.trials = {measured(1, 101, 900), measured(2, 300, 900)};
  r.trials[0].probe_max_lateness_ms = 2;  // trial 1 is within 3 ms of the limit
  evaluate(e, r);
  const auto& out = named(r, "max_outage_ms");
  EXPECT_EQ(out.verdict, Verdict::Fail);
  EXPECT_EQ(out.detail, "trial 2: 300 ms; trial 1: 101 ms is within the trial's resolution of 3 ms");
}

}  // namespace
}  // namespace netlab::scenario
