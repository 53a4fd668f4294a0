// Encoders checked by decoding their output back; decoders fed with
// messages shaped as the kernel sends them. No sockets.
#include "netlab/kernel/rtnl_codec.h"

#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <cerrno>
#include <cstring>

#include "netlab/base/error.h"

namespace netlab::kernel {
namespace {

Ipv4Prefix P(const char* s) { return *Ipv4Prefix::parse(s); }
Ipv4 A(const char* s) { return *Ipv4::parse(s); }

const std::map<std::string, int> kIndex = {{"lo", 1}, {"eth1", 3}, {"eth2", 4}};
int index_of(const std::string& n) { return kIndex.at(n); }
std::string name_of(int i) {
  for (auto& [n, x] : kIndex) {
    if (x == i) return n;
  }
  return "if" + std::to_string(i);
}

Route decode_back(const MsgBuilder& m, const NexthopTable& t = {}) {
  auto r = decode_route(m.nlh(), "nl-x-a", name_of, t);
  EXPECT_TRUE(r);
  return r.value_or(Route{});
}

rtmsg* rtm_of(MsgBuilder& m) { return static_cast<rtmsg*>(mnl_nlmsg_get_payload(m.nlh())); }

// --- routes ---

TEST(RouteCodec, UnicastRoundTrip) {
  Route r{"nl-x-a", P("10.50.0.0/24"), RouteType::Unicast, {Nexthop{A("10.0.0.2"), "eth1"}}, 186,
          20};
  MsgBuilder m = encode_route(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, r, index_of);
  EXPECT_EQ(m.nlh()->nlmsg_flags, NLM_F_CREATE | NLM_F_REPLACE);
  EXPECT_EQ(rtm_of(m)->rtm_scope, RT_SCOPE_UNIVERSE);
  EXPECT_EQ(decode_back(m), r);
}

TEST(RouteCodec, EcmpRoundTripKeepsOrder) {
  Route r{"nl-x-a",
          P("10.51.0.0/16"),
          RouteType::Unicast,
          {Nexthop{A("10.0.0.2"), "eth1"}, Nexthop{A("10.1.0.2"), "eth2"},
           Nexthop{A("10.0.0.3"), "eth1"}},
          4,
          0};
  MsgBuilder m = encode_route(RTM_NEWROUTE, 0, r, index_of);
  EXPECT_EQ(decode_back(m), r);
}

TEST(RouteCodec, BlackholeDevOnlyAndDefaultRoundTrip) {
  Route bh{"nl-x-a", P("10.52.0.0/24"), RouteType::Blackhole, {}, 4, 7};
  MsgBuilder m1 = encode_route(RTM_NEWROUTE, 0, bh, index_of);
  EXPECT_EQ(rtm_of(m1)->rtm_type, RTN_BLACKHOLE);
  EXPECT_EQ(decode_back(m1), bh);

  Route dev{"nl-x-a", P("10.53.0.0/24"), RouteType::Unicast, {Nexthop{{}, "eth2"}}, 4, 0};
  MsgBuilder m2 = encode_route(RTM_NEWROUTE, 0, dev, index_of);
  EXPECT_EQ(rtm_of(m2)->rtm_scope, RT_SCOPE_LINK);  // as iproute2 for a device route
  EXPECT_EQ(decode_back(m2), dev);

  Route def{"nl-x-a", P("0.0.0.0/0"), RouteType::Unicast, {Nexthop{A("10.0.0.1"), "eth1"}}, 4, 0};
  MsgBuilder m3 = encode_route(RTM_NEWROUTE, 0, def, index_of);
  EXPECT_EQ(decode_back(m3), def);
}

TEST(RouteCodec, DeleteNotificationDecodesToo) {
  Route r{"nl-x-a", P("10.50.0.0/24"), RouteType::Unicast, {Nexthop{A("10.0.0.2"), "eth1"}}, 4, 0};
  MsgBuilder m = encode_route(RTM_DELROUTE, 0, r, index_of);
  EXPECT_EQ(decode_back(m), r);
}

TEST(RouteCodec, NexthopIdsResolveThroughTheTable) {
  NexthopTable t;
  t[101] = NexthopObject{101, false, A("10.0.0.2"), 3, {}};
  t[102] = NexthopObject{102, false, A("10.1.0.2"), 4, {}};
  t[103] = NexthopObject{103, false, std::nullopt, 0, {101, 102}};
  t[104] = NexthopObject{104, true, std::nullopt, 0, {}};
  Route base{"nl-x-a", P("10.70.0.0/24"), RouteType::Unicast, {}, 186, 20};

  MsgBuilder single = encode_route(RTM_NEWROUTE, 0, base, index_of, 101);
  EXPECT_EQ(decode_back(single, t).str(), "10.70.0.0/24 via 10.0.0.2 dev eth1 proto bgp metric 20");
  MsgBuilder group = encode_route(RTM_NEWROUTE, 0, base, index_of, 103);
  EXPECT_EQ(decode_back(group, t).nexthops,
            (std::vector<Nexthop>{{A("10.0.0.2"), "eth1"}, {A("10.1.0.2"), "eth2"}}));
  MsgBuilder hole = encode_route(RTM_NEWROUTE, 0, base, index_of, 104);
  Route h = decode_back(hole, t);
  EXPECT_EQ(h.type, RouteType::Blackhole);
  EXPECT_TRUE(h.nexthops.empty());
  // Unknown: visible as such, never silently "no nexthop".
  MsgBuilder unknown = encode_route(RTM_NEWROUTE, 0, base, index_of, 999);
  EXPECT_EQ(decode_back(unknown, t).nexthops, (std::vector<Nexthop>{{std::nullopt, "nhid:999"}}));
}

TEST(RouteCodec, TheTableWinsOverCompatAttributesWhenBothArePresent) {
  // nexthop_compat_mode=1: the kernel sends RTA_NH_ID and RTA_GATEWAY/RTA_OIF.
  NexthopTable t;
  t[5] = NexthopObject{5, false, A("10.0.0.9"), 3, {}};
  Route r{"nl-x-a", P("10.70.0.0/24"), RouteType::Unicast, {Nexthop{A("10.0.0.9"), "eth1"}}, 4, 0};
  MsgBuilder m = encode_route(RTM_NEWROUTE, 0, r, index_of);
  m.put_u32(RTA_NH_ID, 5);
  EXPECT_EQ(decode_back(m, t), r);
  EXPECT_EQ(decode_back(m, {}), r);  // and the attributes serve when the id is unknown
}

TEST(RouteCodec, DeadNexthopsAreLeftOut) {
  Route r{"nl-x-a",
          P("10.51.0.0/16"),
          RouteType::Unicast,
          {Nexthop{A("10.0.0.2"), "eth1"}, Nexthop{A("10.1.0.2"), "eth2"}},
          4,
          0};
  MsgBuilder m = encode_route(RTM_NEWROUTE, 0, r, index_of);
  // Mark the first nexthop dead, as the kernel does when its device is down.
  char* p = static_cast<char*>(mnl_nlmsg_get_payload(m.nlh())) + NLMSG_ALIGN(sizeof(rtmsg));
  const char* end = reinterpret_cast<char*>(m.nlh()) + m.size();
  bool marked = false;
  while (p < end) {
    auto* a = reinterpret_cast<nlattr*>(p);
    if ((a->nla_type & NLA_TYPE_MASK) == RTA_MULTIPATH) {
      reinterpret_cast<rtnexthop*>(p + NLA_HDRLEN)->rtnh_flags |= RTNH_F_DEAD;
      marked = true;
    }
    p += NLA_ALIGN(a->nla_len);
  }
  ASSERT_TRUE(marked);
  EXPECT_EQ(decode_back(m).nexthops, (std::vector<Nexthop>{{A("10.1.0.2"), "eth2"}}));
}

TEST(RouteCodec, OnlyIpv4UnicastAndBlackholeOfTheMainTable) {
  Route r{"nl-x-a", P("10.50.0.0/24"), RouteType::Unicast, {Nexthop{A("10.0.0.2"), "eth1"}}, 4, 0};
  {
    MsgBuilder m = encode_route(RTM_NEWROUTE, 0, r, index_of);
    rtm_of(m)->rtm_type = RTN_LOCAL;
    EXPECT_FALSE(decode_route(m.nlh(), "x", name_of, {}));
  }
  {
    MsgBuilder m = encode_route(RTM_NEWROUTE, 0, r, index_of);
    rtm_of(m)->rtm_family = AF_INET6;
    EXPECT_FALSE(decode_route(m.nlh(), "x", name_of, {}));
  }
  {
    MsgBuilder m = encode_route(RTM_NEWROUTE, 0, r, index_of);
    rtm_of(m)->rtm_flags |= RTM_F_CLONED;
    EXPECT_FALSE(decode_route(m.nlh(), "x", name_of, {}));
  }
  {
    // RTA_TABLE (not rtm_table) decides: the kernel sets rtm_table to
    // RT_TABLE_COMPAT for ids above 255.
    MsgBuilder m(RTM_NEWROUTE, 0);
    auto* rtm = m.header<rtmsg>();
    rtm->rtm_family = AF_INET;
    rtm->rtm_type = RTN_UNICAST;
    rtm->rtm_table = RT_TABLE_MAIN;
    rtm->rtm_dst_len = 24;
    m.put_u32(RTA_TABLE, 220);
    EXPECT_FALSE(decode_route(m.nlh(), "x", name_of, {}));
  }
  MsgBuilder other_type(RTM_NEWLINK, 0);
  other_type.header<ifinfomsg>();
  EXPECT_FALSE(decode_route(other_type.nlh(), "x", name_of, {}));
}

// --- links, addresses, nexthop objects ---

TEST(LinkCodec, ReportRoundTrip) {
  LinkInfo l{"nl-x-a", "eth1", 3, true, true, 9000};
  LinkStats s{10, 20, 1000, 2000};
  MsgBuilder m = encode_link_report(RTM_NEWLINK, l, s);
  auto d = decode_link(m.nlh(), "nl-x-a");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->info.ifname, "eth1");
  EXPECT_EQ(d->info.index, 3);
  EXPECT_TRUE(d->info.admin_up);
  EXPECT_TRUE(d->info.carrier);
  EXPECT_EQ(d->info.mtu, 9000u);
  EXPECT_EQ(d->stats.rx_packets, 10u);
  EXPECT_EQ(d->stats.tx_packets, 20u);
  EXPECT_EQ(d->stats.rx_bytes, 1000u);
  EXPECT_EQ(d->stats.tx_bytes, 2000u);

  l.admin_up = true;
  l.carrier = false;  // up, no carrier: IFF_UP without IFF_LOWER_UP
  d = decode_link(encode_link_report(RTM_NEWLINK, l, s).nlh(), "nl-x-a");
  EXPECT_TRUE(d->info.admin_up);
  EXPECT_FALSE(d->info.carrier);
}

TEST(LinkCodec, SetUpAndDownTouchOnlyIffUp) {
  MsgBuilder up = encode_link_set_up("eth1", true);
  auto* ifi = static_cast<ifinfomsg*>(mnl_nlmsg_get_payload(up.nlh()));
  EXPECT_EQ(ifi->ifi_change, unsigned{IFF_UP});
  EXPECT_EQ(ifi->ifi_flags, unsigned{IFF_UP});
  MsgBuilder down = encode_link_set_up("eth1", false);
  ifi = static_cast<ifinfomsg*>(mnl_nlmsg_get_payload(down.nlh()));
  EXPECT_EQ(ifi->ifi_change, unsigned{IFF_UP});
  EXPECT_EQ(ifi->ifi_flags, 0u);
}

// Collects (type -> attr) of one nest level.
std::map<uint16_t, const nlattr*> attrs_of(const void* start, size_t len) {
  std::map<uint16_t, const nlattr*> out;
  const char* p = static_cast<const char*>(start);
  const char* end = p + len;
  while (p + sizeof(nlattr) <= end) {
    auto* a = reinterpret_cast<const nlattr*>(p);
    out[a->nla_type & NLA_TYPE_MASK] = a;
    p += NLA_ALIGN(a->nla_len);
  }
  return out;
}

TEST(LinkCodec, VethCreateIsOneMessageWithThePeerInItsNamespace) {
  MsgBuilder m = encode_veth_create(VethPair{"nl-x-a", "eth1", "nl-x-b", "dx1", 1400}, 42);
  EXPECT_EQ(m.nlh()->nlmsg_type, RTM_NEWLINK);
  EXPECT_EQ(m.nlh()->nlmsg_flags, NLM_F_CREATE | NLM_F_EXCL);
  auto top =
      attrs_of(static_cast<char*>(mnl_nlmsg_get_payload(m.nlh())) + NLMSG_ALIGN(sizeof(ifinfomsg)),
               mnl_nlmsg_get_payload_len(m.nlh()) - NLMSG_ALIGN(sizeof(ifinfomsg)));
  EXPECT_STREQ(static_cast<const char*>(mnl_attr_get_payload(top.at(IFLA_IFNAME))), "eth1");
  EXPECT_EQ(mnl_attr_get_u32(top.at(IFLA_MTU)), 1400u);
  EXPECT_FALSE(top.count(IFLA_NET_NS_FD));  // this end: the socket's namespace
  const nlattr* li = top.at(IFLA_LINKINFO);
  auto info = attrs_of(mnl_attr_get_payload(li), mnl_attr_get_payload_len(li));
  EXPECT_STREQ(static_cast<const char*>(mnl_attr_get_payload(info.at(IFLA_INFO_KIND))), "veth");
  const nlattr* data = info.at(IFLA_INFO_DATA);
  auto d = attrs_of(mnl_attr_get_payload(data), mnl_attr_get_payload_len(data));
  const nlattr* peer = d.at(VETH_INFO_PEER);
  // The peer nest starts with its own ifinfomsg, then its attributes.
  auto pa = attrs_of(
      static_cast<const char*>(mnl_attr_get_payload(peer)) + NLMSG_ALIGN(sizeof(ifinfomsg)),
      mnl_attr_get_payload_len(peer) - NLMSG_ALIGN(sizeof(ifinfomsg)));
  EXPECT_STREQ(static_cast<const char*>(mnl_attr_get_payload(pa.at(IFLA_IFNAME))), "dx1");
  EXPECT_EQ(mnl_attr_get_u32(pa.at(IFLA_NET_NS_FD)), 42u);
  EXPECT_EQ(mnl_attr_get_u32(pa.at(IFLA_MTU)), 1400u);
}

TEST(LinkCodec, VethCreateAsksForEachEndsIndex) {
  VethPair p{"nl-x-a", "eth1", "nl-x-b", "eth1", 1500};
  p.index_a = 16;
  p.index_b = 17;
  MsgBuilder m = encode_veth_create(p, 42);
  auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(m.nlh()));
  EXPECT_EQ(ifi->ifi_index, 16);
  auto top =
      attrs_of(static_cast<char*>(mnl_nlmsg_get_payload(m.nlh())) + NLMSG_ALIGN(sizeof(ifinfomsg)),
               mnl_nlmsg_get_payload_len(m.nlh()) - NLMSG_ALIGN(sizeof(ifinfomsg)));
  const nlattr* li = top.at(IFLA_LINKINFO);
  auto info = attrs_of(mnl_attr_get_payload(li), mnl_attr_get_payload_len(li));
  const nlattr* data = info.at(IFLA_INFO_DATA);
  auto d = attrs_of(mnl_attr_get_payload(data), mnl_attr_get_payload_len(data));
  auto* peer_ifi = static_cast<const ifinfomsg*>(mnl_attr_get_payload(d.at(VETH_INFO_PEER)));
  EXPECT_EQ(peer_ifi->ifi_index, 17);
  // Unset: the kernel chooses.
  MsgBuilder plain = encode_veth_create(VethPair{"a", "eth1", "b", "eth1", 1500}, 3);
  EXPECT_EQ(static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(plain.nlh()))->ifi_index, 0);
}

TEST(LinkCodec, InvalidInterfaceNamesAreRefusedBeforeTheKernel) {
  EXPECT_TRUE(valid_ifname("vpn1-t1-abcdefg"));    // 15
  EXPECT_FALSE(valid_ifname("vpn1-t1-abcdefgh"));  // 16
  EXPECT_FALSE(valid_ifname(""));
  EXPECT_FALSE(valid_ifname("a/b"));
  EXPECT_FALSE(valid_ifname("a b"));
  try {
    encode_veth_create(VethPair{"a", "eth1", "b", "this-is-far-too-long", 1500}, 3);
    FAIL();
  } catch (const KernelError& e) {
    EXPECT_EQ(e.err(), EINVAL);
  }
}

TEST(AddressCodec, RoundTrip) {
  MsgBuilder m = encode_address(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, 3, P("10.0.0.1/30"));
  auto d = decode_address(m.nlh());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ifindex, 3);
  EXPECT_EQ(d->addr, P("10.0.0.1/30"));
}

TEST(NexthopCodec, RoundTrip) {
  for (const NexthopObject& nh :
       {NexthopObject{1, false, A("10.0.0.2"), 3, {}}, NexthopObject{2, true, std::nullopt, 0, {}},
        NexthopObject{3, false, std::nullopt, 0, {1, 7, 9}},
        NexthopObject{4, false, std::nullopt, 4, {}}}) {
    MsgBuilder m = encode_nexthop(RTM_NEWNEXTHOP, NLM_F_CREATE, nh);
    auto d = decode_nexthop(m.nlh());
    ASSERT_TRUE(d) << nh.id;
    EXPECT_EQ(*d, nh);
  }
}

// --- errors and the builder ---

std::vector<char> error_message(int err, const std::string& extack, bool capped) {
  std::vector<char> buf(4096, 0);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = NLMSG_ERROR;
  nlh->nlmsg_flags = (capped ? NLM_F_CAPPED : 0) | (extack.empty() ? 0 : NLM_F_ACK_TLVS);
  auto* e = static_cast<nlmsgerr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(nlmsgerr)));
  e->error = -err;
  e->msg.nlmsg_len = sizeof(nlmsghdr);
  if (!capped) {
    // The echoed request: a header plus 8 bytes of payload.
    e->msg.nlmsg_len = sizeof(nlmsghdr) + 8;
    mnl_nlmsg_put_extra_header(nlh, 8);
  }
  if (!extack.empty()) mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, extack.c_str());
  buf.resize(nlh->nlmsg_len);
  return buf;
}

TEST(NlErrorDecode, ErrnoAndExtackCappedOrNot) {
  auto capped = error_message(ENETUNREACH, "Nexthop has invalid gateway", true);
  NlError e = decode_error(reinterpret_cast<nlmsghdr*>(capped.data()));
  EXPECT_EQ(e.err, ENETUNREACH);
  EXPECT_EQ(e.extack, "Nexthop has invalid gateway");

  auto full = error_message(EEXIST, "File exists here", false);
  e = decode_error(reinterpret_cast<nlmsghdr*>(full.data()));
  EXPECT_EQ(e.err, EEXIST);
  EXPECT_EQ(e.extack, "File exists here");

  auto ack = error_message(0, "", true);
  e = decode_error(reinterpret_cast<nlmsghdr*>(ack.data()));
  EXPECT_EQ(e.err, 0);
  EXPECT_EQ(e.extack, "");
}

TEST(NlErrorDecode, DoneWithAnError) {
  std::vector<char> buf(256, 0);
  nlmsghdr* nlh = mnl_nlmsg_put_header(buf.data());
  nlh->nlmsg_type = NLMSG_DONE;
  int* v = static_cast<int*>(mnl_nlmsg_put_extra_header(nlh, sizeof(int)));
  *v = -EOPNOTSUPP;
  EXPECT_EQ(decode_error(nlh).err, EOPNOTSUPP);
}

TEST(MsgBuilder, RefusesToOverflowItsBuffer) {
  MsgBuilder m(RTM_NEWLINK, 0, 64);
  m.header<ifinfomsg>();
  try {
    m.put(IFLA_IFALIAS, std::string(100, 'x').c_str(), 100);
    FAIL();
  } catch (const KernelError& e) {
    EXPECT_EQ(e.err(), EMSGSIZE);
  }
  EXPECT_THROW(m.reserve(1000), KernelError);
}

// --- the event stream ---

void append(std::vector<char>& dgram, const MsgBuilder& m) {
  dgram.insert(dgram.end(), m.data(), m.data() + m.size());
}

class RouteEventDecoderTest : public ::testing::Test {
 protected:
  RouteEventDecoder dec{"nl-x-a"};
  std::vector<RouteEvent> feed(std::initializer_list<const MsgBuilder*> msgs, int64_t t) {
    std::vector<char> d;
    for (auto* m : msgs) append(d, *m);
    return dec.feed(d.data(), d.size(), t);
  }
  static MsgBuilder link(int index, const char* name, bool up, uint16_t type = RTM_NEWLINK) {
    return encode_link_report(type, LinkInfo{"nl-x-a", name, index, up, up, 1500}, {});
  }
};

TEST_F(RouteEventDecoderTest, DecodesAStreamOfLinksNexthopsAndRoutes) {
  MsgBuilder l1 = link(3, "eth1", true);
  MsgBuilder nh = encode_nexthop(RTM_NEWNEXTHOP, 0, NexthopObject{7, false, A("10.0.0.2"), 3, {}});
  Route via_nh{"nl-x-a", P("10.70.0.0/24"), RouteType::Unicast, {}, 186, 20};
  MsgBuilder r1 = encode_route(RTM_NEWROUTE, 0, via_nh, index_of, 7);
  Route plain{"nl-x-a", P("10.50.0.0/24"), RouteType::Unicast, {Nexthop{A("10.0.0.2"), "eth1"}}, 4,
              0};
  MsgBuilder r2 = encode_route(RTM_NEWROUTE, 0, plain, index_of);
  MsgBuilder r3 = encode_route(RTM_DELROUTE, 0, plain, index_of);

  // One datagram, several messages: same receipt time, kernel order.
  auto evs = feed({&l1, &nh, &r1, &r2}, 1000);
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[0].str(), "1000 add nl-x-a 10.70.0.0/24 via 10.0.0.2 dev eth1 proto bgp metric 20");
  EXPECT_EQ(evs[1], (RouteEvent{1000, RouteEvent::Kind::Add, plain}));
  evs = feed({&r3}, 2000);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0], (RouteEvent{2000, RouteEvent::Kind::Delete, plain}));
  EXPECT_EQ(dec.route_count(), 1u);
}

TEST_F(RouteEventDecoderTest, LinkDownReportsTheRoutesTheKernelDropsSilently) {
  MsgBuilder l1 = link(3, "eth1", true), l2 = link(4, "eth2", true);
  Route on1{"nl-x-a", P("10.50.0.0/24"), RouteType::Unicast, {Nexthop{A("10.0.0.2"), "eth1"}}, 4,
            0};
  Route ecmp{"nl-x-a",
             P("10.51.0.0/24"),
             RouteType::Unicast,
             {Nexthop{A("10.0.0.2"), "eth1"}, Nexthop{A("10.1.0.2"), "eth2"}},
             4,
             0};
  Route hole{"nl-x-a", P("10.52.0.0/24"), RouteType::Blackhole, {}, 4, 0};
  MsgBuilder a = encode_route(RTM_NEWROUTE, 0, on1, index_of);
  MsgBuilder b = encode_route(RTM_NEWROUTE, 0, ecmp, index_of);
  MsgBuilder c = encode_route(RTM_NEWROUTE, 0, hole, index_of);
  // Learned from the initial dump: no events, but remembered.
  for (auto* m : {&l1, &l2, &a, &b, &c}) dec.learn(m->nlh());
  EXPECT_EQ(dec.route_count(), 3u);

  MsgBuilder down = link(3, "eth1", false);
  auto evs = feed({&down}, 5000);
  ASSERT_EQ(evs.size(), 2u);
  // In (dst, metric) order: the single-path route is gone, the ECMP route
  // carries on through eth2 only; the blackhole has no device.
  EXPECT_EQ(evs[0], (RouteEvent{5000, RouteEvent::Kind::Delete, on1}));
  EXPECT_EQ(evs[1].kind, RouteEvent::Kind::Add);
  EXPECT_EQ(evs[1].route.nexthops, (std::vector<Nexthop>{{A("10.1.0.2"), "eth2"}}));

  // A repeated down message changes nothing more.
  EXPECT_TRUE(feed({&down}, 5001).empty());
  // eth1 back: the kernel revives the ECMP route's dead nexthop (silently).
  MsgBuilder up = link(3, "eth1", true);
  evs = feed({&up}, 5500);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0], (RouteEvent{5500, RouteEvent::Kind::Add, ecmp}));
  // Both devices gone: nothing is left of the ECMP route.
  MsgBuilder down_again = link(3, "eth1", false);
  MsgBuilder gone = link(4, "eth2", true, RTM_DELLINK);
  evs = feed({&down_again, &gone}, 6000);
  ASSERT_EQ(evs.size(), 2u);
  EXPECT_EQ(evs[0].kind, RouteEvent::Kind::Add);
  EXPECT_EQ(evs[1], (RouteEvent{6000, RouteEvent::Kind::Delete, ecmp}));
  EXPECT_EQ(dec.route_count(), 1u);  // the blackhole
}

TEST_F(RouteEventDecoderTest, DeletedLinkTakesItsRoutesAndRenamesAreFollowed) {
  MsgBuilder l1 = link(3, "eth1", true);
  Route r{"nl-x-a", P("10.50.0.0/24"), RouteType::Unicast, {Nexthop{A("10.0.0.2"), "eth1"}}, 4, 0};
  MsgBuilder add = encode_route(RTM_NEWROUTE, 0, r, index_of);
  feed({&l1, &add}, 1);
  MsgBuilder del = link(3, "eth1", true, RTM_DELLINK);
  auto evs = feed({&del}, 2);
  ASSERT_EQ(evs.size(), 1u);
  EXPECT_EQ(evs[0].kind, RouteEvent::Kind::Delete);
  EXPECT_EQ(dec.ifname(3), "if3");

  MsgBuilder renamed = link(3, "dx1", true);
  feed({&renamed}, 3);
  EXPECT_EQ(dec.ifname(3), "dx1");
}

TEST_F(RouteEventDecoderTest, NexthopDeletionAndOtherTablesAreHandled) {
  MsgBuilder l1 = link(3, "eth1", true);
  MsgBuilder nh = encode_nexthop(RTM_NEWNEXTHOP, 0, NexthopObject{7, false, A("10.0.0.2"), 3, {}});
  MsgBuilder nh_del = encode_nexthop(RTM_DELNEXTHOP, 0, NexthopObject{7, false, {}, 0, {}});
  feed({&l1, &nh, &nh_del}, 1);
  EXPECT_TRUE(dec.nexthops().empty());

  Route r{"nl-x-a", P("10.70.0.0/24"), RouteType::Unicast, {}, 186, 0};
  MsgBuilder other = encode_route(RTM_NEWROUTE, 0, r, index_of, 7);
  other.put_u32(RTA_TABLE, 220);  // a second RTA_TABLE wins when parsed last
  EXPECT_TRUE(feed({&other}, 2).empty());

  dec.reset();
  EXPECT_EQ(dec.route_count(), 0u);
  EXPECT_EQ(dec.ifname(3), "if3");
}

}  // namespace
}  // namespace netlab::kernel
