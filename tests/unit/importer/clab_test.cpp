// netlab import clab: exec lines it takes over, reports or refuses; kinds it
// refuses; and the topologies it prints validate and plan.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "netlab/base/error.h"
#include "netlab/importer/clab.h"
#include "netlab/plan/planner.h"
#include "netlab/topology/loader.h"

namespace netlab::importer {
namespace {

namespace fs = std::filesystem;
const std::string kData = std::string(NETLAB_TEST_DATA) + "/import";

TEST(ExecLine, TakesOverAddressesInEveryOrderIproute2Accepts) {
  for (const char* l : {"ip addr add 192.168.11.2/24 dev eth1", "ip address add dev eth1 192.168.11.2/24",
                        "ip a add 192.168.11.2/24 dev eth1 brd +", "ip -4 addr replace 192.168.11.2/24 dev eth1",
                        "\"ip address add dev eth1 192.168.11.2/24\""}) {
    auto e = parse_exec_line(l);
    // A line quoted whole is one word: not something netlab runs.
    if (std::string(l)[0] == '"') {
      EXPECT_EQ(e.kind, ExecLine::Kind::Unsupported) << l;
      continue;
    }
    ASSERT_EQ(e.kind, ExecLine::Kind::Address) << l << ": " << e.why;
    EXPECT_EQ(e.dev, "eth1");
    EXPECT_EQ(e.prefix.str(), "192.168.11.2/24");
  }
}

TEST(ExecLine, TakesOverRoutesWithAGateway) {
  auto e = parse_exec_line("ip route add 192.168.0.0/16 via 192.168.11.1 dev eth1");
  ASSERT_EQ(e.kind, ExecLine::Kind::Route);
  EXPECT_EQ(e.prefix.str(), "192.168.0.0/16");
  EXPECT_EQ(e.via->str(), "192.168.11.1");
  auto d = parse_exec_line("ip route replace default via 10.0.0.1");
  ASSERT_EQ(d.kind, ExecLine::Kind::Route);
  EXPECT_EQ(d.prefix.str(), "0.0.0.0/0");
}

TEST(ExecLine, ReportsWhatItDoesNotTakeOver) {
  EXPECT_EQ(parse_exec_line("ip link set eth1 up").kind, ExecLine::Kind::Ignored);
  for (const char* l : {"sysctl -w net.ipv4.ip_forward=1", "iptables -t nat -A POSTROUTING -j MASQUERADE",
                        "ip route add 10.0.0.0/8 dev eth1", "ip link add br0 type bridge",
                        "ip addr add 2001:db8::1/64 dev eth1", "ip route add 10.0.0.0/8 via 10.1.1.1 table 5",
                        "bash -c 'ip addr add 10.0.0.1/24 dev eth1'", "ip link set eth1 mtu 9000"}) {
    auto e = parse_exec_line(l);
    EXPECT_EQ(e.kind, ExecLine::Kind::Unsupported) << l;
    EXPECT_FALSE(e.why.empty()) << l;
  }
}

// Writes the imported topology where `import_clab` was told it goes and
// validates it there.
class Import : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("netlab-import-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  topology::Topology validated(const Imported& r) {
    std::ofstream(dir_ / "lab.toml") << r.toml;
    auto v = topology::load_and_validate((dir_ / "lab.toml").string());
    EXPECT_TRUE(v.ok()) << v.render() << "\n" << r.toml;
    EXPECT_EQ(v.diagnostics.warning_count(), 0u) << v.render();
    return v.ok() ? *v.topology : topology::Topology{};
  }
  plan::Plan planned(const topology::Topology& t) {
    plan::PlanOptions o;
    o.templates_dir = std::string(NETLAB_SOURCE_DIR) + "/frr-templates";
    struct Keys : plan::KeySource {
      plan::KeyPair wireguard_keypair() override { return {"a", "b"}; }
      std::string preshared_key() override { return "p"; }
    } keys;
    return plan::make_plan(t, o, keys);
  }
  fs::path dir_;
};

bool expects(const plan::Plan& p, const std::string& node, const std::string& prefix) {
  for (const auto& e : p.expected_routes)
    if (e.node == node && e.prefix.str() == prefix) return true;
  return false;
}

TEST_F(Import, ContainerlabsOspfExampleBecomesATopologyThatValidatesAndPlans) {
  auto r = import_clab(kData + "/frr01/frr01.clab.yml", dir_.string());
  auto t = validated(r);
  ASSERT_EQ(t.nodes.size(), 6u);
  EXPECT_EQ(t.lab.name, "frr01");
  EXPECT_EQ(t.node("router1")->role, topology::Role::Router);
  EXPECT_EQ(t.node("pc1")->role, topology::Role::Host);
  EXPECT_TRUE(fs::equivalent(*t.node("router2")->config, kData + "/frr01/router2/frr.conf"));
  // Interface names kept; the end with the subnet's first address first.
  EXPECT_NE(r.toml.find("endpoints = [\"router1:eth3\", \"pc1:eth1\"]\nsubnet = \"192.168.11.0/24\""),
            std::string::npos)
      << r.toml;
  EXPECT_NE(r.toml.find("endpoints = [\"router1:eth1\", \"router2:eth1\"]\nsubnet = \"192.168.1.0/24\"\nbgp = false"),
            std::string::npos);
  // `ip link set eth1 up` is reported, never dropped silently; the routes
  // are covered by the host's default route.
  size_t link_up = 0;
  for (const auto& n : r.notes) link_up += n.find("ip link set eth1 up") != std::string::npos;
  EXPECT_EQ(link_up, 3u);
  EXPECT_NE(r.toml.find("# exec `ip route add 10.10.10.0/24 via 192.168.11.1 dev eth1`: covered by the default "
                        "route via router1"),
            std::string::npos);

  auto p = planned(t);
  std::vector<std::string> names;
  for (const auto& d : p.node("router3")->daemons) names.push_back(d.name);
  EXPECT_EQ(names, (std::vector<std::string>{"zebra", "ospfd"}));
  EXPECT_TRUE(p.sessions.empty());
  EXPECT_EQ(p.node("pc1")->ifaces.at(0).address.str(), "192.168.11.2/24");
  EXPECT_TRUE(expects(p, "router1", "192.168.13.0/24"));  // PC3's subnet, over OSPF
  // Its loopback is in no `network` statement: OSPF does not carry it.
  EXPECT_FALSE(expects(p, "router3", "10.10.10.1/32"));
  EXPECT_TRUE(expects(p, "router2", "192.168.2.0/24"));
}

TEST_F(Import, AnEbgpLabGivenTheThreeWaysBecomesSessionsAndRoutes) {
  auto r = import_clab(kData + "/bgp/bgp3.clab.yml", dir_.string());
  auto t = validated(r);
  EXPECT_EQ(t.node("r1")->asn, 65001u);
  EXPECT_EQ(t.node("r3")->asn, 65003u);
  EXPECT_TRUE(fs::equivalent(*t.node("r2")->config, kData + "/bgp/configs/r2/frr.conf"));
  EXPECT_NE(r.toml.find("endpoints = [\"r3:eth2\", \"r1:eth2\"]\nsubnet = \"10.0.13.0/30\""), std::string::npos)
      << r.toml;
  auto p = planned(t);
  EXPECT_EQ(p.sessions.size(), 3u);
  EXPECT_TRUE(expects(p, "r1", "10.3.3.0/24"));
  EXPECT_TRUE(expects(p, "r2", "10.9.9.3/32"));
  EXPECT_TRUE(expects(p, "r3", "10.1.1.0/24"));
}

TEST_F(Import, PathsAreRelativeToWhereTheTopologyIsWritten) {
  auto r = import_clab(kData + "/bgp/bgp3.clab.yml", kData + "/bgp");
  EXPECT_NE(r.toml.find("config = \"configs/r1.conf\""), std::string::npos) << r.toml;
  EXPECT_NE(r.toml.find("config = \"configs/r2/frr.conf\""), std::string::npos);
}

std::string refusal(const std::string& file) {
  try {
    import_clab(file, "");
  } catch (const InputError& e) {
    EXPECT_EQ(e.exit_code(), 2);
    return e.what();
  }
  ADD_FAILURE() << file << " was not refused";
  return "";
}

TEST(ImportRefuses, KindsItCannotEmulateByNameAndLine) {
  std::string f = kData + "/refused/kinds.clab.yml";
  std::string m = refusal(f);
  EXPECT_NE(m.find(f + ":4:5: error: node \"srl\" is of kind nokia_srlinux, which netlab cannot emulate"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find(f + ":12:5: error: node \"br1\" is of kind bridge"), std::string::npos) << m;
}

TEST(ImportRefuses, ALinuxNodeWithTwoLinks) {
  std::string m = refusal(kData + "/refused/two-links.clab.yml");
  EXPECT_NE(m.find("linux node \"gw\" has 2 links"), std::string::npos) << m;
}

TEST(ImportRefuses, AddressesNetlabCannotPlace) {
  std::string m = refusal(kData + "/refused/addresses.clab.yml");
  EXPECT_NE(m.find("first two addresses of its subnet (192.168.1.1 and 192.168.1.2 in 192.168.1.0/24)"),
            std::string::npos)
      << m;
}

TEST(ImportRefuses, AFileThatIsNotContainerlabs) {
  EXPECT_NE(refusal(kData + "/README.md").find("error:"), std::string::npos);
  EXPECT_NE(refusal(kData + "/missing.clab.yml").find("cannot read"), std::string::npos);
}

}  // namespace
}  // namespace netlab::importer
