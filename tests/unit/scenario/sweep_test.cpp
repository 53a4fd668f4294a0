// The sweep's list of failures, and the AWS resiliency classification.
#include "netlab/scenario/sweep.h"

#include <gtest/gtest.h>

#include "netlab/plan/planner.h"
#include "netlab/topology/loader.h"

namespace netlab::scenario {
namespace {

class FixedKeys : public plan::KeySource {
 public:
  plan::KeyPair wireguard_keypair() override { return {"k", "p"}; }
  std::string preshared_key() override { return "psk"; }
};

struct Loaded {
  topology::Topology topo;
  plan::Plan plan;
};

Loaded load(const std::string& name) {
  auto r = topology::load_and_validate(std::string(NETLAB_SOURCE_DIR) + "/topologies/" + name);
  EXPECT_TRUE(r.ok()) << r.render();
  plan::PlanOptions o;
  o.templates_dir = std::string(NETLAB_SOURCE_DIR) + "/frr-templates";
  FixedKeys keys;
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
  EXPECT_NE(c.reason.find("location eqdc2"), std::string::npos);
}

TEST(ClassifyDx, ASingleConnectionWithVpnBackupIsNoDxResiliency) {
  auto l = load("hybrid-backup.toml");
  auto c = classify_dx(l.plan, {row("link cut", "dx1", true, false), row("node poweroff", "dx-ny5", true, false),
                                 row("location loss", "ny5", true, false)});
  EXPECT_EQ(c.model, "none");
  EXPECT_NE(c.reason.find("VPN backup"), std::string::npos);
}

TEST(ClassifyDx, WhatWasMeasuredDecidesNotTheShape) {
  // Two devices in one location, but a device loss was not survived over DX.
  auto l = load("dx-dev-test.toml");
  auto c = classify_dx(l.plan, {row("link cut", "dx1", true, true), row("node poweroff", "dx-a", false, false),
                                 row("location loss", "eqdc2", false, false)});
  EXPECT_EQ(c.model, "none");
  EXPECT_NE(c.reason.find("device dx-a"), std::string::npos);
}

}  // namespace
}  // namespace netlab::scenario
