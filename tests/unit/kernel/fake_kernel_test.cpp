// The fakes' own behaviour: what higher layers' unit tests rely on.
#include "support/fake_kernel.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "netlab/base/error.h"

namespace netlab::testing {
namespace {

using kernel::Address;
using kernel::Nexthop;
using kernel::Route;
using kernel::RouteEvent;
using kernel::RouteType;
using kernel::VethPair;

Ipv4Prefix P(const char* s) { return *Ipv4Prefix::parse(s); }
Ipv4 A(const char* s) { return *Ipv4::parse(s); }

int err_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const KernelError& e) {
    return e.err();
  }
  return 0;
}

class FakeNetlinkTest : public ::testing::Test {
 protected:
  // Two namespaces, a veth pair, up, addressed.
  void build() {
    nl.netns_create("nl-x-a");
    nl.netns_create("nl-x-b");
    nl.veth_create(VethPair{"nl-x-a", "eth1", "nl-x-b", "eth1", 1500});
    nl.link_set_up("nl-x-a", "eth1", true);
    nl.link_set_up("nl-x-b", "eth1", true);
    nl.address_add(Address{"nl-x-a", "eth1", P("10.0.0.1/30")});
    nl.address_add(Address{"nl-x-b", "eth1", P("10.0.0.2/30")});
  }
  FakeNetlink nl;
};

TEST_F(FakeNetlinkTest, RecordsOneReadableLinePerMutatingCall) {
  build();
  nl.route_replace(Route{
      "nl-x-a", P("10.9.0.0/24"), RouteType::Unicast, {Nexthop{A("10.0.0.2"), "eth1"}}, 4, 0});
  nl.sysctl_set("nl-x-a", "net/ipv4/ip_forward", "1");
  nl.route_list("nl-x-a");  // reads are not recorded
  nl.link_get("nl-x-a", "eth1");
  nl.route_delete(Route{"nl-x-a", P("10.9.0.0/24")});
  nl.netns_delete("nl-x-b");
  EXPECT_EQ(nl.ops, (std::vector<std::string>{
                        "netns_create nl-x-a",
                        "netns_create nl-x-b",
                        "veth_create nl-x-a:eth1 <-> nl-x-b:eth1 mtu 1500",
                        "link_set_up nl-x-a eth1 up",
                        "link_set_up nl-x-b eth1 up",
                        "address_add nl-x-a 10.0.0.1/30 dev eth1",
                        "address_add nl-x-b 10.0.0.2/30 dev eth1",
                        "route_replace nl-x-a 10.9.0.0/24 via 10.0.0.2 dev eth1",
                        "sysctl_set nl-x-a net/ipv4/ip_forward=1",
                        "route_delete nl-x-a 10.9.0.0/24",
                        "netns_delete nl-x-b",
                    }));
}

TEST_F(FakeNetlinkTest, FailsLikeTheKernel) {
  build();
  EXPECT_EQ(err_of([&] { nl.netns_create("nl-x-a"); }), EEXIST);
  EXPECT_EQ(err_of([&] {
              nl.veth_create(VethPair{"nl-x-a", "eth1", "nl-x-b", "eth9", 1500});
            }),
            EEXIST);
  EXPECT_EQ(err_of([&] {
              nl.veth_create(VethPair{"nl-x-a", "eth7", "nl-x-zz", "eth9", 1500});
            }),
            ENOENT);
  EXPECT_EQ(err_of([&] { nl.link_set_up("nl-x-a", "eth9", true); }), ENODEV);
  EXPECT_EQ(err_of([&] { nl.link_set_up("nl-x-zz", "eth1", true); }), ENOENT);
  EXPECT_EQ(err_of([&] { nl.address_add(Address{"nl-x-a", "eth9", P("10.1.0.1/24")}); }), ENODEV);
  EXPECT_EQ(err_of([&] {
              nl.veth_create(VethPair{"nl-x-a", "this-is-too-long", "nl-x-b", "x", 1500});
            }),
            EINVAL);
  // Gateway not on a connected subnet; device down; host bits in the prefix.
  EXPECT_EQ(err_of([&] {
              nl.route_replace(Route{"nl-x-a",
                                     P("10.9.0.0/24"),
                                     RouteType::Unicast,
                                     {Nexthop{A("172.16.0.1"), "eth1"}},
                                     4,
                                     0});
            }),
            ENETUNREACH);
  EXPECT_EQ(err_of([&] {
              nl.route_replace(Route{
                  "nl-x-a", *Ipv4Prefix::parse("10.9.0.1/24"), RouteType::Blackhole, {}, 4, 0});
            }),
            EINVAL);
  nl.link_set_up("nl-x-a", "eth1", false);
  EXPECT_EQ(
      err_of([&] {
        nl.route_replace(Route{
            "nl-x-a", P("10.9.0.0/24"), RouteType::Unicast, {Nexthop{std::nullopt, "eth1"}}, 4, 0});
      }),
      ENETDOWN);
  EXPECT_EQ(err_of([&] { nl.sysctl_set("nl-x-a", "net/ipv4/conf/eth9/forwarding", "1"); }), ENOENT);
  // Failed calls are recorded as such.
  EXPECT_EQ(nl.ops[7], "netns_create nl-x-a -> EEXIST");
  // Tolerated by contract: duplicate address, deleting a missing route.
  nl.address_add(Address{"nl-x-b", "eth1", P("10.0.0.2/30")});
  nl.route_delete(Route{"nl-x-a", P("10.99.0.0/24")});
}

TEST_F(FakeNetlinkTest, ModelsVethCarrierRoutesAndConnectedRoutes) {
  build();
  EXPECT_TRUE(nl.link_get("nl-x-a", "eth1")->carrier);
  nl.route_replace(
      Route{"nl-x-a", P("10.9.0.0/24"), RouteType::Unicast, {Nexthop{A("10.0.0.2"), ""}}, 186, 20});
  auto routes = nl.route_list("nl-x-a");
  ASSERT_EQ(routes.size(), 2u);
  EXPECT_EQ(routes[0].str(), "10.0.0.0/30 dev eth1 proto kernel");
  // The device is filled in, as the kernel does.
  EXPECT_EQ(routes[1].str(), "10.9.0.0/24 via 10.0.0.2 dev eth1 proto bgp metric 20");

  nl.link_set_up("nl-x-b", "eth1", false);
  EXPECT_FALSE(nl.link_get("nl-x-a", "eth1")->carrier);
  EXPECT_TRUE(nl.link_get("nl-x-a", "eth1")->admin_up);
  EXPECT_EQ(nl.route_list("nl-x-a").size(), 2u);  // carrier loss keeps routes

  nl.link_set_up("nl-x-a", "eth1", false);
  EXPECT_TRUE(nl.route_list("nl-x-a").empty());  // admin down drops them, silently
}

TEST_F(FakeNetlinkTest, EcmpLosesAndRegainsNexthopsWithTheirDevice) {
  build();
  nl.netns_create("nl-x-c");
  nl.veth_create(VethPair{"nl-x-a", "eth2", "nl-x-c", "eth1", 1500});
  nl.link_set_up("nl-x-a", "eth2", true);
  nl.address_add(Address{"nl-x-a", "eth2", P("10.0.1.1/30")});
  Route ecmp{"nl-x-a",
             P("10.9.0.0/24"),
             RouteType::Unicast,
             {Nexthop{A("10.0.0.2"), "eth1"}, Nexthop{A("10.0.1.2"), "eth2"}},
             4,
             0};
  nl.route_replace(ecmp);
  nl.link_set_up("nl-x-a", "eth1", false);
  auto r = nl.route_list("nl-x-a");
  ASSERT_EQ(r.back().dst, P("10.9.0.0/24"));
  EXPECT_EQ(r.back().nexthops, (std::vector<Nexthop>{{A("10.0.1.2"), "eth2"}}));
  nl.link_set_up("nl-x-a", "eth1", true);
  EXPECT_EQ(nl.route_list("nl-x-a").back(), ecmp);
}

TEST_F(FakeNetlinkTest, DeletingANamespaceTakesItsLinksAndTheirPeers) {
  build();
  kernel::NetnsId a = *nl.netns_id("nl-x-a");
  nl.netns_delete("nl-x-b");
  EXPECT_FALSE(nl.has_netns("nl-x-b"));
  EXPECT_FALSE(nl.link_get("nl-x-a", "eth1"));
  EXPECT_EQ(nl.netns_list(), (std::vector<std::string>{"nl-x-a"}));
  // A recreated name is a different namespace.
  nl.netns_delete("nl-x-a");
  EXPECT_NE(nl.netns_create("nl-x-a"), a);
  EXPECT_EQ(err_of([&] { nl.netns_delete("nl-x-b"); }), ENOENT);
}

TEST_F(FakeNetlinkTest, InjectedFailureHitsTheNthCallOfThatKind) {
  nl.netns_create("nl-x-a");
  nl.netns_create("nl-x-b");
  nl.fail_nth("veth_create", 2, EPERM, "nope");
  nl.veth_create(VethPair{"nl-x-a", "eth1", "nl-x-b", "eth1", 1500});
  try {
    nl.veth_create(VethPair{"nl-x-a", "eth2", "nl-x-b", "eth2", 1500});
    FAIL();
  } catch (const KernelError& e) {
    EXPECT_EQ(e.err(), EPERM);
    EXPECT_EQ(e.extack(), "nope");
  }
  EXPECT_FALSE(nl.link_get("nl-x-a", "eth2"));                         // nothing happened
  nl.veth_create(VethPair{"nl-x-a", "eth3", "nl-x-b", "eth3", 1500});  // only once
  EXPECT_EQ(nl.ops.back(), "veth_create nl-x-a:eth3 <-> nl-x-b:eth3 mtu 1500");
  EXPECT_EQ(nl.ops[3], "veth_create nl-x-a:eth2 <-> nl-x-b:eth2 mtu 1500 -> EPERM");
  nl.fail_nth("route_list", 1, EIO);
  EXPECT_EQ(err_of([&] { nl.route_list("nl-x-a"); }), EIO);
}

TEST_F(FakeNetlinkTest, StatsAndSysctlsAreVisible) {
  build();
  nl.set_stats("nl-x-a", "eth1", kernel::LinkStats{1, 2, 3, 4});
  EXPECT_EQ(nl.link_stats("nl-x-a", "eth1").tx_bytes, 4u);
  nl.sysctl_set("nl-x-a", "net/ipv4/ip_forward", "1");
  EXPECT_EQ(nl.sysctl("nl-x-a", "net/ipv4/ip_forward"), "1");
  EXPECT_EQ(nl.sysctl("nl-x-b", "net/ipv4/ip_forward"), std::nullopt);
  EXPECT_EQ(nl.address_list("nl-x-a").size(), 2u);  // and lo's 127.0.0.1/8, as the kernel
}

TEST(FakeNft, RecordsCommandsPerNamespaceAndFails) {
  FakeNetlink world;
  world.netns_create("nl-x-a");
  FakeNft nft(&world);
  nft.run("nl-x-a", "add table netdev nl_cut\n  add chain netdev nl_cut in\n");
  EXPECT_EQ(nft.ops.back(), "nft nl-x-a add table netdev nl_cut; add chain netdev nl_cut in");
  EXPECT_EQ(nft.applied["nl-x-a"].size(), 1u);
  EXPECT_EQ(err_of([&] { nft.run("nl-x-zz", "add table inet t"); }), ENOENT);
  nft.fail_nth("run", 1, EINVAL, "Error: syntax error");
  try {
    nft.run("nl-x-a", "bad");
    FAIL();
  } catch (const KernelError& e) {
    EXPECT_EQ(e.op(), "nft");
    EXPECT_EQ(e.extack(), "Error: syntax error");
  }
  EXPECT_EQ(nft.ops.back(), "nft nl-x-a bad -> EINVAL");
  EXPECT_EQ(nft.applied["nl-x-a"].size(), 1u);
  nft.set_list_json("nl-x-a", "list tables", "{\"x\":1}");
  EXPECT_EQ(nft.list_json("nl-x-a", "list tables"), "{\"x\":1}");
  nft.forget("nl-x-a");
  EXPECT_EQ(nft.ops.back(), "nft_forget nl-x-a");
}

TEST(FakeClock, SleepAdvancesTimeAndLetsTheTestAct) {
  FakeClock clock(100);
  std::vector<int64_t> woke;
  clock.on_sleep = [&](int64_t now) { woke.push_back(now); };
  EXPECT_EQ(clock.now_ns(), 100);
  clock.sleep_ns(50);
  clock.advance(5);
  clock.sleep_ns(10);
  EXPECT_EQ(clock.now_ns(), 165);
  EXPECT_EQ(clock.sleeps(), (std::vector<int64_t>{50, 10}));
  EXPECT_EQ(woke, (std::vector<int64_t>{150, 165}));
  EXPECT_EQ(clock.realtime_ns() - clock.now_ns(), 1'700'000'000'000'000'000);
}

TEST(FakeRouteMonitor, DeliversEventsOfWatchedNamespacesUntilStopped) {
  FakeRouteMonitor mon;
  RouteEvent e{10, RouteEvent::Kind::Add,
               Route{"nl-x-a", P("10.9.0.0/24"), RouteType::Blackhole, {}, 4, 0}};
  mon.push(e);  // not watched yet: never arrives
  mon.watch("nl-x-a");
  mon.push(e);
  EXPECT_EQ(mon.drain(), (std::vector<RouteEvent>{e}));
  EXPECT_TRUE(mon.drain().empty());
  mon.push_error(kernel::RouteMonitorError{"nl-x-a", 11, ENOBUFS});
  EXPECT_EQ(mon.errors().size(), 1u);
  mon.fail_nth("watch", 1, EPERM);
  EXPECT_EQ(err_of([&] { mon.watch("nl-x-b"); }), EPERM);
  mon.stop();
  mon.push(e);
  EXPECT_TRUE(mon.drain().empty());
  EXPECT_EQ(mon.dropped(), 2u);
  EXPECT_EQ(mon.ops(), (std::vector<std::string>{"watch nl-x-a", "watch nl-x-b -> EPERM", "stop"}));
  EXPECT_EQ(err_of([&] { mon.watch("nl-x-c"); }), ESHUTDOWN);
}

TEST(FakeCapabilityProbe, DescribesThisMachineAndAFullHost) {
  FakeCapabilityProbe probe;
  auto c = probe.probe();
  EXPECT_FALSE(c.wireguard_kernel);
  EXPECT_FALSE(c.xfrm_esp);
  EXPECT_FALSE(c.netem);
  EXPECT_TRUE(c.htb);
  EXPECT_EQ(probe.calls, 1);
  auto full = FakeCapabilityProbe::full();
  EXPECT_TRUE(full.wireguard_kernel && full.xfrm_esp && full.netem);
}

}  // namespace
}  // namespace netlab::testing
