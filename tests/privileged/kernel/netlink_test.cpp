// The real Netlink against the kernel: links, addresses, routes, sysctls.
#include <dirent.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>

#include <algorithm>

#include "kernel_fixture.h"
#include "netlab/kernel/rtnl.h"
#include "netlab/kernel/rtnl_codec.h"

namespace netlab::kernel::testing {
namespace {

Ipv4Prefix P(const char* s) { return *Ipv4Prefix::parse(s); }
Ipv4 A(const char* s) { return *Ipv4::parse(s); }

std::optional<Route> find_route(const std::vector<Route>& routes, const char* dst) {
  for (const Route& r : routes) {
    if (r.dst == P(dst)) return r;
  }
  return std::nullopt;
}

using NetlinkTest = KernelTest;

TEST_F(NetlinkTest, VethPairStraddlesTwoNamespacesWithoutTouchingTheHost) {
  std::vector<std::string> host_links_before;
  for (DIR* d = opendir("/sys/class/net"); d;) {
    while (dirent* e = readdir(d)) host_links_before.push_back(e->d_name);
    closedir(d);
    break;
  }
  std::string a = make_ns("a"), b = make_ns("b");
  nl_->veth_create(VethPair{a, "eth1", b, "peer9", 1400});

  auto la = nl_->link_get(a, "eth1");
  auto lb = nl_->link_get(b, "peer9");
  ASSERT_TRUE(la);
  ASSERT_TRUE(lb);
  EXPECT_EQ(la->mtu, 1400u);
  EXPECT_EQ(lb->mtu, 1400u);
  EXPECT_FALSE(la->admin_up);
  EXPECT_FALSE(nl_->link_get(a, "peer9"));
  EXPECT_FALSE(nl_->link_get(b, "eth1"));
  EXPECT_EQ(nl_->link_list(a).size(), 2u);  // lo, eth1

  std::vector<std::string> host_links_after;
  for (DIR* d = opendir("/sys/class/net"); d;) {
    while (dirent* e = readdir(d)) host_links_after.push_back(e->d_name);
    closedir(d);
    break;
  }
  std::sort(host_links_before.begin(), host_links_before.end());
  std::sort(host_links_after.begin(), host_links_after.end());
  EXPECT_EQ(host_links_before, host_links_after);
}

TEST_F(NetlinkTest, VethEndsGetTheIndicesAskedFor) {
  // Both ends would be index 2 in fresh namespaces; equal indices make the
  // kernel batch the pair's carrier changes (linkwatch), so netlab asks.
  std::string a = make_ns("a"), b = make_ns("b");
  VethPair p{a, "eth1", b, "eth1", 1500};
  p.index_a = 40;
  p.index_b = 41;
  nl_->veth_create(p);
  EXPECT_EQ(nl_->link_get(a, "eth1")->index, 40);
  EXPECT_EQ(nl_->link_get(b, "eth1")->index, 41);
}

TEST_F(NetlinkTest, DuplicateVethFailsWithEexistAndExtack) {
  std::string a = make_ns("a"), b = make_ns("b");
  nl_->veth_create(VethPair{a, "eth1", b, "eth1", 1500});
  try {
    nl_->veth_create(VethPair{a, "eth1", b, "eth2", 1500});
    FAIL() << "expected EEXIST";
  } catch (const KernelError& e) {
    EXPECT_EQ(e.err(), EEXIST);
    EXPECT_EQ(e.op(), "veth_create");
  }
  // The failed request left nothing half-made in b.
  EXPECT_FALSE(nl_->link_get(b, "eth2"));
}

TEST_F(NetlinkTest, CarrierFollowsBothEndsAdminState) {
  std::string a = make_ns("a"), b = make_ns("b");
  nl_->veth_create(VethPair{a, "eth1", b, "eth1", 1500});
  nl_->link_set_up(a, "eth1", true);
  EXPECT_TRUE(nl_->link_get(a, "eth1")->admin_up);
  EXPECT_FALSE(nl_->link_get(a, "eth1")->carrier);  // peer still down
  nl_->link_set_up(b, "eth1", true);
  EXPECT_TRUE(wait_until([&] { return nl_->link_get(a, "eth1")->carrier; }));
  nl_->link_set_up(b, "eth1", false);
  EXPECT_TRUE(wait_until([&] { return !nl_->link_get(a, "eth1")->carrier; }));
  EXPECT_TRUE(nl_->link_get(a, "eth1")->admin_up);
}

TEST_F(NetlinkTest, MissingLinkIsEnodev) {
  std::string a = make_ns("a");
  try {
    nl_->link_set_up(a, "nope0", true);
    FAIL();
  } catch (const KernelError& e) {
    EXPECT_EQ(e.err(), ENODEV);
  }
  EXPECT_THROW(nl_->link_stats(a, "nope0"), KernelError);
  EXPECT_FALSE(nl_->link_get(a, "nope0"));
}

TEST_F(NetlinkTest, LinkDeleteTakesThePeer) {
  std::string a = make_ns("a"), b = make_ns("b");
  nl_->veth_create(VethPair{a, "eth1", b, "eth1", 1500});
  nl_->link_delete(a, "eth1");
  EXPECT_FALSE(nl_->link_get(a, "eth1"));
  EXPECT_FALSE(nl_->link_get(b, "eth1"));
}

TEST_F(NetlinkTest, AddressesAreAddedIdempotentlyAndListed) {
  std::string a, b;
  make_pair(&a, &b);
  nl_->address_add(Address{a, "eth1", P("10.0.0.1/24")});  // again: no error
  nl_->address_add(Address{a, "eth1", P("192.168.7.1/32")});
  auto addrs = nl_->address_list(a);
  std::vector<std::string> got;
  for (const auto& x : addrs) got.push_back(x.str());
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<std::string>{"10.0.0.1/24 dev eth1", "127.0.0.1/8 dev lo",
                                           "192.168.7.1/32 dev eth1"}));
}

TEST_F(NetlinkTest, UnicastEcmpAndBlackholeRoutesReadBack) {
  std::string a, b;
  make_pair(&a, &b);
  nl_->route_replace(
      Route{a, P("10.50.0.0/24"), RouteType::Unicast, {Nexthop{A("10.0.0.2"), "eth1"}}, 4, 0});
  nl_->route_replace(Route{a,
                           P("10.51.0.0/16"),
                           RouteType::Unicast,
                           {Nexthop{A("10.0.0.2"), "eth1"}, Nexthop{A("10.0.0.3"), "eth1"}},
                           186,
                           20});
  nl_->route_replace(Route{a, P("10.52.0.0/24"), RouteType::Blackhole, {}, 4, 0});
  nl_->route_replace(Route{a, P("10.53.0.0/24"), RouteType::Unicast, {Nexthop{{}, "eth1"}}, 4, 0});

  auto routes = nl_->route_list(a);
  auto r1 = find_route(routes, "10.50.0.0/24");
  ASSERT_TRUE(r1);
  EXPECT_EQ(
      *r1,
      (Route{a, P("10.50.0.0/24"), RouteType::Unicast, {Nexthop{A("10.0.0.2"), "eth1"}}, 4, 0}));
  auto r2 = find_route(routes, "10.51.0.0/16");
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->str(),
            "10.51.0.0/16 nexthop via 10.0.0.2 dev eth1 nexthop via 10.0.0.3 dev eth1 "
            "proto bgp metric 20");
  auto r3 = find_route(routes, "10.52.0.0/24");
  ASSERT_TRUE(r3);
  EXPECT_EQ(r3->type, RouteType::Blackhole);
  EXPECT_TRUE(r3->nexthops.empty());
  EXPECT_EQ(find_route(routes, "10.53.0.0/24")->str(), "10.53.0.0/24 dev eth1");
  // The connected route is in the main table too.
  EXPECT_EQ(find_route(routes, "10.0.0.0/24")->str(), "10.0.0.0/24 dev eth1 proto kernel");

  // Replace changes the route in place.
  nl_->route_replace(
      Route{a, P("10.50.0.0/24"), RouteType::Unicast, {Nexthop{A("10.0.0.9"), "eth1"}}, 4, 0});
  EXPECT_EQ(find_route(nl_->route_list(a), "10.50.0.0/24")->nexthops[0].via, A("10.0.0.9"));

  nl_->route_delete(Route{a, P("10.50.0.0/24")});
  nl_->route_delete(Route{a, P("10.51.0.0/16"), RouteType::Unicast, {}, 4, 20});
  nl_->route_delete(Route{a, P("10.52.0.0/24")});
  nl_->route_delete(Route{a, P("10.52.0.0/24")});  // ESRCH tolerated
  routes = nl_->route_list(a);
  EXPECT_FALSE(find_route(routes, "10.50.0.0/24"));
  EXPECT_FALSE(find_route(routes, "10.51.0.0/16"));
  EXPECT_FALSE(find_route(routes, "10.52.0.0/24"));
  // b saw none of it.
  EXPECT_FALSE(find_route(nl_->route_list(b), "10.53.0.0/24"));
}

TEST_F(NetlinkTest, UnreachableGatewayFailsWithTheKernelsExtack) {
  std::string a, b;
  make_pair(&a, &b);
  try {
    nl_->route_replace(
        Route{a, P("10.60.0.0/24"), RouteType::Unicast, {Nexthop{A("172.16.0.1"), "eth1"}}, 4, 0});
    FAIL() << "expected ENETUNREACH";
  } catch (const KernelError& e) {
    EXPECT_EQ(e.err(), ENETUNREACH);
    EXPECT_EQ(e.extack(), "Nexthop has invalid gateway");
    EXPECT_NE(std::string(e.what()).find("route_replace"), std::string::npos);
  }
}

// Resolving FRR-style routes: a nexthop object and a group, the route dump
// carrying only RTA_NH_ID (compat mode off, as on newer kernels).
TEST_F(NetlinkTest, RoutesWithNexthopObjectsAreResolved) {
  std::string a, b;
  make_pair(&a, &b);
  nl_->sysctl_set(a, "net/ipv4/nexthop_compat_mode", "0");
  UniqueFd fd = netns_open(a);
  NetnsGuard guard(fd.get(), a);
  NlSocket raw;
  guard.leave();
  int eth1 = nl_->link_get(a, "eth1")->index;
  for (auto nh : {NexthopObject{101, false, A("10.0.0.2"), eth1, {}},
                  NexthopObject{102, false, A("10.0.0.3"), eth1, {}},
                  NexthopObject{103, false, std::nullopt, 0, {101, 102}}}) {
    MsgBuilder m = encode_nexthop(RTM_NEWNEXTHOP, NLM_F_CREATE | NLM_F_EXCL, nh);
    raw.request(m, "nexthop_add", std::to_string(nh.id));
  }
  Route single{a, P("10.70.0.0/24"), RouteType::Unicast, {}, 186, 20};
  Route group{a, P("10.71.0.0/24"), RouteType::Unicast, {}, 186, 20};
  MsgBuilder m1 = encode_route(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, single, nullptr, 101);
  raw.request(m1, "route_add", "nhid 101");
  MsgBuilder m2 = encode_route(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, group, nullptr, 103);
  raw.request(m2, "route_add", "nhid 103");

  auto routes = nl_->route_list(a);
  EXPECT_EQ(find_route(routes, "10.70.0.0/24")->str(),
            "10.70.0.0/24 via 10.0.0.2 dev eth1 proto bgp metric 20");
  EXPECT_EQ(find_route(routes, "10.71.0.0/24")->str(),
            "10.71.0.0/24 nexthop via 10.0.0.2 dev eth1 nexthop via 10.0.0.3 dev eth1 proto bgp "
            "metric 20");
}

TEST_F(NetlinkTest, StatsCountPacketsThatCrossedTheLink) {
  std::string a, b;
  make_pair(&a, &b);
  LinkStats before = nl_->link_stats(b, "eth1");
  UniqueFd rx = udp_socket_in(b, "10.0.0.2", 5000);
  UniqueFd tx = udp_socket_in(a, "10.0.0.1", 5001);
  for (int i = 0; i < 5; ++i) send_udp(tx.get(), "10.0.0.2", 5000, "x");
  size_t got = 0;
  ASSERT_TRUE(wait_until([&] { return (got += received(rx.get()).size()) >= 5; }));
  LinkStats after = nl_->link_stats(b, "eth1");
  EXPECT_GE(after.rx_packets - before.rx_packets, 5u);
  EXPECT_GT(after.rx_bytes, before.rx_bytes);
  EXPECT_GE(nl_->link_stats(a, "eth1").tx_packets, 5u);
}

TEST_F(NetlinkTest, SysctlLandsInThatNamespaceOnly) {
  std::string a, b;
  make_pair(&a, &b);
  const std::string host_before = read_sysctl("", "net/ipv4/ip_forward");
  const std::string b_before = read_sysctl(b, "net/ipv4/ip_forward");
  std::string want = host_before == "1" ? "0" : "1";
  nl_->sysctl_set(a, "net/ipv4/ip_forward", want);
  EXPECT_EQ(read_sysctl(a, "net/ipv4/ip_forward"), want);
  EXPECT_EQ(read_sysctl(b, "net/ipv4/ip_forward"), b_before);
  EXPECT_EQ(read_sysctl("", "net/ipv4/ip_forward"), host_before);

  nl_->sysctl_set(a, "net/ipv4/conf/eth1/rp_filter", "2");
  EXPECT_EQ(read_sysctl(a, "net/ipv4/conf/eth1/rp_filter"), "2");
  EXPECT_NE(read_sysctl(b, "net/ipv4/conf/eth1/rp_filter"), "2");

  try {
    nl_->sysctl_set(a, "net/ipv4/conf/nope0/rp_filter", "2");
    FAIL();
  } catch (const KernelError& e) {
    EXPECT_EQ(e.err(), ENOENT);
  }
  EXPECT_THROW(nl_->sysctl_set(a, "../etc/passwd", "x"), KernelError);
}

}  // namespace
}  // namespace netlab::kernel::testing
