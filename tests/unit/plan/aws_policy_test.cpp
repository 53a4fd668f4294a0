// AWS's transit rules and gateway behaviour as the planner models them
// (plan/bgp.h) and renders them (frr-templates/_aws_policy.mustache): the
// expected routes say where a prefix must and must not go, and the rendered
// configs carry the policy that makes FRR do the same.
// tests/privileged/scenario/aws_policy_test.cpp checks a running lab.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "netlab/plan/bgp.h"
#include "netlab/plan/frr_config.h"
#include "netlab/plan/planner.h"
#include "netlab/topology/loader.h"
#include "netlab/topology/validate.h"
#include "support/test_util.h"
#include "support/test_plan.h"

namespace netlab::plan {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Plan plan_of(const std::string& text) {
  auto r = topology::load_string(text, "test.toml");
  EXPECT_TRUE(r.topology) << r.render();
  if (r.topology) topology::validate(*r.topology, r.diagnostics);
  EXPECT_FALSE(r.diagnostics.has_errors()) << r.render();
  ::netlab::testing::FixedKeySource keys;
  PlanOptions o;
  o.templates_dir = std::string(NETLAB_SOURCE_DIR) + "/frr-templates";
  return make_plan(*r.topology, o, keys);
}

bool has_route(const Plan& p, const std::string& node, const std::string& prefix) {
  return std::any_of(p.expected_routes.begin(), p.expected_routes.end(), [&](const ExpectedRoute& e) {
    return e.node == node && e.prefix.str() == prefix;
  });
}

// Three sites on one Direct Connect gateway, SiteLink on two of their VIFs,
// two VPCs associated with it (shared with the topology graph's tests).
const std::string kDxgw = netlab::testing::read_text(NETLAB_TEST_DATA "/topologies/dxgw-sitelink.toml");

TEST(AwsPolicy, SiteLinkJoinsSitesWhoseVifsBothHaveIt) {
  Plan p = plan_of(kDxgw);
  EXPECT_TRUE(has_route(p, "c2", "10.1.0.0/24"));
  EXPECT_TRUE(has_route(p, "c1", "10.2.0.0/24"));
  // dc3's VIF has no SiteLink: no transit to or from it.
  EXPECT_FALSE(has_route(p, "c3", "10.1.0.0/24"));
  EXPECT_FALSE(has_route(p, "c1", "10.3.0.0/24"));
  EXPECT_FALSE(has_route(p, "c2", "10.3.0.0/24"));
}

TEST(AwsPolicy, EveryVifReachesEveryAssociation) {
  Plan p = plan_of(kDxgw);
  for (const char* c : {"c1", "c2", "c3"}) {
    EXPECT_TRUE(has_route(p, c, "10.101.0.0/16")) << c;
    EXPECT_TRUE(has_route(p, c, "10.102.0.0/16")) << c;
  }
  for (const char* v : {"vgw1", "vgw2"}) {
    EXPECT_TRUE(has_route(p, v, "10.1.0.0/24")) << v;
    EXPECT_TRUE(has_route(p, v, "10.3.0.0/24")) << v;
  }
}

TEST(AwsPolicy, NoTransitBetweenTwoAssociations) {
  Plan p = plan_of(kDxgw);
  EXPECT_FALSE(has_route(p, "vgw1", "10.102.0.0/16"));
  EXPECT_FALSE(has_route(p, "vgw2", "10.101.0.0/16"));
}

TEST(AwsPolicy, TheDxgwConfigMarksAndFiltersWhatTheModelSays) {
  Plan p = plan_of(kDxgw);
  const std::string& c = p.node("dxgw")->frr_config;
  // VIF ingress: marked from a VIF, plus SiteLink on a SiteLink VIF.
  EXPECT_THAT(c, HasSubstr("route-map FROM-vif1 permit 30\n set local-preference 7200\n set weight 100\n set community 7224:65001 7224:65002\n"));
  EXPECT_THAT(c, HasSubstr("route-map FROM-vif3 permit 30\n set local-preference 7200\n set weight 100\n set community 7224:65001\n"));
  // VIF egress: other SiteLink VIFs' routes only where SiteLink is on.
  EXPECT_THAT(c, HasSubstr("route-map TO-vif1 permit 5\n match community NETLAB-FROM-SITELINK\n"));
  EXPECT_THAT(c, Not(HasSubstr("route-map TO-vif3 permit 5")));
  EXPECT_THAT(c, HasSubstr("route-map TO-vif3 deny 10\n match community NETLAB-FROM-VIF\n"));
  // Associations: marked on the way in, kept from each other on the way out.
  EXPECT_THAT(c, HasSubstr("route-map FROM-dxgw-vgw1 permit 10\n set community 7224:65003\n"));
  EXPECT_THAT(c, HasSubstr("route-map TO-dxgw-vgw2 deny 10\n match community NETLAB-FROM-ASSOCIATION\n"));
  // Markers leave AWS on no route.
  EXPECT_THAT(c, HasSubstr("route-map TO-vif2 permit 20\n set comm-list NETLAB-MARKS delete\n"));
}

TEST(AwsPolicy, SiteLinkAlsoWorksThroughDxDevicesBehindTheDxgw) {
  // VIFs on DX devices, which reach the DXGW over AWS's backbone (iBGP): the
  // DXGW reflects between them, its policy still decides.
  Plan p = plan_of(R"([lab]
name = "t"
[nodes.c1]
role = "customer"
asn = 65001
announce = ["10.1.0.0/24"]
[nodes.c2]
role = "customer"
asn = 65002
announce = ["10.2.0.0/24"]
[nodes.dx-a]
role = "aws-dx"
asn = 64512
[nodes.dx-b]
role = "aws-dx"
asn = 64512
[nodes.dxgw]
role = "dxgw"
asn = 64512
[[links]]
name = "vif1"
kind = "dx"
endpoints = ["c1", "dx-a"]
sitelink = true
[[links]]
name = "vif2"
kind = "dx"
endpoints = ["c2", "dx-b"]
sitelink = true
[[links]]
endpoints = ["dx-a", "dxgw"]
[[links]]
endpoints = ["dx-b", "dxgw"]
)");
  EXPECT_TRUE(has_route(p, "c2", "10.1.0.0/24"));
  EXPECT_TRUE(has_route(p, "c1", "10.2.0.0/24"));
  EXPECT_THAT(p.node("dxgw")->frr_config, HasSubstr("route-reflector-client"));
  EXPECT_THAT(p.node("dx-a")->frr_config, Not(HasSubstr("route-reflector-client")));
}

TEST(AwsPolicy, WithoutSiteLinkTwoVifsOfOneDxDeviceDoNotTransit) {
  Plan p = plan_of(R"([lab]
name = "t"
[nodes.c1]
role = "customer"
asn = 65001
announce = ["10.1.0.0/24"]
[nodes.c2]
role = "customer"
asn = 65002
announce = ["10.2.0.0/24"]
[nodes.dx]
role = "aws-dx"
asn = 64512
announce = ["10.100.0.0/16"]
[[links]]
name = "vif1"
kind = "dx"
endpoints = ["c1", "dx"]
[[links]]
name = "vif2"
kind = "dx"
endpoints = ["c2", "dx"]
)");
  EXPECT_FALSE(has_route(p, "c2", "10.1.0.0/24"));
  EXPECT_TRUE(has_route(p, "c2", "10.100.0.0/16"));
}

// A TGW behind a DXGW (transit VIF) with VPN tunnels to the same site.
constexpr const char* kTgw = R"([lab]
name = "t"
[nodes.cgw]
role = "customer"
asn = 65000
announce = ["10.0.0.0/24"]
[nodes.dxgw]
role = "dxgw"
asn = 64512
[nodes.tgw]
role = "tgw"
asn = 64513
announce = ["10.100.0.0/16"]
[nodes.vpn1]
role = "aws-vpn"
asn = 64513
[nodes.vpn2]
role = "aws-vpn"
asn = 64513
[nodes.inet]
role = "internet"
[[links]]
name = "dx1"
kind = "dx"
endpoints = ["cgw", "dxgw"]
[[links]]
endpoints = ["dxgw", "tgw"]
[[links]]
endpoints = ["vpn1", "tgw"]
[[links]]
endpoints = ["vpn2", "tgw"]
[[links]]
kind = "internet"
endpoints = ["cgw", "inet"]
[[links]]
kind = "internet"
endpoints = ["vpn1", "inet"]
[[links]]
kind = "internet"
endpoints = ["vpn2", "inet"]
[[tunnels]]
name = "t1"
endpoints = ["cgw", "vpn1"]
[[tunnels]]
name = "t2"
endpoints = ["cgw", "vpn2"]
)";

TEST(AwsPolicy, TgwSpreadsOnlyOverIdenticalAsPaths) {
  Plan p = plan_of(kTgw);
  const std::string& c = p.node("tgw")->frr_config;
  EXPECT_THAT(c, HasSubstr("  maximum-paths 8\n"));
  EXPECT_THAT(c, HasSubstr("  maximum-paths ibgp 8\n"));
  // ECMP only with identical AS_PATHs: never relaxed to "as long".
  EXPECT_THAT(c, Not(HasSubstr("\n bgp bestpath as-path multipath-relax")));
  for (const auto& n : p.nodes)
    if (n.is_router()) {
      EXPECT_THAT(n.frr_config, Not(HasSubstr("\n bgp bestpath as-path multipath-relax"))) << n.name;
    }
  // A VGW, a DX device or a VPN endpoint picks one path.
  EXPECT_THAT(p.node("vpn1")->frr_config, HasSubstr("  maximum-paths 1\n"));
  EXPECT_THAT(p.node("dxgw")->frr_config, HasSubstr("  maximum-paths 1\n"));
}

TEST(AwsPolicy, TgwPrefersWhatItsDxgwPropagatesOverVpn) {
  Plan p = plan_of(kTgw);
  // From its DXGW (eBGP: AWS requires different ASNs) at 7200; VPN routes
  // come in at 100 on the VPN endpoints.
  EXPECT_THAT(p.node("tgw")->frr_config, HasSubstr("route-map FROM-dxgw-tgw permit 10\n set local-preference 7200\n"));
  EXPECT_THAT(p.node("vpn1")->frr_config, HasSubstr("route-map FROM-t1 permit 10\n set local-preference 100\n"));
  // And it routes between its attachments: a route reflector.
  EXPECT_TRUE(reflects_ibgp(topology::Role::Tgw));
  EXPECT_THAT(p.node("tgw")->frr_config, HasSubstr("route-reflector-client"));
}

TEST(AwsPolicy, SessionPolicyOfEachEnd) {
  PlanNode dxgw{.name = "dxgw", .role = topology::Role::Dxgw};
  PlanNode tgw{.name = "tgw", .role = topology::Role::Tgw};
  PlanNode cgw{.name = "cgw", .role = topology::Role::Customer};
  Session dx{.over = "dx1", .kind = SessionKind::Dx, .a = "cgw", .b = "dxgw", .a_asn = 65000, .b_asn = 64512};
  Session assoc{.over = "a", .kind = SessionKind::Backbone, .a = "dxgw", .b = "tgw", .a_asn = 64512, .b_asn = 64513};
  SessionPolicy v = session_policy(dxgw, cgw, dx, true);
  EXPECT_TRUE(v.vif && v.sitelink && v.outside && !v.association);
  EXPECT_FALSE(session_policy(dxgw, cgw, dx, false).sitelink);
  EXPECT_FALSE(session_policy(cgw, dxgw, dx, true).any());  // the customer's end applies no AWS policy
  SessionPolicy a = session_policy(dxgw, tgw, assoc, false);
  EXPECT_TRUE(a.association && !a.vif && !a.outside);
  SessionPolicy t = session_policy(tgw, dxgw, assoc, false);
  EXPECT_TRUE(t.from_dxgw && !t.association);
  assoc.b_asn = 64512;  // iBGP: the DX local preference travels with the route
  EXPECT_FALSE(session_policy(tgw, dxgw, assoc, false).from_dxgw);
}

TEST(AwsPolicy, DxPrefixLimitIsRenderedForFrrsOffByOne) {
  Plan p = plan_of(kTgw);
  const std::string& c = p.node("dxgw")->frr_config;
  EXPECT_THAT(c, HasSubstr("maximum-prefix " + std::to_string(kDxPrefixLimit - 1) + "\n"));
  EXPECT_THAT(p.node("cgw")->frr_config, Not(HasSubstr("maximum-prefix")));
}

// An anycast service: two instances active, one standing by for a Local Zone.
constexpr const char* kAnycast = R"([lab]
name = "t"
probe = { from = "client", to = "10.200.0.10" }
[zones.az1]
[zones.az2]
[zones.lz]
type = "local"
parent = "az1"
failover = "az2"
[nodes.client]
role = "host"
[nodes.cgw]
role = "customer"
asn = 65000
[nodes.vgw]
role = "vgw"
asn = 64512
[nodes.lz-gw]
role = "router"
asn = 65100
announce = ["10.200.0.0/24"]
[nodes.az2-gw]
role = "router"
asn = 65101
[nodes.lz-app]
role = "host"
az = "lz"
anycast = "10.200.0.10"
[nodes.az2-app]
role = "host"
az = "az2"
anycast = "10.200.0.10"
[[links]]
endpoints = ["client", "cgw"]
[[links]]
endpoints = ["cgw", "vgw"]
[[links]]
endpoints = ["vgw", "lz-gw"]
[[links]]
endpoints = ["vgw", "az2-gw"]
[[links]]
endpoints = ["lz-gw", "lz-app"]
[[links]]
endpoints = ["az2-gw", "az2-app"]
)";

TEST(Anycast, HostsHoldTheAddressAndTheirRoutersAnnounceIt) {
  Plan p = plan_of(kAnycast);
  EXPECT_EQ(p.node("lz-app")->anycast, Ipv4::parse("10.200.0.10"));
  ASSERT_EQ(p.node("lz-gw")->anycast_routes.size(), 1u);
  const AnycastRoute& r = p.node("lz-gw")->anycast_routes[0];
  EXPECT_EQ(r.prefix.str(), "10.200.0.10/32");
  EXPECT_EQ(r.via, p.node("lz-app")->ifaces.front().address.addr);
  EXPECT_EQ(r.prepend, 0u);
  const std::string& c = p.node("lz-gw")->frr_config;
  EXPECT_THAT(c, HasSubstr("ip route 10.200.0.10/32 " + r.via.str() + "\n"));
  EXPECT_THAT(c, HasSubstr("  redistribute static route-map ANYCAST\n"));
  EXPECT_THAT(c, HasSubstr("ip prefix-list ANYCAST-1 seq 5 permit 10.200.0.10/32\n"));
  // Redistributed, not `network`: withdrawn when the host is unreachable.
  EXPECT_THAT(c, Not(HasSubstr("network 10.200.0.10/32")));
  EXPECT_EQ(p.anycast_instances("10.200.0.10").size(), 2u);
  EXPECT_TRUE(p.anycast_instances("10.200.0.11").empty());
  EXPECT_TRUE(p.anycast_instances("lz-app").empty());
}

TEST(Anycast, TheInstanceInALocalZonesFailoverZoneStandsBy) {
  Plan p = plan_of(kAnycast);
  ASSERT_EQ(p.node("az2-gw")->anycast_routes.size(), 1u);
  EXPECT_EQ(p.node("az2-gw")->anycast_routes[0].prepend, kStandbyPrepend);
  EXPECT_THAT(p.node("az2-gw")->frr_config, HasSubstr(" set as-path prepend 65101 65101 65101\n"));
  EXPECT_THAT(p.node("lz-gw")->frr_config, Not(HasSubstr("as-path prepend")));
}

TEST(Anycast, EveryRouterExpectsTheServiceFromEachInstancesRouter) {
  Plan p = plan_of(kAnycast);
  for (const char* n : {"cgw", "vgw"}) {
    size_t origins = std::count_if(p.expected_routes.begin(), p.expected_routes.end(), [&](const ExpectedRoute& e) {
      return e.node == n && e.prefix.str() == "10.200.0.10/32";
    });
    EXPECT_EQ(origins, 2u) << n;
  }
}

TEST(Anycast, NoLinkSubnetHoldsTheServiceAddress) {
  // lz-gw announces 10.200.0.0/24, so its host's link takes a subnet from
  // it: not the /30 that would contain the service address.
  Plan p = plan_of(kAnycast);
  const Ipv4 a = *Ipv4::parse("10.200.0.10");
  for (const auto& l : p.links) EXPECT_FALSE(l.subnet.contains(a)) << l.name << " " << l.subnet.str();
  EXPECT_TRUE(Ipv4Prefix::parse("10.200.0.0/24")->contains(p.link("lz-gw-lz-app")->subnet));
}

}  // namespace
}  // namespace netlab::plan
