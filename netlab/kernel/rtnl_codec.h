// rtnetlink messages <-> netlab's value types. Pure: no sockets, no
// namespaces, no clock. Encoders build one request each (sending is
// NlSocket's job); decoders read what the kernel sends, so each encoder is
// tested by decoding its output back (tests/unit/kernel/rtnl_codec_test.cpp).
//
// Interface names travel as ifindexes; callers pass the lookup.
// Errors: encoders throw KernelError("encode", ...) on impossible input.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "netlab/kernel/route_monitor.h"
#include "netlab/kernel/rtnl.h"
#include "netlab/kernel/types.h"

namespace netlab::kernel {

using IfindexOf = std::function<int(const std::string& ifname)>;  // throws when unknown
using IfnameOf = std::function<std::string(int ifindex)>;

// Linux limits an interface name to IFNAMSIZ-1 = 15 bytes, no '/', no
// whitespace, not "." or "..". Real and fake Netlink refuse others with EINVAL.
bool valid_ifname(const std::string& name);

// A kernel nexthop object (RTM_NEWNEXTHOP; FRR 8 installs routes as
// `nhid N`): a single gateway/device, a blackhole, or a group of other ids.
struct NexthopObject {
  uint32_t id = 0;
  bool blackhole = false;
  std::optional<Ipv4> gateway;
  int oif = 0;
  std::vector<uint32_t> group;  // member ids; a group has no gateway or oif
  bool operator==(const NexthopObject&) const = default;
};
using NexthopTable = std::map<uint32_t, NexthopObject>;

struct DecodedLink {
  LinkInfo info;
  LinkStats stats;
};

// --- links ---
MsgBuilder encode_link_get(const std::string& ifname);
MsgBuilder encode_link_dump();
MsgBuilder encode_link_set_up(const std::string& ifname, bool up);
MsgBuilder encode_link_delete(const std::string& ifname);
// One RTM_NEWLINK that creates both ends: if_a in the namespace of the
// socket it is sent on, if_b (VETH_INFO_PEER) directly in the namespace
// `peer_nsfd` refers to (IFLA_NET_NS_FD).
MsgBuilder encode_veth_create(const VethPair& pair, int peer_nsfd);
// A link as the kernel reports it (for tests and fakes of the decoder).
MsgBuilder encode_link_report(uint16_t type, const LinkInfo& info, const LinkStats& stats);
std::optional<DecodedLink> decode_link(const nlmsghdr* nlh, const std::string& ns);

// --- addresses ---
MsgBuilder encode_address(uint16_t type, uint16_t flags, int ifindex, const Ipv4Prefix& addr);
MsgBuilder encode_address_dump();
struct DecodedAddress {
  int ifindex = 0;
  Ipv4Prefix addr;
};
std::optional<DecodedAddress> decode_address(const nlmsghdr* nlh);

// --- nexthop objects ---
MsgBuilder encode_nexthop(uint16_t type, uint16_t flags, const NexthopObject& nh);
MsgBuilder encode_nexthop_dump();
std::optional<NexthopObject> decode_nexthop(const nlmsghdr* nlh);

// --- routes (IPv4, main table) ---
// RTM_NEWROUTE / RTM_DELROUTE for `route`. With nhid set the route refers to
// that nexthop object instead of carrying its nexthops (route.nexthops is
// ignored), as FRR 8 installs them.
MsgBuilder encode_route(uint16_t type, uint16_t flags, const Route& route, const IfindexOf& ifindex,
                        std::optional<uint32_t> nhid = std::nullopt);
MsgBuilder encode_route_dump();
// nullopt unless it is an IPv4 unicast or blackhole route of the main table.
// Nexthops: a route with RTA_NH_ID is resolved through `nexthops` (groups
// expanded to their members, a blackhole object makes a blackhole route);
// otherwise RTA_MULTIPATH or RTA_GATEWAY/RTA_OIF are read (with
// net.ipv4.nexthop_compat_mode=1 the kernel sends both, with 0 only the id).
// An id missing from the table decodes as one Nexthop with dev "nhid:<id>".
// Nexthops the kernel marks dead (RTNH_F_DEAD) are left out: they carry no
// traffic. Kernel order is kept.
std::optional<Route> decode_route(const nlmsghdr* nlh, const std::string& ns,
                                  const IfnameOf& ifname, const NexthopTable& nexthops);

// Turns the notification stream of one namespace's socket (links, nexthop
// objects, IPv4 routes) into RouteEvents. Keeps the tables that decoding
// needs: ifindex -> name, nexthop objects, and the routes of the main table.
//
// The kernel changes IPv4 routes silently when a device goes down or away
// (no RTM_DELROUTE is sent; verified on 6.x): nexthops on the device die, a
// route whose nexthops are all dead is removed, and dead nexthops of a
// multipath route come back when the device comes up. The decoder mirrors
// that and reports it, timestamped with the link message: a Delete for a
// removed route, an Add carrying the live nexthops for a multipath route
// that lost or regained some.
//
// Pure (bytes in, events out); not thread-safe.
class RouteEventDecoder {
 public:
  explicit RouteEventDecoder(std::string ns) : ns_(std::move(ns)) {}
  // Forgets every table (before a resynchronising dump).
  void reset();
  // Takes in one message of a dump (link, nexthop or route): no events.
  void learn(const nlmsghdr* nlh);
  // Decodes one received datagram (one or more messages) received at t_ns.
  std::vector<RouteEvent> feed(const void* data, size_t len, int64_t t_ns);

  std::string ifname(int index) const;
  const NexthopTable& nexthops() const { return nexthops_; }
  size_t route_count() const { return routes_.size(); }

 private:
  void handle(const nlmsghdr* nlh, int64_t t_ns, std::vector<RouteEvent>* out);
  void link_down(int index, int64_t t_ns, std::vector<RouteEvent>* out);
  void link_up(int index, int64_t t_ns, std::vector<RouteEvent>* out);
  struct Tracked {
    Route route;             // as the kernel reported it
    std::vector<bool> dead;  // per nexthop: its device went down since
    Route live() const;
  };

  std::string ns_;
  std::map<int, std::string> links_;
  std::map<int, bool> admin_up_;
  NexthopTable nexthops_;
  std::map<std::pair<Ipv4Prefix, uint32_t>, Tracked> routes_;  // (dst, metric)
};

}  // namespace netlab::kernel
