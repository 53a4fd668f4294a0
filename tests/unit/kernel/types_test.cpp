#include "netlab/kernel/types.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "netlab/kernel/route_monitor.h"

namespace netlab::kernel {
namespace {

Ipv4Prefix P(const char* s) { return *Ipv4Prefix::parse(s); }
Ipv4 A(const char* s) { return *Ipv4::parse(s); }

TEST(TypesStr, NetnsIdAndVethAndAddress) {
  EXPECT_EQ((NetnsId{4, 4026532281}).str(), "4:4026532281");
  EXPECT_EQ((VethPair{"nl-x-a", "eth1", "nl-x-b", "eth2", 9000}).str(),
            "nl-x-a:eth1 <-> nl-x-b:eth2");
  EXPECT_EQ((Address{"nl-x-a", "eth1", P("10.0.0.1/30")}).str(), "10.0.0.1/30 dev eth1");
}

TEST(TypesStr, RoutesReadLikeIproute2) {
  Route r{"nl-x-a", P("10.0.0.0/24"), RouteType::Unicast, {Nexthop{A("10.255.0.1"), "eth1"}}, 186,
          0};
  EXPECT_EQ(r.str(), "10.0.0.0/24 via 10.255.0.1 dev eth1 proto bgp");
  r.protocol = 4;  // static: netlab's own, not shown
  EXPECT_EQ(r.str(), "10.0.0.0/24 via 10.255.0.1 dev eth1");
  r.metric = 20;
  r.nexthops.push_back(Nexthop{A("10.255.1.1"), "eth2"});
  EXPECT_EQ(
      r.str(),
      "10.0.0.0/24 nexthop via 10.255.0.1 dev eth1 nexthop via 10.255.1.1 dev eth2 metric 20");
  EXPECT_EQ((Route{"", P("10.1.0.0/16"), RouteType::Blackhole, {}, 4, 0}).str(),
            "blackhole 10.1.0.0/16");
  EXPECT_EQ((Route{"", P("10.2.0.0/16"), RouteType::Unicast, {Nexthop{{}, "eth3"}}, 2, 0}).str(),
            "10.2.0.0/16 dev eth3 proto kernel");
  EXPECT_EQ(
      (Route{"", P("10.3.0.0/16"), RouteType::Unicast, {Nexthop{A("1.2.3.4"), ""}}, 196, 0}).str(),
      "10.3.0.0/16 via 1.2.3.4 proto 196");
}

TEST(TypesStr, RouteEventAndMonitorError) {
  RouteEvent e{123, RouteEvent::Kind::Delete,
               Route{"nl-x-a", P("10.0.0.0/24"), RouteType::Blackhole, {}, 4, 0}};
  EXPECT_EQ(e.str(), "123 del nl-x-a blackhole 10.0.0.0/24");
  e.kind = RouteEvent::Kind::Add;
  e.route.ns = "";
  EXPECT_EQ(e.str(), "123 add - blackhole 10.0.0.0/24");
  EXPECT_EQ((RouteMonitorError{"nl-x-a", 5, ENOBUFS}).str(),
            "5 nl-x-a: No buffer space available (events lost)");
}

TEST(TypesEq, RoutesCompareByEveryField) {
  Route a{"n", P("10.0.0.0/24"), RouteType::Unicast, {Nexthop{A("10.0.0.1"), "eth1"}}, 4, 0};
  Route b = a;
  EXPECT_EQ(a, b);
  b.metric = 1;
  EXPECT_NE(a, b);
  b = a;
  b.nexthops[0].dev = "eth2";
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace netlab::kernel
