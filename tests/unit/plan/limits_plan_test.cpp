// The plan carries each link's and tunnel's effective limits after
// [lab].scale, and `netlab plan` prints them with the scale.
#include <gtest/gtest.h>

#include "netlab/plan/describe.h"
#include "netlab/plan/planner.h"
#include "netlab/topology/loader.h"
#include "support/test_plan.h"

namespace netlab::plan {
namespace {

constexpr std::string_view kTopo = R"([lab]
name = "t"
scale = 100
[nodes.h1]
role = "host"
[nodes.cgw]
role = "customer"
asn = 65000
[nodes.dx]
role = "aws-dx"
asn = 64512
[nodes.vpn]
role = "aws-vpn"
asn = 64512
[nodes.vgw]
role = "vgw"
asn = 64512
[nodes.inet]
role = "internet"
[nodes.h2]
role = "host"
[[links]]
endpoints = ["h1", "cgw"]
impair = { pps = 20000, delay_ms = 1 }
[[links]]
name = "dx1"
kind = "dx"
endpoints = ["cgw", "dx"]
speed = "10G"
[[links]]
endpoints = ["dx", "vgw"]
[[links]]
endpoints = ["vpn", "vgw"]
[[links]]
endpoints = ["vgw", "h2"]
[[links]]
kind = "internet"
endpoints = ["cgw", "inet"]
[[links]]
kind = "internet"
endpoints = ["vpn", "inet"]
[[tunnels]]
name = "t1"
endpoints = ["cgw", "vpn"]
[[tunnels]]
name = "t2"
endpoints = ["cgw", "vpn"]
rate_mbit = 0
pps = 0
)";

Plan plan_of(std::string_view text) {
  auto r = topology::load_string(std::string(text), "t.toml");
  EXPECT_TRUE(r.ok()) << r.render();
  PlanOptions o;
  o.templates_dir = std::string(NETLAB_SOURCE_DIR) + "/frr-templates";
  ::netlab::testing::FixedKeySource keys;
  return make_plan(*r.topology, o, keys);
}

TEST(PlanLimits, EffectiveLimitsAfterScale) {
  Plan p = plan_of(kTopo);
  EXPECT_EQ(p.scale, 100);
  const PlanLink* dx = p.link("dx1");
  ASSERT_TRUE(dx);
  EXPECT_EQ(dx->impair.rate_mbit, 100);  // 10 Gbit/s / 100
  EXPECT_FALSE(dx->impair.pps);
  EXPECT_EQ(dx->speed, "10G");
  const PlanLink& lan = p.links[0];
  EXPECT_EQ(lan.impair.pps, 200);
  EXPECT_EQ(lan.impair.delay_ms, 1);  // a delay is not scaled
  EXPECT_FALSE(lan.impair.rate_mbit);
  const PlanTunnel* t1 = p.tunnel("t1");
  ASSERT_TRUE(t1);
  EXPECT_EQ(t1->impair.rate_mbit, 12.5);
  EXPECT_EQ(t1->impair.pps, 1400);
  EXPECT_FALSE(t1->impair.delay_ms);
  EXPECT_TRUE(p.tunnel("t2")->impair.empty());
}

TEST(PlanLimits, DescribeShowsScaleAndLimits) {
  std::string d = describe(plan_of(kTopo), false);
  EXPECT_NE(d.find("  scale      100 (every bandwidth and packet rate divided by it)\n"),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("      limit rate 100 Mbit/s each way (speed 10G) (/ scale 100)\n"),
            std::string::npos)
      << d;
  EXPECT_NE(d.find("      limit pps 200 each way (/ scale 100)\n"), std::string::npos) << d;
  EXPECT_NE(d.find("  t1              limit rate 12.5 Mbit/s pps 1400 each way (/ scale 100)\n"),
            std::string::npos)
      << d;
  EXPECT_EQ(d.find("  t2              limit"), std::string::npos) << d;
}

TEST(PlanLimits, ALowerImpairRateThanTheSpeedWinsAndThePlanSaysSo) {
  std::string text(kTopo);
  text.replace(text.find("speed = \"10G\""), 13, "speed = \"10G\"\nimpair = { rate_mbit = 2000 }");
  Plan p = plan_of(text);
  EXPECT_EQ(p.link("dx1")->impair.rate_mbit, 20);
  std::string d = describe(p, false);
  EXPECT_NE(d.find("      limit rate 20 Mbit/s each way (impair.rate_mbit, below the speed 10G) "
                   "(/ scale 100)\n"),
            std::string::npos)
      << d;
}

}  // namespace
}  // namespace netlab::plan
