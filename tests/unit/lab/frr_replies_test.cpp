// The readers of vtysh's JSON replies the convergence check relies on.
#include <gtest/gtest.h>

#include "netlab/lab/frr.h"

namespace netlab::lab {
namespace {

TEST(FrrReplies, BfdPeersGiveEachPeersStatus) {
  // As FRR's bfdd answers `show bfd peers json` (trimmed).
  const std::string reply = R"([
    {"multihop":false,"peer":"10.255.0.2","local":"10.255.0.1","vrf":"default",
     "interface":"core","id":1,"remote-id":2,"passive-mode":false,"status":"up","uptime":4},
    {"multihop":false,"peer":"10.255.1.2","vrf":"default","interface":"dx1",
     "id":3,"remote-id":0,"passive-mode":false,"status":"down","downtime":2}
  ])";
  auto m = parse_bfd_peers(reply);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m["10.255.0.2"], "up");
  EXPECT_EQ(m["10.255.1.2"], "down");
}

TEST(FrrReplies, ABfddWithoutSessionsOrAGarbledReplyGivesNone) {
  EXPECT_TRUE(parse_bfd_peers("[]").empty());
  EXPECT_TRUE(parse_bfd_peers("% bfdd is not running").empty());
  EXPECT_TRUE(parse_bfd_peers(R"({"peer":"10.0.0.1","status":"up"})").empty());
}

TEST(FrrReplies, BgpSummaryGivesEachNeighboursState) {
  auto m = parse_bgp_summary(
      R"({"ipv4Unicast":{"peers":{"10.0.0.2":{"state":"Established"},"10.0.0.6":{"state":"Active"}}}})");
  EXPECT_EQ(m["10.0.0.2"], "Established");
  EXPECT_EQ(m["10.0.0.6"], "Active");
  EXPECT_TRUE(parse_bgp_summary("{}").empty());
}

}  // namespace
}  // namespace netlab::lab
