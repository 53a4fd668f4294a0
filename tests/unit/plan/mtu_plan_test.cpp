// The topology's MTUs and PMTUD property in the plan, and in `netlab plan`.
#include <gtest/gtest.h>

#include "netlab/plan/describe.h"
#include "support/test_plan.h"

namespace netlab::plan {
namespace {

TEST(PlanMtu, LinksAndTunnelsCarryTheTopologysMtuAndPmtud) {
  topology::Topology t = testing::test_topology("scenario/hybrid.toml");
  Plan plain = testing::test_plan(t);
  EXPECT_EQ(plain.link("dx1")->mtu, 1500u);
  EXPECT_TRUE(plain.link("dx1")->pmtud);
  EXPECT_EQ(plain.tunnel("vpn1-t1")->mtu, 1446u);  // AWS Site-to-Site VPN's
  EXPECT_TRUE(plain.tunnel("vpn1-t1")->pmtud);
  const std::string before = describe(plain, false);
  EXPECT_EQ(before.find("pmtud=false"), std::string::npos);
  EXPECT_NE(before.find("clear  mtu 1446\n"), std::string::npos) << before;

  for (auto& l : t.links)
    if (l.name == "dx1") {
      l.mtu = 8500;
      l.jumbo = true;
      l.pmtud = false;
    }
  t.tunnels[0].mtu = 1400;
  t.tunnels[0].pmtud = false;
  Plan p = testing::test_plan(t);
  EXPECT_EQ(p.link("dx1")->mtu, 8500u);
  EXPECT_FALSE(p.link("dx1")->pmtud);
  EXPECT_EQ(p.tunnel(t.tunnels[0].name)->mtu, 1400u);
  EXPECT_FALSE(p.tunnel(t.tunnels[0].name)->pmtud);
  const std::string text = describe(p, false);
  EXPECT_NE(text.find("mtu 8500 pmtud=false\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  mtu 1400 pmtud=false\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace netlab::plan
