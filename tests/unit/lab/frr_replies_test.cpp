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

TEST(FrrReplies, BgpRouteGivesEveryPathAndWhyTheBestWon) {
  // As FRR 8.4's bgpd answers `show bgp ipv4 unicast 10.100.0.10 json` on a
  // customer gateway with two tunnels (trimmed: segments, lastUpdate).
  const std::string reply = R"({"prefix":"10.100.0.0/16","version":2,
    "advertisedTo":{"169.254.20.2":{"hostname":"vpn-az1"},"169.254.21.2":{"hostname":"vpn-az2"}},
    "paths":[
     {"aspath":{"string":"64512","length":1},"origin":"IGP","metric":100,"locPrf":100,"valid":true,
      "version":2,"multipath":true,
      "nexthops":[{"ip":"169.254.21.2","hostname":"vpn-az2","afi":"ipv4","metric":0,"accessible":true,"used":true}],
      "peer":{"peerId":"169.254.21.2","routerId":"10.255.0.5","hostname":"vpn-az2","type":"external"}},
     {"aspath":{"string":"64512","length":1},"origin":"IGP","metric":100,"locPrf":100,"valid":true,
      "version":2,"multipath":true,
      "bestpath":{"bestpathFromAs":64512,"overall":true,"selectionReason":"Router ID"},
      "nexthops":[{"ip":"169.254.20.2","hostname":"vpn-az1","afi":"ipv4","metric":0,"accessible":true,"used":true}],
      "peer":{"peerId":"169.254.20.2","routerId":"10.255.0.1","hostname":"vpn-az1","type":"external"}}]})";
  auto paths = parse_bgp_route(reply);
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_EQ(paths[0].peer, "169.254.21.2");
  EXPECT_FALSE(paths[0].best);
  EXPECT_TRUE(paths[0].multipath);
  EXPECT_TRUE(paths[0].external);
  EXPECT_EQ(paths[0].med, 100u);
  EXPECT_EQ(paths[0].local_pref, 100u);
  EXPECT_EQ(paths[0].as_path_length, 1u);
  EXPECT_EQ(paths[0].origin, "IGP");
  EXPECT_TRUE(paths[1].best);
  EXPECT_EQ(paths[1].reason, "Router ID");
  EXPECT_TRUE(parse_bgp_route("{}").empty());
  EXPECT_TRUE(parse_bgp_route("% Network not in table").empty());
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
