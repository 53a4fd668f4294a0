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
  e.path = {"vpn1-t1", "vpn1-t2"};
  e.max_failback_outage_ms = 200;
  ScenarioResult r;
  r.trials = {trial(1, 900, 950), trial(2, 1200, 1600), trial(3, 800, 700, {"dx2"}, 250)};
  evaluate(e, r);
  EXPECT_TRUE(target(r, "reachable").pass);
  const auto& out = target(r, "max_outage_ms");
  EXPECT_FALSE(out.pass);
  EXPECT_EQ(out.measured, "1600");  // the worst trial
  EXPECT_NE(out.detail.find("trial 2"), std::string::npos);
  const auto& path = target(r, "path");
  EXPECT_FALSE(path.pass);
  EXPECT_NE(path.detail.find("trial 3: dx2"), std::string::npos);
  EXPECT_FALSE(target(r, "max_failback_outage_ms").pass);
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
  EXPECT_FALSE(target(r, "max_outage_ms").pass);
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
  EXPECT_TRUE(target.pass);
  EXPECT_EQ(target.measured, "38");  // 3 of 8
  r.trials[0].flows[4].reverse.total_lost = 1;
  r.trials[0].flows[5].reverse.total_lost = 1;
  evaluate(e, r);
  EXPECT_FALSE(r.targets.back().pass);
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
