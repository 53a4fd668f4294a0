// The planner: golden files for whole plans (names, addresses, sessions,
// routes, rendered FRR configs), and the rules behind them one by one.
// Regenerate the goldens after an intended change with NETLAB_UPDATE_GOLDEN=1.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "netlab/base/error.h"
#include "netlab/plan/frr_split.h"
#include "netlab/plan/describe.h"
#include "netlab/plan/planner.h"
#include "netlab/topology/loader.h"
#include "support/test_plan.h"

namespace netlab::plan {
namespace {

namespace fs = std::filesystem;

// Deterministic keys: plans (and their goldens) must not change run to run.
PlanOptions options() {
  PlanOptions o;
  o.templates_dir = std::string(NETLAB_SOURCE_DIR) + "/frr-templates";
  return o;
}

Plan plan_of_file(const std::string& path) {
  auto r = topology::load_and_validate(path);
  EXPECT_TRUE(r.ok()) << r.render();
  ::netlab::testing::FixedKeySource keys;
  return make_plan(*r.topology, options(), keys);
}

Plan plan_of_text(const std::string& text) {
  auto r = topology::load_string(text, "test.toml");
  EXPECT_TRUE(r.ok()) << r.render();
  ::netlab::testing::FixedKeySource keys;
  return make_plan(*r.topology, options(), keys);
}

std::string read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, PlanMatchesGoldenFile) {
  const std::string src = std::string(NETLAB_SOURCE_DIR) + "/topologies/" + GetParam() + ".toml";
  const std::string golden = std::string(NETLAB_TEST_DATA) + "/plan/" + GetParam() + ".plan";
  // The topology path is printed; make it the same wherever the tree is.
  auto r = topology::load_and_validate(src);
  ASSERT_TRUE(r.ok()) << r.render();
  r.topology->path = "topologies/" + GetParam() + ".toml";
  ::netlab::testing::FixedKeySource keys;
  std::string got = describe(make_plan(*r.topology, options(), keys), true);
  if (std::getenv("NETLAB_UPDATE_GOLDEN")) {
    std::ofstream(golden) << got;
    GTEST_SKIP() << "updated " << golden;
  }
  ASSERT_TRUE(fs::exists(golden)) << golden << " is missing; run with NETLAB_UPDATE_GOLDEN=1";
  EXPECT_EQ(got, read(golden)) << "the plan of " << src << " changed; if intended, regenerate "
                               << golden << " with NETLAB_UPDATE_GOLDEN=1";
}

std::vector<std::string> catalogue() {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(std::string(NETLAB_SOURCE_DIR) + "/topologies"))
    if (e.path().extension() == ".toml") names.push_back(e.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

INSTANTIATE_TEST_SUITE_P(Catalogue, Golden, ::testing::ValuesIn(catalogue()),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (auto& c : n)
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n;
                         });

const Plan& hybrid() {
  static const Plan p = plan_of_file(std::string(NETLAB_SOURCE_DIR) + "/topologies/hybrid-backup.toml");
  return p;
}

TEST(Planner, NamesEveryNamespaceAfterTheLab) {
  for (const auto& n : hybrid().nodes) EXPECT_EQ(n.ns, "nl-hybrid-" + n.name);
  EXPECT_EQ(hybrid().runtime_dir, "/run/netlab/hybrid");
}

TEST(Planner, KeepsExplicitSubnetsAndAllocatesTheRestFromThePool) {
  const auto* dx1 = hybrid().link("dx1");
  ASSERT_TRUE(dx1);
  EXPECT_EQ(dx1->subnet.str(), "169.254.10.0/30");
  EXPECT_EQ(dx1->a.address.str(), "169.254.10.1/30");
  EXPECT_EQ(dx1->b.address.str(), "169.254.10.2/30");
  const auto* backbone = hybrid().link("dx-ny5-vgw");
  ASSERT_TRUE(backbone);
  EXPECT_TRUE(Ipv4Prefix::parse("10.255.0.0/16")->contains(backbone->subnet));
}

TEST(Planner, HostSubnetsComeFromTheRoutersAnnouncedPrefix) {
  // server's link to cgw lies in 10.0.0.0/24, which cgw announces: the
  // far side can reach the host through BGP.
  const auto* l = hybrid().link("server-cgw");
  ASSERT_TRUE(l);
  EXPECT_TRUE(Ipv4Prefix::parse("10.0.0.0/24")->contains(l->subnet));
  const auto* app = hybrid().link("vgw-app");
  EXPECT_TRUE(Ipv4Prefix::parse("10.100.0.0/16")->contains(app->subnet));
}

TEST(Planner, HostsGetADefaultRouteToTheirRouter) {
  const auto* server = hybrid().node("server");
  ASSERT_EQ(server->routes.size(), 1u);
  EXPECT_EQ(server->routes[0].dst.str(), "0.0.0.0/0");
  EXPECT_EQ(server->routes[0].nexthops.at(0).via, hybrid().node("cgw")->iface_on("server-cgw")->address.addr);
}

TEST(Planner, ARouterWithoutAnnouncementsStillAnnouncesItsHostsSubnet) {
  Plan p = plan_of_text(R"(
[lab]
name = "t"
[nodes.h1]
role = "host"
[nodes.r1]
role = "router"
asn = 65001
[nodes.r2]
role = "router"
asn = 65002
[nodes.h2]
role = "host"
[[links]]
endpoints = ["h1", "r1"]
[[links]]
endpoints = ["r1", "r2"]
[[links]]
endpoints = ["r2", "h2"]
)");
  const auto* r1 = p.node("r1");
  ASSERT_EQ(r1->announce.size(), 1u);
  EXPECT_EQ(r1->announce[0], p.link("h1-r1")->subnet);
  // ... and r2 is expected to learn it.
  bool learned = false;
  for (const auto& e : p.expected_routes) learned |= e.node == "r2" && e.prefix == r1->announce[0];
  EXPECT_TRUE(learned);
}

TEST(Planner, SessionsFollowTheirLinksKind) {
  std::map<std::string, const Session*> by;
  for (const auto& s : hybrid().sessions) by[s.over] = &s;
  ASSERT_TRUE(by.count("dx1") && by.count("dx-ny5-vgw") && by.count("vpn1-t1"));
  // DX: AWS's timers, BFD 300 ms x 3, eBGP.
  EXPECT_EQ(by["dx1"]->kind, SessionKind::Dx);
  EXPECT_EQ(by["dx1"]->timers, (BgpTimers{30, 90}));
  ASSERT_TRUE(by["dx1"]->bfd);
  EXPECT_EQ(*by["dx1"]->bfd, (BfdTimers{300, 3}));
  EXPECT_FALSE(by["dx1"]->ibgp());
  // Between two AWS routers: the backbone, iBGP, BFD on.
  EXPECT_EQ(by["dx-ny5-vgw"]->kind, SessionKind::Backbone);
  EXPECT_TRUE(by["dx-ny5-vgw"]->ibgp());
  EXPECT_TRUE(by["dx-ny5-vgw"]->bfd);
  // VPN: keepalive 10 / hold 30, no BFD.
  EXPECT_EQ(by["vpn1-t1"]->kind, SessionKind::Vpn);
  EXPECT_EQ(by["vpn1-t1"]->timers, (BgpTimers{10, 30}));
  EXPECT_FALSE(by["vpn1-t1"]->bfd);
  // No BGP with hosts or the internet.
  EXPECT_EQ(hybrid().sessions.size(), 6u);
}

TEST(Planner, ExpectedRoutesRespectAwsHubsAndAsPathLoops) {
  std::set<std::pair<std::string, std::string>> has;
  for (const auto& e : hybrid().expected_routes) has.insert({e.node, e.prefix.str()});
  // Customer prefix reaches every AWS router; AWS prefix reaches the customer.
  for (const char* n : {"dx-ny5", "vgw", "vpn-az1", "vpn-az2"}) EXPECT_TRUE(has.count({n, "10.0.0.0/24"})) << n;
  EXPECT_TRUE(has.count({"cgw", "10.100.0.0/16"}));
  // Nobody is expected to hold its own prefix, and hosts run no BGP.
  EXPECT_FALSE(has.count({"cgw", "10.0.0.0/24"}));
  EXPECT_FALSE(has.count({"server", "10.100.0.0/16"}));
}

TEST(Planner, TunnelsGetInsideAddressesKeysAndDistinctPorts) {
  const auto* t1 = hybrid().tunnel("vpn1-t1");
  const auto* t2 = hybrid().tunnel("vpn1-t2");
  ASSERT_TRUE(t1 && t2);
  EXPECT_EQ(t1->a.inside.str(), "169.254.20.1/30");
  EXPECT_EQ(t1->b.inside.str(), "169.254.20.2/30");
  EXPECT_NE(t1->a.listen_port, t2->a.listen_port);  // both end at cgw
  EXPECT_EQ(t1->a.outer, hybrid().node("cgw")->iface_on("cgw-internet")->address.addr);
  EXPECT_NE(t1->a.keys.private_key, t1->b.keys.private_key);
  EXPECT_EQ(t1->a.run_dir, "/run/netlab/hybrid/nodes/cgw/run");
}

TEST(Planner, TheUnderlayIsStaticAndReachesEveryTunnelEnd) {
  const auto* cgw = hybrid().node("cgw");
  std::set<std::string> dsts;
  for (const auto& r : cgw->routes) dsts.insert(r.dst.str());
  EXPECT_TRUE(dsts.count(hybrid().link("vpn-az1-internet")->subnet.str()));
  EXPECT_TRUE(dsts.count(hybrid().link("vpn-az2-internet")->subnet.str()));
}

TEST(Planner, AllocatesTunnelInsidesAvoidingAwsReservedRanges) {
  Plan p = plan_of_text(R"(
[lab]
name = "t"
[nodes.a]
role = "customer"
asn = 65000
[nodes.b]
role = "aws-vpn"
asn = 64512
[nodes.i]
role = "internet"
[[links]]
kind = "internet"
endpoints = ["a", "i"]
[[links]]
kind = "internet"
endpoints = ["b", "i"]
[[tunnels]]
name = "t1"
endpoints = ["a", "b"]
)");
  Ipv4Prefix inside = p.tunnel("t1")->inside;
  EXPECT_EQ(inside.len, 30);
  EXPECT_TRUE(Ipv4Prefix::parse("169.254.0.0/16")->contains(inside));
  // AWS reserves 169.254.0.0/30, 169.254.1.0/30, ... 169.254.5.0/30 and 169.254.169.252/30.
  for (const char* r : {"169.254.0.0/30", "169.254.1.0/30", "169.254.2.0/30", "169.254.3.0/30",
                        "169.254.4.0/30", "169.254.5.0/30", "169.254.169.252/30"})
    EXPECT_FALSE(Ipv4Prefix::parse(r)->overlaps(inside)) << inside.str();
}

TEST(Planner, APoolTooSmallIsAnInputErrorPointingAtTheLink) {
  auto r = topology::load_string(R"([lab]
name = "t"
pool = "10.9.0.0/30"
[nodes.a]
role = "router"
asn = 65001
[nodes.b]
role = "router"
asn = 65002
[nodes.c]
role = "router"
asn = 65003
[[links]]
endpoints = ["a", "b"]
[[links]]
endpoints = ["b", "c"]
)", "small.toml");
  ::netlab::testing::FixedKeySource keys;
  try {
    make_plan(*r.topology, options(), keys);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("small.toml:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("b-c"), std::string::npos) << e.what();
  }
}

TEST(Planner, DaemonsReadTheirOwnShareOfTheConfig) {
  const auto* cgw = hybrid().node("cgw");
  ASSERT_EQ(cgw->daemons.size(), 4u);
  for (const auto& d : cgw->daemons) {
    EXPECT_EQ(d.spec.ns, "nl-hybrid-cgw");
    auto it = std::find(d.spec.argv.begin(), d.spec.argv.end(), "-f");
    ASSERT_NE(it, d.spec.argv.end());
    EXPECT_EQ(*(it + 1), cgw->frr_dir + "/" + d.name + ".conf");
    EXPECT_TRUE(cgw->frr_daemon_configs.count(d.name));
  }
  EXPECT_NE(cgw->frr_daemon_configs.at("bgpd").find("router bgp 65000"), std::string::npos);
  EXPECT_EQ(cgw->frr_daemon_configs.at("bfdd").find("router bgp"), std::string::npos);
  EXPECT_NE(cgw->frr_daemon_configs.at("bfdd").find("profile bfd-300x3"), std::string::npos);
  EXPECT_NE(cgw->frr_daemon_configs.at("staticd").find("ip route 10.0.0.0/24 blackhole"), std::string::npos);
}

TEST(Planner, VgwPicksOnePathAndPrefersDx) {
  const auto& conf = hybrid().node("vgw")->frr_config;
  EXPECT_NE(conf.find("maximum-paths 1\n"), std::string::npos);
  const auto& dx = hybrid().node("dx-ny5")->frr_config;
  EXPECT_NE(dx.find("set local-preference 7200"), std::string::npos);
  // AWS's limit of 100, as FRR 8.4 needs it (frr_config.h: it lets one more through).
  EXPECT_NE(dx.find("maximum-prefix 99\n"), std::string::npos);
  const auto& cgw = hybrid().node("cgw")->frr_config;
  EXPECT_NE(cgw.find("route-map FROM-dx1 permit 10\n set local-preference 200"), std::string::npos);
}

TEST(FrrSplit, SendsEachStanzaToTheDaemonsThatOwnIt) {
  auto parts = split_frr_config(
      "hostname r\nlog file /x\n!\nip route 10.0.0.0/8 blackhole\n!\nbfd\n profile p\n  detect-multiplier 3\n exit\nexit\n"
      "!\nroute-map M permit 10\n set metric 5\nexit\n!\nrouter bgp 1\n neighbor 1.1.1.1 remote-as 2\nexit\n");
  for (const auto& d : frr_daemons()) {
    EXPECT_NE(parts[d].find("hostname r"), std::string::npos) << d;
    EXPECT_NE(parts[d].find("log file /x"), std::string::npos) << d;
  }
  EXPECT_NE(parts["staticd"].find("ip route"), std::string::npos);
  EXPECT_EQ(parts["bgpd"].find("ip route"), std::string::npos);
  // bgpd must never see the bfd block: its `exit` would end configuration mode.
  EXPECT_EQ(parts["bgpd"].find("profile p"), std::string::npos);
  EXPECT_NE(parts["bfdd"].find("profile p"), std::string::npos);
  EXPECT_NE(parts["bgpd"].find(" set metric 5"), std::string::npos);
  EXPECT_NE(parts["zebra"].find(" set metric 5"), std::string::npos);  // zebra uses route-maps too
  EXPECT_EQ(parts["bfdd"].find("route-map"), std::string::npos);
  EXPECT_NE(parts["bgpd"].find(" neighbor 1.1.1.1 remote-as 2"), std::string::npos);
  EXPECT_EQ(parts["zebra"].find("router bgp"), std::string::npos);
}

TEST(Keys, DerivesTheRfc7748PublicKey) {
  // RFC 7748 section 6.1, Alice's key pair, in base64.
  EXPECT_EQ(wireguard_public_key("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="),
            "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=");
  EXPECT_EQ(base64_to_hex("hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="),
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
}

TEST(Keys, GeneratedPairsAreClampedAndConsistent) {
  auto keys = make_key_source();
  auto a = keys->wireguard_keypair();
  auto b = keys->wireguard_keypair();
  EXPECT_NE(a.private_key, b.private_key);
  EXPECT_EQ(wireguard_public_key(a.private_key), a.public_key);
  std::string hex = base64_to_hex(a.private_key);
  int first = std::stoi(hex.substr(0, 2), nullptr, 16), last = std::stoi(hex.substr(62, 2), nullptr, 16);
  EXPECT_EQ(first & 7, 0);
  EXPECT_EQ(last & 0xC0, 0x40);
  EXPECT_THROW(base64_to_hex("not a key"), Error);
}

}  // namespace
}  // namespace netlab::plan
