// The sweep's list of failures, and the AWS resiliency classification.
#include "netlab/scenario/sweep.h"

#include <gtest/gtest.h>

#include <set>

#include "netlab/plan/planner.h"
#include "netlab/topology/loader.h"
#include "support/test_plan.h"

namespace netlab::scenario {
namespace {

struct Loaded {
  topology::Topology topo;
  plan::Plan plan;
};

Loaded load(const std::string& name) {
  auto r = topology::load_and_validate(std::string(NETLAB_SOURCE_DIR) + "/topologies/" + name);
  EXPECT_TRUE(r.ok()) << r.render();
  plan::PlanOptions o;
  o.templates_dir = std::string(NETLAB_SOURCE_DIR) + "/frr-templates";
  ::netlab::testing::FixedKeySource keys;
  Loaded l{std::move(*r.topology), {}};
  l.plan = plan::make_plan(l.topo, o, keys);
  return l;
}

const SweepFailure* find(const std::vector<SweepFailure>& v, const std::string& kind, const std::string& name) {
  for (const auto& f : v)
    if (f.kind == kind && f.name == name) return &f;
  return nullptr;
}

TEST(SweepFailures, CoversEveryLinkTunnelRouterNodeAndDomain) {
  auto l = load("hybrid-backup.toml");
  auto f = sweep_failures(l.topo, l.plan, 0);
  EXPECT_TRUE(find(f, "link cut", "dx1"));
  EXPECT_FALSE(find(f, "link cut", "server-cgw"));  // a host's own access link
  EXPECT_TRUE(find(f, "tunnel cut", "vpn1-t1"));
  EXPECT_TRUE(find(f, "router crash", "vgw"));
  EXPECT_FALSE(find(f, "router crash", "internet"));  // runs no daemons
  EXPECT_TRUE(find(f, "node poweroff", "internet"));
  EXPECT_FALSE(find(f, "node poweroff", "server"));
  EXPECT_TRUE(find(f, "location loss", "ny5"));
  EXPECT_TRUE(find(f, "az loss", "use1-az1"));
  EXPECT_TRUE(find(f, "site loss", "dc1"));
  EXPECT_TRUE(find(f, "region loss", "us-east-1"));
}

TEST(SweepFailures, HoldCoversTheSlowestDetectionInvolved) {
  auto l = load("hybrid-backup.toml");
  auto f = sweep_failures(l.topo, l.plan, 0);
  // DX has BFD: 0.9 s, plus 3 s.
  EXPECT_NEAR(find(f, "link cut", "dx1")->hold_s, 3.9, 1e-9);
  // A tunnel's session has no BFD: its BGP hold, 30 s, plus 3 s.
  EXPECT_NEAR(find(f, "tunnel cut", "vpn1-t1")->hold_s, 33, 1e-9);
  // The internet underlay carries both tunnels.
  EXPECT_NEAR(find(f, "node poweroff", "internet")->hold_s, 33, 1e-9);
  // A fixed hold overrides.
  for (const auto& x : sweep_failures(l.topo, l.plan, 2)) EXPECT_EQ(x.hold_s, 2);
}

TEST(SweepFailures, PredictsReachabilityFromTheGraph) {
  auto l = load("dx-dev-test.toml");
  auto f = sweep_failures(l.topo, l.plan, 0);
  EXPECT_TRUE(find(f, "link cut", "dx1")->predicted_reachable);
  EXPECT_TRUE(find(f, "node poweroff", "dx-a")->predicted_reachable);
  EXPECT_FALSE(find(f, "location loss", "eqdc2")->predicted_reachable);
  EXPECT_TRUE(find(f, "location loss", "eqdc2")->dx);
}

// A sweep row with a measured outcome.
SweepRow row(const std::string& kind, const std::string& name, bool reachable, bool over_dx) {
  SweepRow r;
  r.failure.kind = kind;
  r.failure.name = name;
  Trial t;
  t.reachable = reachable;
  r.result.trials = {t};
  r.over_dx = over_dx;
  return r;
}

TEST(ClassifyDx, DevTestSurvivesConnectionAndDeviceButNotLocation) {
  auto l = load("dx-dev-test.toml");
  auto c = classify_dx(l.plan, {row("link cut", "dx1", true, true), row("link cut", "dx2", true, true),
                                 row("node poweroff", "dx-a", true, true), row("node poweroff", "dx-b", true, true),
                                 row("location loss", "eqdc2", false, false)});
  EXPECT_EQ(c.model, "Development and Test");
  EXPECT_NE(c.reason().find("location eqdc2"), std::string::npos);
}

TEST(ClassifyDx, ASingleConnectionWithVpnBackupIsNoDxResiliency) {
  auto l = load("hybrid-backup.toml");
  auto c = classify_dx(l.plan, {row("link cut", "dx1", true, false), row("node poweroff", "dx-ny5", true, false),
                                 row("location loss", "ny5", true, false)});
  EXPECT_EQ(c.model, "none");
  EXPECT_EQ(c.verdict, Verdict::Pass);  // a single connection promises nothing
  EXPECT_NE(c.reason().find("VPN backup"), std::string::npos);
}

TEST(ClassifyDx, WhatWasMeasuredDecidesNotTheShape) {
  // Two devices in one location, but a device loss was not survived over DX.
  auto l = load("dx-dev-test.toml");
  auto c = classify_dx(l.plan, {row("link cut", "dx1", true, true), row("node poweroff", "dx-a", false, false),
                                 row("location loss", "eqdc2", false, false)});
  EXPECT_EQ(c.model, "none");
  EXPECT_NE(c.reason().find("device dx-a"), std::string::npos);
}

// Every DX failure of a plan, survived over DX unless listed in `lost`
// (unreachable) or `backup` (only the VPN carried traffic).
std::vector<SweepRow> matrix(const plan::Plan& p, const std::set<std::string>& lost = {},
                             const std::set<std::string>& backup = {}) {
  std::vector<SweepRow> rows;
  std::set<std::string> devices, locations;
  auto add = [&](const std::string& kind, const std::string& name) {
    std::string key = kind + " " + name;
    rows.push_back(row(kind, name, !lost.count(key), !lost.count(key) && !backup.count(key)));
  };
  for (const auto& l : p.links) {
    if (l.kind != topology::LinkKind::Dx) continue;
    add("link cut", l.name);
    for (const auto* e : {&l.a, &l.b})
      if (p.node(e->node)->role == topology::Role::AwsDx) devices.insert(e->node);
    if (l.domains.location) locations.insert(*l.domains.location);
  }
  for (const auto& d : devices) add("node poweroff", d);
  for (const auto& loc : locations) add("location loss", loc);
  return rows;
}

std::vector<SweepRow> without(std::vector<SweepRow> rows, const std::string& kind, const std::string& name) {
  std::erase_if(rows, [&](const SweepRow& r) { return r.failure.kind == kind && r.failure.name == name; });
  return rows;
}

TEST(ClassifyDx, MaximumLayoutConfirmedByEveryFailureItPromises) {
  auto l = load("dx-maximum-resiliency.toml");
  auto c = classify_dx(l.plan, matrix(l.plan));
  EXPECT_EQ(c.layout, "Maximum Resiliency");
  EXPECT_EQ(c.model, "Maximum Resiliency");
  EXPECT_EQ(c.verdict, Verdict::Pass);
  EXPECT_EQ(c.shape, "4 connections on 4 devices at 2 locations");
}

TEST(ClassifyDx, MaximumOnPaperThatLosesALocationIsCalledOut) {
  auto l = load("dx-maximum-resiliency.toml");
  // A misconfigured session or a missing announcement at eqny5: losing
  // eqdc2 leaves nothing over DX.
  auto c = classify_dx(l.plan, matrix(l.plan, {"location loss eqdc2"}));
  EXPECT_EQ(c.layout, "Maximum Resiliency");
  EXPECT_EQ(c.model, "none");
  EXPECT_EQ(c.verdict, Verdict::Fail);
  EXPECT_NE(c.reason().find("layout Maximum Resiliency (4 connections on 4 devices at 2 locations); measured: "
                            "loss of location eqdc2 not survived over DX (unreachable)"),
            std::string::npos)
      << c.reason();
  // Survived only over a VPN backup is not DX resiliency either.
  auto v = classify_dx(l.plan, matrix(l.plan, {}, {"node poweroff dx-eqny5-a"}));
  EXPECT_EQ(v.verdict, Verdict::Fail);
  EXPECT_NE(v.reason().find("loss of device dx-eqny5-a not survived over DX (only the VPN backup"),
            std::string::npos);
}

TEST(ClassifyDx, AMissingOrUnmeasuredRowIsAnErrorNotASurvival) {
  auto l = load("dx-maximum-resiliency.toml");
  auto c = classify_dx(l.plan, without(matrix(l.plan), "location loss", "eqny5"));
  EXPECT_EQ(c.verdict, Verdict::Error);
  EXPECT_EQ(c.model, "none");
  EXPECT_NE(c.reason().find("loss of location eqny5: no row in the matrix"), std::string::npos) << c.reason();
  auto rows = matrix(l.plan);
  rows[0].result.error = "the baseline is broken";
  auto e = classify_dx(l.plan, rows);
  EXPECT_EQ(e.verdict, Verdict::Error);
  EXPECT_NE(e.reason().find("loss of connection dx1: its row could not be measured"), std::string::npos);
}

TEST(ClassifyDx, ARowOfAStarvedTrialDecidesNothing) {
  auto l = load("dx-maximum-resiliency.toml");
  auto rows = matrix(l.plan);
  rows[0].result.trials[0].valid = false;  // the validity guard marked it
  auto c = classify_dx(l.plan, rows);
  EXPECT_EQ(c.verdict, Verdict::Inconclusive);
  EXPECT_EQ(c.model, "none");
  EXPECT_NE(c.reason().find("loss of connection dx1: its trial ran on a starved host (invalid)"), std::string::npos)
      << c.reason();
}

TEST(ClassifyDx, ALayoutMissingASecondConnectionAtALocationIsHighNotMaximum) {
  auto l = load("dx-maximum-resiliency.toml");
  std::erase_if(l.plan.links, [](const plan::PlanLink& x) { return x.name == "dx4"; });
  auto c = classify_dx(l.plan, matrix(l.plan));
  EXPECT_EQ(c.layout, "High Resiliency");
  EXPECT_EQ(c.model, "High Resiliency");
  EXPECT_EQ(c.verdict, Verdict::Pass);
}

TEST(ClassifyDx, HighLayoutConfirmedAndBroken) {
  auto l = load("dx-high-resiliency.toml");
  auto c = classify_dx(l.plan, matrix(l.plan));
  EXPECT_EQ(c.model, "High Resiliency");
  EXPECT_EQ(c.verdict, Verdict::Pass);
  auto b = classify_dx(l.plan, matrix(l.plan, {"link cut dx1"}));
  EXPECT_EQ(b.layout, "High Resiliency");
  EXPECT_EQ(b.model, "none");
  EXPECT_EQ(b.verdict, Verdict::Fail);
  EXPECT_NE(b.reason().find("loss of connection dx1 not survived over DX"), std::string::npos);
  // One location left: a single connection, no model.
  std::erase_if(l.plan.links, [](const plan::PlanLink& x) { return x.name == "dx2"; });
  EXPECT_EQ(classify_dx(l.plan, matrix(l.plan)).layout, "none");
}

TEST(ClassifyDx, DevTestDoesNotPromiseItsLocation) {
  auto l = load("dx-dev-test.toml");
  auto c = classify_dx(l.plan, matrix(l.plan, {"location loss eqdc2"}));
  EXPECT_EQ(c.layout, "Development and Test");
  EXPECT_EQ(c.model, "Development and Test");
  EXPECT_EQ(c.verdict, Verdict::Pass);
  EXPECT_NE(c.reason().find("loss of location eqdc2 not survived"), std::string::npos);  // said, not held against it
  auto b = classify_dx(l.plan, matrix(l.plan, {"node poweroff dx-b"}));
  EXPECT_EQ(b.verdict, Verdict::Fail);
  EXPECT_NE(b.reason().find("layout Development and Test"), std::string::npos);
  EXPECT_NE(b.reason().find("loss of device dx-b not survived"), std::string::npos);
}

TEST(Sweep, TheVerdictIsTheWorstOfTheRowsAndTheClass) {
  SweepResult r;
  r.dx.verdict = Verdict::Pass;
  r.rows = {row("link cut", "dx1", true, true)};
  topology::Expect e;
  evaluate(e, r.rows[0].result);
  EXPECT_EQ(r.verdict(), Verdict::Pass);
  e.reachable = false;  // the graph predicted a loss the lab survived
  evaluate(e, r.rows[0].result);
  EXPECT_EQ(r.verdict(), Verdict::Fail);
  EXPECT_EQ(exit_code(r.verdict()), 1);
  e.reachable = true;
  evaluate(e, r.rows[0].result);
  r.dx.verdict = Verdict::Fail;
  EXPECT_EQ(exit_code(r.verdict()), 1);
  EXPECT_NE(sweep_table(r).find("verdict: fail"), std::string::npos);
  // A row that could not run is an error in the table and in the verdict.
  r.dx.verdict = Verdict::Pass;
  r.rows[0].result.trials.clear();
  EXPECT_EQ(r.verdict(), Verdict::Error);
  EXPECT_EQ(exit_code(r.verdict()), 4);
  EXPECT_NE(sweep_table(r).find("link cut dx1  error: no trial ran"), std::string::npos) << sweep_table(r);
}

}  // namespace
}  // namespace netlab::scenario
