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

Loaded load_path(const std::string& path) {
  auto r = topology::load_and_validate(path);
  EXPECT_TRUE(r.ok()) << r.render();
  plan::PlanOptions o;
  o.templates_dir = std::string(NETLAB_SOURCE_DIR) + "/frr-templates";
  ::netlab::testing::FixedKeySource keys;
  Loaded l{std::move(*r.topology), {}};
  l.plan = plan::make_plan(l.topo, o, keys);
  return l;
}

Loaded load(const std::string& name) { return load_path(std::string(NETLAB_SOURCE_DIR) + "/topologies/" + name); }

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

std::vector<std::string> names(const std::vector<SweepFailure>& v) {
  std::vector<std::string> out;
  for (const auto& f : v) out.push_back(f.kind + " " + f.name);
  return out;
}

TEST(SweepOnly, DxKeepsWhatTheClassJudgesInTheSweepsOrder) {
  auto l = load("dx-dev-test.toml");
  const auto all = sweep_failures(l.topo, l.plan, 0);
  EXPECT_EQ(names(select_failures(all, SweepOnly::All)), names(all));
  EXPECT_EQ(names(select_failures(all, SweepOnly::Dx)),
            (std::vector<std::string>{"link cut dx1", "link cut dx2", "node poweroff dx-a", "node poweroff dx-b",
                                      "location loss eqdc2"}));
  EXPECT_GT(all.size(), 5u);
  // A DX device's crash is a DX failure the class does not judge (its
  // poweroff is the device's loss); the links behind the devices are not DX.
  EXPECT_TRUE(find(all, "router crash", "dx-a")->dx);
  EXPECT_FALSE(judged_by_dx_class(*find(all, "router crash", "dx-a")));
  EXPECT_FALSE(judged_by_dx_class(*find(all, "link cut", "dx-a-vgw")));
  EXPECT_FALSE(judged_by_dx_class(*find(all, "node poweroff", "cgw")));
  // Holds as the full sweep gives them.
  for (const auto& f : select_failures(all, SweepOnly::Dx)) EXPECT_EQ(f.hold_s, find(all, f.kind, f.name)->hold_s);

  auto h = load("hybrid-backup.toml");  // one connection, and a VPN
  EXPECT_EQ(names(select_failures(sweep_failures(h.topo, h.plan, 0), SweepOnly::Dx)),
            (std::vector<std::string>{"link cut dx1", "node poweroff dx-ny5", "location loss ny5"}));
}

TEST(SweepOnly, TheDxRowsAreEveryRowTheClassNeeds) {
  // Each catalogue DX design classified from its --only dx rows alone, all
  // survived over DX: the class its layout promises, no row missing; and one
  // of them lost: the same finding the full matrix gives.
  for (const char* file : {"dx-dev-test.toml", "dx-high-resiliency.toml", "dx-maximum-resiliency.toml"}) {
    auto l = load(file);
    std::vector<SweepRow> rows;
    for (const auto& f : select_failures(sweep_failures(l.topo, l.plan, 0), SweepOnly::Dx))
      rows.push_back(row(f.kind, f.name, true, true));
    auto c = classify_dx(l.plan, rows);
    EXPECT_EQ(c.verdict, Verdict::Pass) << file << ": " << c.reason();
    EXPECT_EQ(c.model, c.layout) << file;
    EXPECT_NE(c.layout, "none") << file;
    EXPECT_EQ(c.reason(), classify_dx(l.plan, matrix(l.plan)).reason()) << file;
    rows.front().result.trials[0].reachable = false;
    rows.front().over_dx = false;
    EXPECT_EQ(classify_dx(l.plan, rows).verdict, Verdict::Fail) << file;
  }
}

// tests/data/sweep/*-broken.toml, the privileged sweep tests' broken
// designs: the catalogue file's nodes, links and addresses, its DX layout
// and the same failures to sweep; only a session, or (with cgw's own config)
// the customer's announcement at eqny5, is missing.
TEST(SweepOnly, EachBrokenVariantHasItsCataloguesLayout) {
  for (const char* name : {"dx-dev-test", "dx-high-resiliency", "dx-maximum-resiliency"}) {
    auto good = load(std::string(name) + ".toml");
    auto bad = load_path(std::string(NETLAB_TEST_DATA) + "/sweep/" + name + "-broken.toml");
    ASSERT_EQ(bad.plan.nodes.size(), good.plan.nodes.size()) << name;
    for (size_t i = 0; i < good.plan.nodes.size(); ++i) {
      EXPECT_EQ(bad.plan.nodes[i].name, good.plan.nodes[i].name) << name;
      EXPECT_EQ(bad.plan.nodes[i].role, good.plan.nodes[i].role) << name;
      EXPECT_EQ(bad.plan.nodes[i].domains.location, good.plan.nodes[i].domains.location) << name;
    }
    ASSERT_EQ(bad.plan.links.size(), good.plan.links.size()) << name;
    for (size_t i = 0; i < good.plan.links.size(); ++i) {
      const auto &g = good.plan.links[i], &b = bad.plan.links[i];
      EXPECT_EQ(b.name, g.name) << name;
      EXPECT_EQ(b.kind, g.kind) << name;
      EXPECT_EQ(b.domains.location, g.domains.location) << name;
      EXPECT_EQ(b.a.node + b.a.address.str() + b.b.node + b.b.address.str(),
                g.a.node + g.a.address.str() + g.b.node + g.b.address.str())
          << name << " " << g.name;
    }
    auto survived = [](const plan::Plan& p) { return classify_dx(p, matrix(p)); };
    EXPECT_EQ(survived(bad.plan).layout, survived(good.plan).layout) << name;
    EXPECT_EQ(survived(bad.plan).shape, survived(good.plan).shape) << name;
    EXPECT_EQ(names(select_failures(sweep_failures(bad.topo, bad.plan, 0), SweepOnly::Dx)),
              names(select_failures(sweep_failures(good.topo, good.plan, 0), SweepOnly::Dx)))
        << name;
    std::set<std::string> good_sessions, bad_sessions;
    for (const auto& s : good.plan.sessions) good_sessions.insert(s.over);
    for (const auto& s : bad.plan.sessions) bad_sessions.insert(s.over);
    if (std::string(name) == "dx-maximum-resiliency") {
      EXPECT_EQ(bad_sessions, good_sessions);
      EXPECT_TRUE(bad.plan.node("cgw")->own_config);
    } else {
      good_sessions.erase("dx2");
      EXPECT_EQ(bad_sessions, good_sessions) << name << ": all but dx2's session";
    }
  }
}

TEST(SweepOnly, ParsedFromTheOption) {
  EXPECT_EQ(parse_sweep_only(""), SweepOnly::All);
  EXPECT_EQ(parse_sweep_only("all"), SweepOnly::All);
  EXPECT_EQ(parse_sweep_only("dx"), SweepOnly::Dx);
  EXPECT_THROW(parse_sweep_only("vpn"), InputError);
}

TEST(SweepOnly, TheTableSaysOnlyTheClassesFailuresWereSwept) {
  SweepResult r;
  r.dx.verdict = Verdict::Pass;
  r.rows = {row("link cut", "dx1", true, true)};
  r.all_failures = 15;
  r.selected_failures = 5;
  EXPECT_EQ(sweep_table(r).find("swept only"), std::string::npos);
  r.only = SweepOnly::Dx;
  EXPECT_EQ(sweep_table(r).rfind(
                "swept only the 5 failures the Direct Connect class judges (--only dx), of the topology's 15\n", 0),
            0u)
      << sweep_table(r);
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
