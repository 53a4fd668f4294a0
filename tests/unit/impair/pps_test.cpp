// Packet-rate limits: the nftables rule the Impairer plans, how it combines
// with loss and with a fault's degrade, and what it refuses.
#include <gtest/gtest.h>

#include "netlab/base/error.h"
#include "netlab/impair/impair.h"
#include "netlab/kernel/nft_rules.h"
#include "support/fake_kernel.h"
#include "support/fake_processes.h"
#include "support/fake_tc.h"

namespace netlab::impair {
namespace {

using testing::FakeCapabilityProbe;

class PpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    nl.netns_create("nl-t-a");
    nl.netns_create("nl-t-b");
    nl.veth_create({"nl-t-a", "eth1", "nl-t-b", "eth1", 1500});
  }
  Impairer make(bool netem) {
    auto caps = netem ? FakeCapabilityProbe::full() : FakeCapabilityProbe::this_machine();
    return Impairer({nl, nft, tc, queues, procs, clock}, select_backends(caps, true),
                    {.delayer_path = "/opt/netlab/netlab-delay"});
  }
  static Impairment pps(double v, double loss = 0, double rate = 0) {
    Impairment i;
    i.pps = v;
    i.loss_pct = loss;
    i.rate_mbit = rate;
    return i;
  }

  testing::FakeNetlink nl;
  testing::FakeNft nft{&nl};
  testing::FakeTc tc;
  testing::FakePacketQueues queues;
  testing::FakeProcesses procs;
  testing::FakeClock clock;
  Direction a_to_b{{"a", "nl-t-a", "eth1"}, {"b", "nl-t-b", "eth1"}};
};

TEST_F(PpsTest, PolicerAtTheReceiversIngressWithTenMillisecondsOfBurst) {
  Impairer imp = make(false);
  EXPECT_EQ(imp.backends().pps, PpsBackend::NftIngress);
  DirectionPlan p = imp.plan(a_to_b, pps(1000), 1);
  EXPECT_TRUE(p.tc.empty());
  EXPECT_EQ(testing::FakeNft::one_line(p.loss_nft),
            "add table netdev nl_loss_eth1; "
            "add chain netdev nl_loss_eth1 c { type filter hook ingress device \"eth1\" priority "
            "-400; policy accept; }; flush chain netdev nl_loss_eth1 c; "
            "add rule netdev nl_loss_eth1 c limit rate over 1000/second burst 50 packets counter "
            "drop");
  EXPECT_EQ(p.loss_table, "nl_loss_eth1");
  EXPECT_EQ(p.str(),
            "a:eth1 -> b:eth1: pps 1000\n"
            "  nl-t-b eth1: nft table netdev nl_loss_eth1 (limit rate over 1000/second drop)\n");
}

TEST_F(PpsTest, BurstIsAtLeastFiftyPackets) {
  EXPECT_EQ(kernel::nft_rules::pps_burst(1), 50u);
  EXPECT_EQ(kernel::nft_rules::pps_burst(140000), 1400u);
}

TEST_F(PpsTest, WithLossBothRulesInOneChainPolicerFirst) {
  Impairer imp = make(false);
  DirectionPlan p = imp.plan(a_to_b, pps(1400, 2, 12.5), 1);
  const std::string one = testing::FakeNft::one_line(p.loss_nft);
  auto lim = one.find("limit rate over 1400/second burst 50 packets");
  auto loss = one.find("numgen random mod 10000 < 200 counter drop");
  ASSERT_NE(lim, std::string::npos) << one;
  ASSERT_NE(loss, std::string::npos) << one;
  EXPECT_LT(lim, loss);
  ASSERT_EQ(p.tc.size(), 3u);  // the rate: htb + its bfifo on the sender
}

TEST_F(PpsTest, NftPolicerEvenWhereNetemDoesLoss) {
  Impairer imp = make(true);
  DirectionPlan p = imp.plan(a_to_b, pps(500, 1), 1);
  const std::string one = testing::FakeNft::one_line(p.loss_nft);
  EXPECT_NE(one.find("limit rate over 500/second"), std::string::npos);
  EXPECT_EQ(one.find("numgen"), std::string::npos);  // loss is netem's here
}

TEST_F(PpsTest, AppliedAndRemovedLikeLoss) {
  Impairer imp = make(false);
  DirectionPlan p = imp.plan(a_to_b, pps(1000), 1);
  imp.apply(p);
  ASSERT_EQ(nft.applied["nl-t-b"].size(), 1u);
  EXPECT_TRUE(nft.applied["nl-t-a"].empty());
  imp.remove(p);
  ASSERT_EQ(nft.applied["nl-t-b"].size(), 2u);
  EXPECT_EQ(nft.applied["nl-t-b"][1].find("limit"), std::string::npos);  // emptied
}

TEST(PpsCombine, DegradeOnALimitedTunnelKeepsTheLowerLimits) {
  Impairment base;
  base.rate_mbit = 12.5;
  base.pps = 1400;
  Impairment fault;
  fault.loss_pct = 10;
  fault.delay_ms = 5;
  Impairment c = combine(base, fault);
  EXPECT_EQ(c.pps, 1400);
  EXPECT_EQ(c.rate_mbit, 12.5);
  EXPECT_NEAR(c.loss_pct, 10, 1e-9);
  Impairment tighter;
  tighter.pps = 100;
  EXPECT_EQ(combine(base, tighter).pps, 100);
  EXPECT_EQ(combine(tighter, base).pps, 100);
}

TEST(PpsValidate, RefusesBelowOnePacketPerSecond) {
  Impairment i;
  i.pps = 0.5;
  EXPECT_THROW(validate(i), InputError);
  i.pps = -1;
  EXPECT_THROW(validate(i), InputError);
  i.pps = 1;
  EXPECT_NO_THROW(validate(i));
  EXPECT_EQ(i.str(), "pps 1");
}

TEST(PpsBackends, NoneWithoutNetdevNftables) {
  kernel::Capabilities c = FakeCapabilityProbe::this_machine();
  EXPECT_EQ(select_backends(c, true).pps, PpsBackend::NftIngress);
  c.nft_netdev = false;
  Backends b = select_backends(c, true);
  EXPECT_EQ(b.pps, PpsBackend::None);
  EXPECT_EQ(b.entries().at("pps"), "none");
}

}  // namespace
}  // namespace netlab::impair
