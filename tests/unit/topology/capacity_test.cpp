// The design warning on the backup's capacity (topology/capacity.h): a VGW's
// single tunnel against a load sized to the DX, after the scale; no warning
// where the load fits, where the scenario asserts the shortfall, or where a
// Transit Gateway spreads the load over enough tunnels by ECMP.
#include <gtest/gtest.h>

#include "netlab/topology/capacity.h"
#include "netlab/topology/loader.h"
#include "netlab/topology/validate.h"

namespace netlab::topology {
namespace {

// hybrid-backup's shape: a 10G DX and two VGW tunnels, at scale 100.
std::string vgw_lab(const std::string& gateway_role, const std::string& extra) {
  return R"([lab]
name = "t"
scale = 100
probe = { from = "h1", to = "h2", interval_ms = 5 }
[nodes.h1]
role = "host"
[nodes.cgw]
role = "customer"
asn = 65000
announce = ["10.0.0.0/24"]
[nodes.dx]
role = "aws-dx"
asn = 64512
[nodes.gw]
role = ")" + gateway_role + R"("
asn = 64512
announce = ["10.100.0.0/16"]
[nodes.vpn1]
role = "aws-vpn"
asn = 64512
[nodes.vpn2]
role = "aws-vpn"
asn = 64512
[nodes.inet]
role = "internet"
[nodes.h2]
role = "host"
[[links]]
endpoints = ["h1", "cgw"]
[[links]]
name = "dx1"
kind = "dx"
endpoints = ["cgw", "dx"]
speed = "10G"
[[links]]
endpoints = ["dx", "gw"]
[[links]]
endpoints = ["vpn1", "gw"]
[[links]]
endpoints = ["vpn2", "gw"]
[[links]]
endpoints = ["gw", "h2"]
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
)" + extra;
}

LoadResult checked(const std::string& text) {
  LoadResult r = load_string(text, "t.toml");
  if (r.topology) validate(*r.topology, r.diagnostics);
  return r;
}

const std::string kCut = "[[scenarios]]\nname = \"cut\"\nfault = { cut = \"dx1\" }\n";

std::string traffic(double rate_mbit) {
  return "[[traffic]]\nfrom = \"h1\"\nto = \"h2\"\nrate_mbit = " + std::to_string(rate_mbit) + "\n";
}

TEST(Capacity, AVgwsSingleTunnelCannotCarryALoadSizedToTheDx) {
  LoadResult r = checked(vgw_lab("vgw", traffic(8000) + kCut));
  ASSERT_TRUE(r.ok()) << r.render();
  const auto s = backup_shortfalls(*r.topology, r.topology->scenarios[0]);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].from, "h1");
  EXPECT_EQ(s[0].to, "h2");
  EXPECT_DOUBLE_EQ(s[0].demand_mbit, 80);
  EXPECT_DOUBLE_EQ(s[0].capacity_mbit, 12.5);  // 1.25 Gbit/s / 100
  EXPECT_FALSE(s[0].ecmp);
  const std::string text = r.render();
  EXPECT_NE(text.find("t.toml:64:9: warning: scenario \"cut\": while fault \"cut dx1\" holds, the paths from \"h1\" to "
                      "\"h2\" carry at most 12.5 Mbit/s (tunnel \"t"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("but its traffic offers 80 Mbit/s (both after [lab] scale 100)"), std::string::npos) << text;
  EXPECT_NE(text.find("a VGW sends over one tunnel"), std::string::npos) << text;
}

TEST(Capacity, NoWarningWhenTheLoadFitsOrTheScenarioAssertsTheShortfall) {
  EXPECT_TRUE(checked(vgw_lab("vgw", traffic(1000) + kCut)).diagnostics.items().empty());
  EXPECT_TRUE(checked(vgw_lab("vgw", traffic(8000) + kCut + "expect = { max_delivered_pct = 30 }\n"))
                  .diagnostics.items()
                  .empty());
  // Before the fault the DX carries it: a scenario whose fault spares the DX
  // has nothing to warn about.
  EXPECT_TRUE(checked(vgw_lab("vgw", traffic(8000) + "[[scenarios]]\nname = \"t1\"\nfault = { maintenance = \"t1\" }\n"))
                  .diagnostics.items()
                  .empty());
}

TEST(Capacity, APacketRateLimitBoundsSmallPackets) {
  // 140,000 packets/s / 100 of 200-byte packets: 2.24 Mbit/s per tunnel.
  LoadResult r = checked(vgw_lab("vgw", "[[traffic]]\nfrom = \"h1\"\nto = \"h2\"\nrate_mbit = 500\nsize = 200\n" + kCut));
  const auto s = backup_shortfalls(*r.topology, r.topology->scenarios[0]);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_NEAR(s[0].capacity_mbit, 2.24, 1e-9);
}

TEST(Capacity, ATransitGatewaySpreadsTheLoadOverItsTunnels) {
  // Two tunnels of 12.5 Mbit/s each: 20 fits by ECMP, 30 does not.
  LoadResult fits = checked(vgw_lab("tgw", traffic(2000) + kCut));
  EXPECT_TRUE(backup_shortfalls(*fits.topology, fits.topology->scenarios[0]).empty()) << fits.render();
  LoadResult over = checked(vgw_lab("tgw", traffic(3000) + kCut));
  const auto s = backup_shortfalls(*over.topology, over.topology->scenarios[0]);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_TRUE(s[0].ecmp);
  EXPECT_DOUBLE_EQ(s[0].capacity_mbit, 25);
  EXPECT_NE(over.render().find("carry at most 25 Mbit/s spread over them by ECMP"), std::string::npos) << over.render();
}

}  // namespace
}  // namespace netlab::topology
