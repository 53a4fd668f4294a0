// A router's own FRR config: the daemons it needs, how its frr.conf is split
// among them, and the sessions and routes the planner derives from it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "netlab/plan/frr_split.h"
#include "netlab/plan/own_config.h"
#include "netlab/plan/planner.h"
#include "netlab/topology/loader.h"

namespace netlab::plan {
namespace {

namespace fs = std::filesystem;

// As FRR 10 writes it (show running-config), for an OSPF router with a host.
const char* kOspf = R"(frr version 10.5.1
frr defaults traditional
hostname r1
no ipv6 forwarding
!
interface eth1
 ip address 10.1.0.1/24
!
interface eth3
 ip address 10.11.0.1/24
!
interface lo
 ip address 10.10.10.1/32
!
router ospf
 passive-interface eth3
 network 10.1.0.0/24 area 0.0.0.0
 network 10.11.0.0/24 area 0.0.0.0
 network 10.10.10.1/32 area 0.0.0.0
exit
!
line vty
!
)";

TEST(OwnConfig, StartsTheDaemonsItsStanzasNeed) {
  EXPECT_EQ(read_own_config(kOspf).daemons, (std::vector<std::string>{"zebra", "ospfd"}));
  EXPECT_EQ(read_own_config("router bgp 65001\n neighbor 10.0.0.2 remote-as 65002\n neighbor 10.0.0.2 bfd\nexit\n"
                            "ip route 10.9.0.0/16 blackhole\n")
                .daemons,
            (std::vector<std::string>{"zebra", "staticd", "bfdd", "bgpd"}));
  // Enabled per interface only.
  EXPECT_EQ(read_own_config("interface eth1\n ip router isis core\n isis network point-to-point\nexit\n"
                            "router isis core\n net 49.0001.0000.0000.0001.00\nexit\n")
                .daemons,
            (std::vector<std::string>{"zebra", "isisd"}));
  EXPECT_EQ(read_own_config("router rip\n network eth1\nexit\nrouter ospf6\nexit\nrouter eigrp 10\nexit\n"
                            "router babel\nexit\nrouter openfabric f\nexit\n")
                .daemons,
            (std::vector<std::string>{"zebra", "ospf6d", "fabricd", "ripd", "eigrpd", "babeld"}));
  EXPECT_EQ(read_own_config("interface eth1\n ip ospf area 0\n ip ospf bfd\nexit\n").daemons,
            (std::vector<std::string>{"zebra", "bfdd", "ospfd"}));
  // Nothing but addresses: zebra alone.
  EXPECT_EQ(read_own_config("interface eth21\n ip address 12.12.12.2/24\n!\n").daemons,
            (std::vector<std::string>{"zebra"}));
}

TEST(OwnConfig, ReadsAddressesAndWhereEachProtocolRuns) {
  auto c = read_own_config(kOspf);
  ASSERT_EQ(c.addresses.at("eth1").size(), 1u);
  EXPECT_EQ(c.addresses.at("eth1")[0].str(), "10.1.0.1/24");
  EXPECT_EQ(c.addresses.at("lo")[0].str(), "10.10.10.1/32");
  const auto& o = c.igps.at("ospfd");
  EXPECT_EQ(o.networks.size(), 3u);
  EXPECT_TRUE(o.passive.count("eth3"));
  auto b = read_own_config("router bgp 65001\n no bgp ebgp-requires-policy\n neighbor 10.0.0.2 remote-as 65002\n"
                           " !\n address-family ipv4 unicast\n  network 10.9.0.0/16\n"
                           "  neighbor 10.0.0.2 route-map X in\n exit-address-family\nexit\n");
  EXPECT_EQ(b.bgp_asn, 65001u);
  EXPECT_FALSE(b.ebgp_requires_policy);
  ASSERT_EQ(b.bgp_neighbors.size(), 1u);
  EXPECT_EQ(b.bgp_neighbors[0].remote_as, "65002");
  EXPECT_TRUE(b.bgp_neighbors[0].policy);
  ASSERT_EQ(b.bgp_networks.size(), 1u);
  EXPECT_EQ(b.bgp_networks[0].str(), "10.9.0.0/16");
}

TEST(FrrSplit, GivesAnInteriorProtocolItsStanzasAndTheInterfaces) {
  auto c = read_own_config(kOspf);
  auto parts = split_frr_config(kOspf, c.daemons);
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_NE(parts["ospfd"].find("router ospf\n passive-interface eth3"), std::string::npos);
  EXPECT_NE(parts["ospfd"].find("interface eth1\n"), std::string::npos);
  EXPECT_NE(parts["ospfd"].find("hostname r1"), std::string::npos);
  EXPECT_EQ(parts["zebra"].find("router ospf"), std::string::npos);
  EXPECT_NE(parts["zebra"].find(" ip address 10.1.0.1/24"), std::string::npos);
  // "router ospf6" is ospf6d's, not ospfd's.
  auto six = split_frr_config("router ospf6\n ospf6 router-id 1.1.1.1\nexit\n", {"zebra", "ospfd", "ospf6d"});
  EXPECT_EQ(six["ospfd"].find("ospf6 router-id"), std::string::npos);
  EXPECT_NE(six["ospf6d"].find("ospf6 router-id"), std::string::npos);
}

// Two OSPF routers, each with a host; then the same with eBGP.
class OwnConfigPlan : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("netlab-own-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  Plan plan(const std::string& toml) {
    write("lab.toml", toml);
    auto r = topology::load_and_validate((dir_ / "lab.toml").string());
    EXPECT_TRUE(r.ok()) << r.render();
    PlanOptions o;
    o.templates_dir = std::string(NETLAB_SOURCE_DIR) + "/frr-templates";
    struct Keys : KeySource {
      KeyPair wireguard_keypair() override { return {"a", "b"}; }
      std::string preshared_key() override { return "p"; }
    } keys;
    return make_plan(*r.topology, o, keys);
  }
  fs::path dir_;
};

const char* kTwoRouters = R"([lab]
name = "own"
[nodes.r1]
role = "router"
asn = 65001
config = "r1.conf"
[nodes.r2]
role = "router"
asn = 65002
config = "r2.conf"
[nodes.h1]
role = "host"
[nodes.h2]
role = "host"
[[links]]
endpoints = ["r1:eth1", "r2:eth1"]
subnet = "10.1.0.0/24"
bgp = false
[[links]]
endpoints = ["r1:eth3", "h1:eth1"]
subnet = "10.11.0.0/24"
[[links]]
endpoints = ["r2:eth3", "h2:eth1"]
subnet = "10.12.0.0/24"
)";

bool expects(const Plan& p, const std::string& node, const std::string& prefix) {
  for (const auto& e : p.expected_routes)
    if (e.node == node && e.prefix.str() == prefix) return true;
  return false;
}

TEST_F(OwnConfigPlan, WaitsForTheRoutesAnOspfDomainInstalls) {
  write("r1.conf", kOspf);
  write("r2.conf",
        "hostname r2\ninterface eth1\n ip address 10.1.0.2/24\n!\ninterface eth3\n ip address 10.12.0.1/24\n!\n"
        "interface lo\n ip address 10.10.10.2/32\n!\nrouter ospf\n passive-interface eth3\n"
        " network 10.0.0.0/8 area 0\n!\n");
  auto p = plan(kTwoRouters);
  std::vector<std::string> names;
  for (const auto& d : p.node("r1")->daemons) names.push_back(d.name);
  EXPECT_EQ(names, (std::vector<std::string>{"zebra", "ospfd"}));
  EXPECT_EQ(p.node("r1")->frr_daemon_configs.size(), 2u);
  EXPECT_TRUE(p.sessions.empty());
  EXPECT_TRUE(expects(p, "r1", "10.12.0.0/24"));
  EXPECT_TRUE(expects(p, "r1", "10.10.10.2/32"));
  EXPECT_TRUE(expects(p, "r2", "10.11.0.0/24"));
  EXPECT_TRUE(expects(p, "r2", "10.10.10.1/32"));
  EXPECT_FALSE(expects(p, "r1", "10.1.0.0/24"));  // its own connected subnet
}

TEST_F(OwnConfigPlan, AnOspfDomainSplitByAPassiveLinkIsTwoDomains) {
  write("r1.conf", kOspf);
  write("r2.conf", "hostname r2\nrouter ospf\n passive-interface default\n network 10.0.0.0/8 area 0\n!\n");
  auto p = plan(kTwoRouters);
  EXPECT_FALSE(expects(p, "r1", "10.12.0.0/24"));
  EXPECT_FALSE(expects(p, "r2", "10.11.0.0/24"));
}

TEST_F(OwnConfigPlan, WaitsForTheSessionsAndRoutesOfEbgpConfigs) {
  const char* bgp = R"(hostname r%d
interface eth1
 ip address 10.1.0.%d/24
!
router bgp 6500%d
 no bgp ebgp-requires-policy
 neighbor 10.1.0.%d remote-as 6500%d
 address-family ipv4 unicast
  network 10.1%d.0.0/24
 exit-address-family
exit
)";
  char buf[512];
  std::snprintf(buf, sizeof buf, bgp, 1, 1, 1, 2, 2, 1);
  write("r1.conf", buf);
  std::snprintf(buf, sizeof buf, bgp, 2, 2, 2, 1, 1, 2);
  write("r2.conf", buf);
  auto p = plan(kTwoRouters);
  std::vector<std::string> names;
  for (const auto& d : p.node("r2")->daemons) names.push_back(d.name);
  EXPECT_EQ(names, (std::vector<std::string>{"zebra", "bgpd"}));
  ASSERT_EQ(p.sessions.size(), 1u);
  EXPECT_EQ(p.sessions[0].a_asn, 65001u);
  EXPECT_EQ(p.sessions[0].b_addr.str(), "10.1.0.2");
  EXPECT_TRUE(expects(p, "r1", "10.12.0.0/24"));
  EXPECT_TRUE(expects(p, "r2", "10.11.0.0/24"));
  // Without `no bgp ebgp-requires-policy` FRR exchanges nothing: no route expected.
  std::string strict = buf;
  const std::string off = " no bgp ebgp-requires-policy\n";
  strict.erase(strict.find(off), off.size());
  write("r2.conf", strict);
  auto q = plan(kTwoRouters);
  EXPECT_FALSE(expects(q, "r1", "10.12.0.0/24"));
}

}  // namespace
}  // namespace netlab::plan
