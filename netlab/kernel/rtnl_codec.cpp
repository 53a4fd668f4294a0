#include "netlab/kernel/rtnl_codec.h"

#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "netlab/base/error.h"
#include "netlab/kernel/nl_attr.h"

namespace netlab::kernel {
namespace {

template <class Hdr, class F>
bool for_each_msg_attr(const nlmsghdr* nlh, F&& f) {
  size_t payload = mnl_nlmsg_get_payload_len(nlh);
  if (payload < sizeof(Hdr)) return false;
  const char* p = static_cast<const char*>(mnl_nlmsg_get_payload(nlh));
  size_t off = NLMSG_ALIGN(sizeof(Hdr));
  if (off < payload) for_each_attr(p + off, payload - off, f);
  return true;
}

template <class Hdr>
const Hdr* family_header(const nlmsghdr* nlh) {
  if (mnl_nlmsg_get_payload_len(nlh) < sizeof(Hdr)) return nullptr;
  return static_cast<const Hdr*>(mnl_nlmsg_get_payload(nlh));
}

std::optional<uint32_t> read_u32(const char* p, size_t n) {
  if (n < sizeof(uint32_t)) return std::nullopt;
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

std::string read_str(const char* p, size_t n) { return std::string(p, strnlen(p, n)); }

void put_ipv4(MsgBuilder& m, uint16_t type, Ipv4 a) { m.put_u32(type, a.network_order()); }

std::optional<Ipv4> read_ipv4(const char* p, size_t n) {
  if (n != 4) return std::nullopt;  // an IPv6 gateway (RFC 5549) is not modelled
  return Ipv4::from_network_order(*read_u32(p, n));
}

void check_ifname(const std::string& name) {
  if (!valid_ifname(name)) {
    throw KernelError("encode", name, EINVAL,
                      "invalid interface name (1-15 bytes, no '/' or space)");
  }
}

}  // namespace

bool valid_ifname(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ || name == "." || name == "..") return false;
  for (char c : name) {
    if (c == '/' || c == ':' || c == '\0' || std::isspace(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

// --- links ---

MsgBuilder encode_link_get(const std::string& ifname) {
  check_ifname(ifname);
  MsgBuilder m(RTM_GETLINK, 0);
  m.header<ifinfomsg>()->ifi_family = AF_UNSPEC;
  m.put_strz(IFLA_IFNAME, ifname);
  return m;
}

MsgBuilder encode_link_dump() {
  MsgBuilder m(RTM_GETLINK, NLM_F_DUMP);
  m.header<ifinfomsg>()->ifi_family = AF_UNSPEC;
  return m;
}

MsgBuilder encode_link_set_up(const std::string& ifname, bool up) {
  check_ifname(ifname);
  MsgBuilder m(RTM_NEWLINK, 0);
  auto* ifi = m.header<ifinfomsg>();
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_change = IFF_UP;
  ifi->ifi_flags = up ? IFF_UP : 0;
  m.put_strz(IFLA_IFNAME, ifname);
  return m;
}

MsgBuilder encode_link_delete(const std::string& ifname) {
  check_ifname(ifname);
  MsgBuilder m(RTM_DELLINK, 0);
  m.header<ifinfomsg>()->ifi_family = AF_UNSPEC;
  m.put_strz(IFLA_IFNAME, ifname);
  return m;
}

MsgBuilder encode_veth_create(const VethPair& pair, int peer_nsfd) {
  check_ifname(pair.if_a);
  check_ifname(pair.if_b);
  MsgBuilder m(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  auto* ifi = m.header<ifinfomsg>();
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = pair.index_a;  // a requested index (0: the kernel picks)
  m.put_strz(IFLA_IFNAME, pair.if_a);
  m.put_u32(IFLA_MTU, pair.mtu);
  nlattr* linkinfo = m.nest_start(IFLA_LINKINFO);
  m.put_strz(IFLA_INFO_KIND, "veth");
  nlattr* data = m.nest_start(IFLA_INFO_DATA);
  nlattr* peer = m.nest_start(VETH_INFO_PEER);
  auto* peer_ifi = m.header<ifinfomsg>();  // the peer's own ifinfomsg
  peer_ifi->ifi_family = AF_UNSPEC;
  peer_ifi->ifi_index = pair.index_b;
  m.put_strz(IFLA_IFNAME, pair.if_b);
  m.put_u32(IFLA_MTU, pair.mtu);
  m.put_u32(IFLA_NET_NS_FD, static_cast<uint32_t>(peer_nsfd));
  m.nest_end(peer);
  m.nest_end(data);
  m.nest_end(linkinfo);
  return m;
}

MsgBuilder encode_link_report(uint16_t type, const LinkInfo& info, const LinkStats& stats) {
  MsgBuilder m(type, 0);
  auto* ifi = m.header<ifinfomsg>();
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = info.index;
  ifi->ifi_flags = (info.admin_up ? IFF_UP : 0) | (info.carrier ? IFF_LOWER_UP | IFF_RUNNING : 0);
  m.put_strz(IFLA_IFNAME, info.ifname);
  m.put_u32(IFLA_MTU, info.mtu);
  rtnl_link_stats64 s{};
  s.rx_packets = stats.rx_packets;
  s.tx_packets = stats.tx_packets;
  s.rx_bytes = stats.rx_bytes;
  s.tx_bytes = stats.tx_bytes;
  m.put(IFLA_STATS64, &s, sizeof s);
  return m;
}

std::optional<DecodedLink> decode_link(const nlmsghdr* nlh, const std::string& ns) {
  if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) return std::nullopt;
  const auto* ifi = family_header<ifinfomsg>(nlh);
  if (ifi == nullptr) return std::nullopt;
  DecodedLink d;
  d.info.ns = ns;
  d.info.index = ifi->ifi_index;
  d.info.admin_up = (ifi->ifi_flags & IFF_UP) != 0;
  d.info.carrier = (ifi->ifi_flags & IFF_LOWER_UP) != 0;
  bool have_stats64 = false;
  for_each_msg_attr<ifinfomsg>(nlh, [&](uint16_t type, const char* p, size_t n) {
    switch (type) {
      case IFLA_IFNAME:
        d.info.ifname = read_str(p, n);
        break;
      case IFLA_MTU:
        d.info.mtu = read_u32(p, n).value_or(0);
        break;
      case IFLA_STATS64:
        if (n >= 4 * sizeof(uint64_t)) {
          rtnl_link_stats64 s{};
          std::memcpy(&s, p, std::min(n, sizeof s));
          d.stats = {s.rx_packets, s.tx_packets, s.rx_bytes, s.tx_bytes};
          have_stats64 = true;
        }
        break;
      case IFLA_STATS:
        if (!have_stats64 && n >= 4 * sizeof(uint32_t)) {
          rtnl_link_stats s{};
          std::memcpy(&s, p, std::min(n, sizeof s));
          d.stats = {s.rx_packets, s.tx_packets, s.rx_bytes, s.tx_bytes};
        }
        break;
      default:
        break;
    }
  });
  return d;
}

// --- addresses ---

MsgBuilder encode_address(uint16_t type, uint16_t flags, int ifindex, const Ipv4Prefix& addr) {
  MsgBuilder m(type, flags);
  auto* ifa = m.header<ifaddrmsg>();
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = addr.len;
  ifa->ifa_index = static_cast<uint32_t>(ifindex);
  put_ipv4(m, IFA_LOCAL, addr.addr);
  put_ipv4(m, IFA_ADDRESS, addr.addr);
  return m;
}

MsgBuilder encode_address_dump() {
  MsgBuilder m(RTM_GETADDR, NLM_F_DUMP);
  m.header<ifaddrmsg>()->ifa_family = AF_INET;
  return m;
}

std::optional<DecodedAddress> decode_address(const nlmsghdr* nlh) {
  if (nlh->nlmsg_type != RTM_NEWADDR && nlh->nlmsg_type != RTM_DELADDR) return std::nullopt;
  const auto* ifa = family_header<ifaddrmsg>(nlh);
  if (ifa == nullptr || ifa->ifa_family != AF_INET) return std::nullopt;
  std::optional<Ipv4> local, address;
  for_each_msg_attr<ifaddrmsg>(nlh, [&](uint16_t type, const char* p, size_t n) {
    if (type == IFA_LOCAL) local = read_ipv4(p, n);
    if (type == IFA_ADDRESS) address = read_ipv4(p, n);
  });
  // On point-to-point links IFA_ADDRESS is the peer; IFA_LOCAL is ours.
  std::optional<Ipv4> a = local ? local : address;
  if (!a) return std::nullopt;
  return DecodedAddress{static_cast<int>(ifa->ifa_index), Ipv4Prefix{*a, ifa->ifa_prefixlen}};
}

// --- nexthop objects ---

MsgBuilder encode_nexthop(uint16_t type, uint16_t flags, const NexthopObject& nh) {
  MsgBuilder m(type, flags);
  auto* h = m.header<nhmsg>();
  h->nh_family = (nh.group.empty() && !nh.blackhole) ? AF_INET : AF_UNSPEC;
  h->nh_protocol = RTPROT_STATIC;
  m.put_u32(NHA_ID, nh.id);
  if (!nh.group.empty()) {
    std::vector<nexthop_grp> grp(nh.group.size());
    for (size_t i = 0; i < nh.group.size(); ++i) grp[i].id = nh.group[i];
    m.put(NHA_GROUP, grp.data(), grp.size() * sizeof(nexthop_grp));
  } else if (nh.blackhole) {
    m.put(NHA_BLACKHOLE, nullptr, 0);
  } else {
    if (nh.oif != 0) m.put_u32(NHA_OIF, static_cast<uint32_t>(nh.oif));
    if (nh.gateway) put_ipv4(m, NHA_GATEWAY, *nh.gateway);
  }
  return m;
}

MsgBuilder encode_nexthop_dump() {
  MsgBuilder m(RTM_GETNEXTHOP, NLM_F_DUMP);
  m.header<nhmsg>()->nh_family = AF_UNSPEC;
  return m;
}

std::optional<NexthopObject> decode_nexthop(const nlmsghdr* nlh) {
  if (nlh->nlmsg_type != RTM_NEWNEXTHOP && nlh->nlmsg_type != RTM_DELNEXTHOP) return std::nullopt;
  NexthopObject nh;
  bool have_id = false;
  bool ok = for_each_msg_attr<nhmsg>(nlh, [&](uint16_t type, const char* p, size_t n) {
    switch (type) {
      case NHA_ID:
        if (auto v = read_u32(p, n)) nh.id = *v, have_id = true;
        break;
      case NHA_GROUP:
        for (size_t off = 0; off + sizeof(nexthop_grp) <= n; off += sizeof(nexthop_grp)) {
          nexthop_grp g;
          std::memcpy(&g, p + off, sizeof g);
          nh.group.push_back(g.id);
        }
        break;
      case NHA_BLACKHOLE:
        nh.blackhole = true;
        break;
      case NHA_OIF:
        nh.oif = static_cast<int>(read_u32(p, n).value_or(0));
        break;
      case NHA_GATEWAY:
        nh.gateway = read_ipv4(p, n);
        break;
      default:
        break;
    }
  });
  if (!ok || !have_id) return std::nullopt;
  return nh;
}

// --- routes ---

MsgBuilder encode_route(uint16_t type, uint16_t flags, const Route& route, const IfindexOf& ifindex,
                        std::optional<uint32_t> nhid) {
  MsgBuilder m(type, flags);
  auto* rtm = m.header<rtmsg>();
  rtm->rtm_family = AF_INET;
  rtm->rtm_dst_len = route.dst.len;
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_protocol = route.protocol;
  rtm->rtm_type = route.type == RouteType::Blackhole ? RTN_BLACKHOLE : RTN_UNICAST;
  // As iproute2 does: a route to a device without a gateway is link scope.
  bool link_scope = !nhid && route.type == RouteType::Unicast && route.nexthops.size() == 1 &&
                    !route.nexthops[0].via;
  rtm->rtm_scope = link_scope ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
  m.put_u32(RTA_TABLE, RT_TABLE_MAIN);
  if (route.dst.len > 0) put_ipv4(m, RTA_DST, route.dst.network());
  if (route.metric != 0) m.put_u32(RTA_PRIORITY, route.metric);
  if (nhid) {
    m.put_u32(RTA_NH_ID, *nhid);
    return m;
  }
  if (route.type != RouteType::Unicast) return m;
  if (route.nexthops.size() == 1) {
    const Nexthop& nh = route.nexthops[0];
    if (nh.via) put_ipv4(m, RTA_GATEWAY, *nh.via);
    if (!nh.dev.empty()) m.put_u32(RTA_OIF, static_cast<uint32_t>(ifindex(nh.dev)));
  } else if (route.nexthops.size() > 1) {
    nlattr* mp = m.nest_start(RTA_MULTIPATH);
    for (const Nexthop& nh : route.nexthops) {
      size_t off = m.size();
      m.reserve(sizeof(rtnexthop));
      if (nh.via) put_ipv4(m, RTA_GATEWAY, *nh.via);
      auto* rtnh = m.at<rtnexthop>(off);
      rtnh->rtnh_ifindex = nh.dev.empty() ? 0 : ifindex(nh.dev);
      rtnh->rtnh_len = static_cast<unsigned short>(m.size() - off);
    }
    m.nest_end(mp);
  }
  return m;
}

MsgBuilder encode_route_dump() {
  MsgBuilder m(RTM_GETROUTE, NLM_F_DUMP);
  m.header<rtmsg>()->rtm_family = AF_INET;
  return m;
}

namespace {

// Appends the nexthops of object `id` (members of a group, recursively once:
// the kernel forbids nested groups). Returns false when `id` is unknown.
bool resolve_nhid(uint32_t id, const NexthopTable& table, const IfnameOf& ifname, Route& r) {
  auto it = table.find(id);
  if (it == table.end()) return false;
  const NexthopObject& o = it->second;
  if (!o.group.empty()) {
    for (uint32_t member : o.group) {
      auto m = table.find(member);
      if (m == table.end()) {
        r.nexthops.push_back(Nexthop{std::nullopt, "nhid:" + std::to_string(member)});
      } else if (m->second.blackhole) {
        continue;
      } else {
        r.nexthops.push_back(
            Nexthop{m->second.gateway, m->second.oif ? ifname(m->second.oif) : std::string()});
      }
    }
    if (r.nexthops.empty()) r.type = RouteType::Blackhole;
    return true;
  }
  if (o.blackhole) {
    r.type = RouteType::Blackhole;
    return true;
  }
  r.nexthops.push_back(Nexthop{o.gateway, o.oif ? ifname(o.oif) : std::string()});
  return true;
}

}  // namespace

std::optional<Route> decode_route(const nlmsghdr* nlh, const std::string& ns,
                                  const IfnameOf& ifname, const NexthopTable& nexthops) {
  if (nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE) return std::nullopt;
  const auto* rtm = family_header<rtmsg>(nlh);
  if (rtm == nullptr || rtm->rtm_family != AF_INET) return std::nullopt;
  if (rtm->rtm_flags & RTM_F_CLONED) return std::nullopt;
  Route r;
  r.ns = ns;
  if (rtm->rtm_type == RTN_UNICAST) {
    r.type = RouteType::Unicast;
  } else if (rtm->rtm_type == RTN_BLACKHOLE) {
    r.type = RouteType::Blackhole;
  } else {
    return std::nullopt;
  }
  r.protocol = rtm->rtm_protocol;
  r.dst.len = rtm->rtm_dst_len;
  uint32_t table = rtm->rtm_table;
  std::optional<uint32_t> nhid;
  std::optional<Ipv4> gateway;
  int oif = 0;
  std::vector<Nexthop> multipath;
  for_each_msg_attr<rtmsg>(nlh, [&](uint16_t type, const char* p, size_t n) {
    switch (type) {
      case RTA_TABLE:
        table = read_u32(p, n).value_or(table);
        break;
      case RTA_DST:
        if (auto a = read_ipv4(p, n)) r.dst.addr = *a;
        break;
      case RTA_PRIORITY:
        r.metric = read_u32(p, n).value_or(0);
        break;
      case RTA_NH_ID:
        nhid = read_u32(p, n);
        break;
      case RTA_GATEWAY:
        gateway = read_ipv4(p, n);
        break;
      case RTA_OIF:
        oif = static_cast<int>(read_u32(p, n).value_or(0));
        break;
      case RTA_MULTIPATH: {
        size_t off = 0;
        while (off + sizeof(rtnexthop) <= n) {
          rtnexthop rtnh;
          std::memcpy(&rtnh, p + off, sizeof rtnh);
          if (rtnh.rtnh_len < sizeof(rtnexthop) || off + rtnh.rtnh_len > n) break;
          std::optional<Ipv4> via;
          size_t inner = RTNH_ALIGN(sizeof(rtnexthop));
          if (rtnh.rtnh_len > inner) {
            for_each_attr(p + off + inner, rtnh.rtnh_len - inner,
                          [&](uint16_t t, const char* q, size_t m) {
                            if (t == RTA_GATEWAY) via = read_ipv4(q, m);
                          });
          }
          if (!(rtnh.rtnh_flags & RTNH_F_DEAD)) {
            multipath.push_back(
                Nexthop{via, rtnh.rtnh_ifindex ? ifname(rtnh.rtnh_ifindex) : std::string()});
          }
          off += RTNH_ALIGN(rtnh.rtnh_len);
        }
        break;
      }
      default:
        break;
    }
  });
  if (table != RT_TABLE_MAIN) return std::nullopt;
  if (nhid && resolve_nhid(*nhid, nexthops, ifname, r)) return r;
  if (r.type != RouteType::Unicast) return r;
  if (!multipath.empty()) {
    r.nexthops = std::move(multipath);
  } else if (gateway || oif != 0) {
    r.nexthops.push_back(Nexthop{gateway, oif ? ifname(oif) : std::string()});
  } else if (nhid) {
    r.nexthops.push_back(Nexthop{std::nullopt, "nhid:" + std::to_string(*nhid)});
  }
  return r;
}

// --- the event stream ---

void RouteEventDecoder::reset() {
  links_.clear();
  admin_up_.clear();
  nexthops_.clear();
  routes_.clear();
}

std::string RouteEventDecoder::ifname(int index) const {
  auto it = links_.find(index);
  return it != links_.end() ? it->second : "if" + std::to_string(index);
}

void RouteEventDecoder::learn(const nlmsghdr* nlh) { handle(nlh, 0, nullptr); }

std::vector<RouteEvent> RouteEventDecoder::feed(const void* data, size_t len, int64_t t_ns) {
  std::vector<RouteEvent> out;
  auto* nlh = static_cast<const nlmsghdr*>(data);
  int left = static_cast<int>(len);
  for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) handle(nlh, t_ns, &out);
  return out;
}

Route RouteEventDecoder::Tracked::live() const {
  Route r = route;
  r.nexthops.clear();
  for (size_t i = 0; i < route.nexthops.size(); ++i) {
    if (!dead[i]) r.nexthops.push_back(route.nexthops[i]);
  }
  return r;
}

void RouteEventDecoder::link_down(int index, int64_t t_ns, std::vector<RouteEvent>* out) {
  const std::string name = ifname(index);
  for (auto it = routes_.begin(); it != routes_.end();) {
    Tracked& t = it->second;
    bool changed = false, alive = false;
    for (size_t i = 0; i < t.route.nexthops.size(); ++i) {
      if (t.route.nexthops[i].dev == name && !t.dead[i]) t.dead[i] = changed = true;
      alive = alive || !t.dead[i];
    }
    if (!changed) {
      ++it;
      continue;
    }
    if (!alive) {
      if (out) out->push_back(RouteEvent{t_ns, RouteEvent::Kind::Delete, t.route});
      it = routes_.erase(it);
      continue;
    }
    if (out) out->push_back(RouteEvent{t_ns, RouteEvent::Kind::Add, t.live()});
    ++it;
  }
}

void RouteEventDecoder::link_up(int index, int64_t t_ns, std::vector<RouteEvent>* out) {
  const std::string name = ifname(index);
  for (auto& [key, t] : routes_) {
    bool changed = false;
    for (size_t i = 0; i < t.route.nexthops.size(); ++i) {
      if (t.route.nexthops[i].dev == name && t.dead[i]) {
        t.dead[i] = false;
        changed = true;
      }
    }
    if (changed && out) out->push_back(RouteEvent{t_ns, RouteEvent::Kind::Add, t.live()});
  }
}

void RouteEventDecoder::handle(const nlmsghdr* nlh, int64_t t_ns, std::vector<RouteEvent>* out) {
  switch (nlh->nlmsg_type) {
    case RTM_NEWLINK: {
      auto l = decode_link(nlh, ns_);
      if (!l) return;
      auto known = admin_up_.find(l->info.index);
      bool was_up = known != admin_up_.end() && known->second;
      if (!l->info.ifname.empty()) links_[l->info.index] = l->info.ifname;
      admin_up_[l->info.index] = l->info.admin_up;
      if (was_up && !l->info.admin_up) link_down(l->info.index, t_ns, out);
      if (known != admin_up_.end() && !was_up && l->info.admin_up) {
        link_up(l->info.index, t_ns, out);
      }
      return;
    }
    case RTM_DELLINK: {
      auto l = decode_link(nlh, ns_);
      if (!l) return;
      link_down(l->info.index, t_ns, out);
      links_.erase(l->info.index);
      admin_up_.erase(l->info.index);
      return;
    }
    case RTM_NEWNEXTHOP:
      if (auto nh = decode_nexthop(nlh)) nexthops_[nh->id] = *nh;
      return;
    case RTM_DELNEXTHOP:
      if (auto nh = decode_nexthop(nlh)) nexthops_.erase(nh->id);
      return;
    case RTM_NEWROUTE:
    case RTM_DELROUTE: {
      auto r = decode_route(
          nlh, ns_, [this](int i) { return ifname(i); }, nexthops_);
      if (!r) return;
      auto key = std::make_pair(r->dst.normalized(), r->metric);
      if (nlh->nlmsg_type == RTM_NEWROUTE) {
        routes_[key] = Tracked{*r, std::vector<bool>(r->nexthops.size(), false)};
        if (out) out->push_back(RouteEvent{t_ns, RouteEvent::Kind::Add, *r});
      } else {
        routes_.erase(key);
        if (out) out->push_back(RouteEvent{t_ns, RouteEvent::Kind::Delete, *r});
      }
      return;
    }
    default:
      return;
  }
}

}  // namespace netlab::kernel
