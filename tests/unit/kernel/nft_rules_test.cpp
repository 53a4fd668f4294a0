// The nftables text netlab installs: built in one place, checked here.
#include "netlab/kernel/nft_rules.h"

#include <gtest/gtest.h>

namespace netlab::kernel::nft_rules {
namespace {

TEST(NftRules, NameTagKeepsAlnumAndEscapesTheRest) {
  EXPECT_EQ(name_tag("eth1"), "eth1");
  EXPECT_EQ(name_tag("vpn1-t1"), "vpn1_2dt1");
  // Two names that differ only in a non-alphanumeric byte never share a table.
  EXPECT_NE(name_tag("a-b"), name_tag("a.b"));
}

TEST(NftRules, CutIsAnIngressChainBeforeLoss) {
  EXPECT_EQ(cut("nl_cut_eth1", "eth1", true),
            "add table netdev nl_cut_eth1\n"
            "add chain netdev nl_cut_eth1 c { type filter hook ingress device \"eth1\" "
            "priority -500; policy drop; }\n");
  // The repair turns the policy back rather than deleting the chain.
  EXPECT_NE(cut("t", "eth1", false).find("policy accept;"), std::string::npos);
  EXPECT_LT(kCutPriority, kLossPriority);
}

TEST(NftRules, LossEmptiesItsChainThenAddsOneRule) {
  EXPECT_EQ(loss_table("eth1"), "nl_loss_eth1");
  const std::string emptied = loss_emptied("eth1");
  EXPECT_EQ(emptied,
            "add table netdev nl_loss_eth1\n"
            "add chain netdev nl_loss_eth1 c { type filter hook ingress device \"eth1\" "
            "priority -400; policy accept; }\n"
            "flush chain netdev nl_loss_eth1 c\n");
  EXPECT_EQ(loss("eth1", 150),
            emptied + "add rule netdev nl_loss_eth1 c numgen random mod 10000 < 150 counter drop\n");
}

TEST(NftRules, PreroutingCountersRecreateTheTable) {
  EXPECT_EQ(prerouting_udp_counters("nl_path", {"eth1", "dx1"}, "4000-4001"),
            "add table inet nl_path\n"
            "delete table inet nl_path\n"
            "add table inet nl_path\n"
            "add chain inet nl_path pre { type filter hook prerouting priority -300; policy "
            "accept; }\n"
            "add rule inet nl_path pre iifname \"eth1\" udp dport 4000-4001 counter\n"
            "add rule inet nl_path pre iifname \"dx1\" udp dport 4000-4001 counter\n");
}

}  // namespace
}  // namespace netlab::kernel::nft_rules
