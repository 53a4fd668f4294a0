// Anycast services and SiteLink in the language: what loads, what the graph
// makes of a probe to a service address, and the design checks on them.
// Malformed files for each error are in tests/data/topology/.
#include <gtest/gtest.h>

#include <set>

#include "netlab/topology/graph.h"
#include "netlab/topology/loader.h"
#include "netlab/topology/validate.h"
#include "support/test_util.h"

namespace netlab::topology {
namespace {

// A client behind cgw; two AZs behind a VGW, each with a speaker and an
// instance of 10.200.0.10.
constexpr std::string_view kService = R"([lab]
name = "t"
probe = { from = "client", to = "10.200.0.10" }
[zones.az1]
[zones.az2]
[nodes.client]
role = "host"
[nodes.cgw]
role = "customer"
asn = 65000
[nodes.vgw]
role = "vgw"
asn = 64512
[nodes.gw1]
role = "router"
asn = 65100
az = "az1"
[nodes.gw2]
role = "router"
asn = 65100
az = "az2"
[nodes.app1]
role = "host"
az = "az1"
anycast = "10.200.0.10"
[nodes.app2]
role = "host"
az = "az2"
anycast = "10.200.0.10"
[[links]]
endpoints = ["client", "cgw"]
[[links]]
endpoints = ["cgw", "vgw"]
[[links]]
endpoints = ["vgw", "gw1"]
[[links]]
endpoints = ["vgw", "gw2"]
[[links]]
endpoints = ["gw1", "app1"]
[[links]]
endpoints = ["gw2", "app2"]
)";

LoadResult check(std::string_view extra) {
  LoadResult r = load_string(std::string(kService) + std::string(extra), "t.toml");
  if (r.topology) validate(*r.topology, r.diagnostics);
  return r;
}

TEST(Anycast, LoadsAndValidatesCleanly) {
  LoadResult r = check(R"(
[[scenarios]]
name = "az1-lost"
fault = { domain = { az = "az1" } }
expect = { serving = ["app2"] }
)");
  EXPECT_TRUE(r.diagnostics.items().empty()) << r.render();
  ASSERT_TRUE(r.topology);
  EXPECT_EQ(r.topology->node("app1")->anycast, Ipv4::parse("10.200.0.10"));
  EXPECT_EQ(r.topology->anycast_instances("10.200.0.10").size(), 2u);
  EXPECT_TRUE(r.topology->anycast_instances("app1").empty());
  EXPECT_EQ(r.topology->scenarios[0].expect.serving, std::vector<std::string>{"app2"});
}

TEST(Anycast, TheServiceIsReachableWhileOneInstanceIs) {
  LoadResult r = check("");
  ASSERT_TRUE(r.topology);
  Graph g(*r.topology);
  Reachability all = g.reach("client", "10.200.0.10", {});
  EXPECT_TRUE(all.reachable);
  EXPECT_TRUE(all.links.count("vgw-gw1") && all.links.count("vgw-gw2"));
  FailureSet az1 = g.failure_of({.kind = FaultKind::Domain, .domain_type = DomainType::Az, .domain_value = "az1"});
  Reachability one = g.reach("client", "10.200.0.10", az1);
  EXPECT_TRUE(one.reachable);
  EXPECT_FALSE(one.links.count("vgw-gw1"));
  FailureSet both = az1;
  both.nodes.insert("gw2");
  EXPECT_FALSE(g.reach("client", "10.200.0.10", both).reachable);
}

TEST(Anycast, ADesignThatLosesEveryInstanceIsWarnedAbout) {
  LoadResult r = check(R"(
[[scenarios]]
name = "vgw-lost"
fault = { poweroff = "vgw" }
)");
  ASSERT_EQ(r.diagnostics.warning_count(), 1u) << r.render();
  EXPECT_NE(r.diagnostics.items()[0].message.find("expects \"10.200.0.10\" to stay reachable"), std::string::npos)
      << r.render();
}

TEST(Anycast, ALocalZonesServiceWithoutAnInstanceInItsFailoverZoneIsWarnedAbout) {
  LoadResult r = check(R"(
[zones.lz]
type = "local"
parent = "az1"
failover = "az1b"
[zones.az1b]
[nodes.app-lz]
role = "host"
az = "lz"
anycast = "10.200.0.10"
[[links]]
endpoints = ["gw1", "app-lz"]
)");
  ASSERT_EQ(r.diagnostics.warning_count(), 1u) << r.render();
  EXPECT_EQ(r.diagnostics.items()[0].message,
            "anycast service 10.200.0.10 has an instance in Local Zone \"lz\" but none in its failover zone \"az1b\"");
}

TEST(SiteLink, LoadsOnADxLinkToADirectConnectGateway) {
  LoadResult r = load_string(R"([lab]
name = "t"
[nodes.cgw]
role = "customer"
asn = 65001
[nodes.dx]
role = "aws-dx"
asn = 64512
[nodes.dxgw]
role = "dxgw"
asn = 64512
[[links]]
name = "vif1"
kind = "dx"
endpoints = ["cgw", "dxgw"]
sitelink = true
[[links]]
name = "vif2"
kind = "dx"
endpoints = ["cgw", "dx"]
sitelink = true
[[links]]
endpoints = ["dx", "dxgw"]
)",
                             "t.toml");
  ASSERT_TRUE(r.topology);
  validate(*r.topology, r.diagnostics);
  EXPECT_TRUE(r.diagnostics.items().empty()) << r.render();
  EXPECT_TRUE(r.topology->link("vif1")->sitelink);
  EXPECT_TRUE(r.topology->link("vif2")->sitelink);  // on a DX device linked to the DXGW
  EXPECT_FALSE(r.topology->link("dx-dxgw")->sitelink);
}

// Hosts at three sites and in two VPCs around one Direct Connect gateway;
// dc1 and dc2 have SiteLink, dc3 not (shared with the planner's tests).
const std::string kDxgw = netlab::testing::read_text(NETLAB_TEST_DATA "/topologies/dxgw-sitelink.toml");

TEST(SiteLink, TheGraphFollowsAwsTransitRules) {
  LoadResult r = load_string(std::string(kDxgw), "t.toml");
  ASSERT_TRUE(r.topology) << r.render();
  Graph g(*r.topology);
  Reachability ok = g.reach("h1", "h2", {});
  EXPECT_TRUE(ok.reachable);
  EXPECT_EQ(ok.links, (std::set<std::string, std::less<>>{"h1-c1", "vif1", "vif2", "h2-c2"}));
  EXPECT_FALSE(g.reach("h1", "h3", {}).reachable);      // dc3's VIF has no SiteLink
  EXPECT_FALSE(g.reach("app1", "app2", {}).reachable);  // no transit between associations
  EXPECT_TRUE(g.reach("h3", "app2", {}).reachable);     // every VIF reaches every association
}

TEST(SiteLink, TheValidatorWarnsWhenAwsPassesNothingBetweenTheProbesEnds) {
  LoadResult r = load_string(std::string(kDxgw) + R"(
[[scenarios]]
name = "s"
probe = { from = "h1", to = "h3" }
fault = { cut = "vif2" }
)",
                             "t.toml");
  ASSERT_TRUE(r.topology);
  validate(*r.topology, r.diagnostics);
  ASSERT_EQ(r.diagnostics.warning_count(), 1u) << r.render();
  EXPECT_NE(r.diagnostics.items()[0].message.find("\"h1\" cannot reach \"h3\" even before the fault"),
            std::string::npos)
      << r.render();
}

}  // namespace
}  // namespace netlab::topology
