// The Plan: every kernel object, address, route, BGP session, key, rendered
// FRR configuration and process argv of one lab, decided and named before
// anything on the host is touched (docs/design.md). `netlab plan` prints it; lab/
// applies it; tests compare it with golden files.
//
// Pure data: types of plan/, topology/ and base/ only, so that everything
// that reads a Plan links no kernel library. Making one: planner.h;
// printing one: describe.h.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "netlab/base/ip.h"
#include "netlab/base/process_spec.h"
#include "netlab/base/route.h"
#include "netlab/plan/keys.h"
#include "netlab/topology/model.h"

namespace netlab::plan {

using topology::BfdTimers;
using topology::BgpTimers;
using topology::Domains;
using topology::LinkKind;
using topology::Role;

// What a BGP session rides on, which decides its AWS behaviour.
enum class SessionKind { Dx, Vpn, Lan, Backbone };
std::string_view to_string(SessionKind);

// One end of a link or tunnel, as seen from its node.
struct Iface {
  std::string name;           // inside the node's namespace
  bool tunnel = false;        // a tunnel interface (created by its backend), else a veth end
  std::string link;           // the link's or tunnel's name
  Ipv4Prefix address;         // e.g. 10.255.0.1/30
  std::string peer_node;      // the node at the other end
  Ipv4 peer_address;
  LinkKind kind = LinkKind::Lan;  // for tunnels: Lan (unused)
};

// An anycast service address a router announces for one of its hosts: a
// static route to the host, redistributed into BGP only while the host is
// reachable (its link up), so a lost instance leaves the rotation.
struct AnycastRoute {
  Ipv4Prefix prefix;  // the service address as a /32
  Ipv4 via;           // the host's address on its link to this router
  std::string host;
  // 0: an active instance. >0: a standby (an instance in the failover zone
  // of a Local Zone that holds one too): its ASN is prepended this often, so
  // every router prefers the Local Zone's instance while it is up.
  uint32_t prepend = 0;
};
// How often a standby instance's router prepends its ASN: more than any
// path through the lab is long, so the active instance always wins.
constexpr uint32_t kStandbyPrepend = 3;

struct Daemon {
  std::string name;  // zebra, bgpd, bfdd, staticd
  ProcessSpec spec;
};

struct PlanNode {
  std::string name;
  std::string ns;  // nl-<lab>-<node>
  Role role = Role::Host;
  std::optional<uint32_t> asn;
  Ipv4 router_id;
  Domains domains;
  std::optional<BfdTimers> bfd;  // [nodes.X].bfd: this node's BFD sessions
  std::vector<Iface> ifaces;
  std::vector<Ipv4Prefix> announce;  // as written, plus host subnets it serves (see planner)
  std::optional<Ipv4> anycast;        // hosts: the service address on the loopback
  std::vector<AnycastRoute> anycast_routes;  // routers: their hosts' service addresses
  // Routes netlab installs itself (not FRR): a host's default route, the
  // internet underlay. Re-applied when a fault is repaired.
  std::vector<Route> routes;
  std::vector<std::pair<std::string, std::string>> sysctls;  // key under /proc/sys, value
  // Routers only:
  std::string frr_dir;     // runtime directory of its FRR instance (vty sockets, pid files)
  std::string frr_config;  // rendered from the role template, or the user's own file
  bool own_config = false; // frr_config came from the node's `config` file
  std::map<std::string, std::string> frr_daemon_configs;  // daemon -> its share of frr_config
  std::vector<Daemon> daemons;

  bool is_router() const { return topology::is_router(role); }
  const Iface* iface_on(std::string_view link_or_tunnel) const;
};

struct LinkEnd {
  std::string node, ns, ifname;
  Ipv4Prefix address;
  // Interface index, distinct from the other end's (see kernel::VethPair:
  // with equal indices the kernel delays carrier changes up to a second).
  int ifindex = 0;
};

struct PlanLink {
  std::string name;
  LinkKind kind = LinkKind::Lan;
  Ipv4Prefix subnet;
  LinkEnd a, b;
  Domains domains;
  // As applied, each direction: the file's impair with the effective rate and
  // packet-rate limits (impair.rate_mbit or the dx speed, whichever is lower,
  // and impair.pps, each divided by Plan::scale; topology/limits.h).
  topology::Impairment impair;
  uint32_t mtu = topology::kDefaultLinkMtu;  // both veth ends
  bool sitelink = false;  // dx: AWS SiteLink on this virtual interface
  // false: the routers at its ends send no ICMP "fragmentation needed"
  // announcing this MTU (kernel/nft_rules.h no_frag_needed).
  bool pmtud = true;
  std::optional<std::string> speed;  // dx: the port speed as written ("10G")
};

struct TunnelEnd {
  std::string node, ns, ifname;
  Ipv4Prefix inside;     // inside address with the /30
  Ipv4 outer;            // the node's address on its internet link
  uint16_t listen_port = 0;
  KeyPair keys;          // WireGuard
  std::string run_dir;   // private /run of the backend process (wireguard-go sockets)
};

struct PlanTunnel {
  std::string name;
  topology::TunnelType type = topology::TunnelType::Wireguard;
  Ipv4Prefix inside;
  TunnelEnd a, b;
  topology::Dpd dpd;
  BgpTimers bgp;
  std::string psk;  // IPsec pre-shared key (base64)
  uint32_t mtu = topology::kDefaultTunnelMtu;  // libipsec caps it (tunnel/ipsec_config.h)
  bool pmtud = true;                            // as PlanLink::pmtud
  // The tunnel's rate and packet-rate limits, each direction, after scale
  // (only rate_mbit and pps are set): on its interfaces at bring-up.
  topology::Impairment impair;
};

struct Session {
  std::string over;  // link or tunnel name
  SessionKind kind = SessionKind::Lan;
  std::string a, b;  // node names
  Ipv4 a_addr, b_addr;
  uint32_t a_asn = 0, b_asn = 0;
  bool ibgp() const { return a_asn == b_asn; }
  std::optional<BfdTimers> bfd;  // none: BFD off
  bool bfd_from_link = false;    // the link set explicit timers (they beat the nodes')
  BgpTimers timers;
  // The link's policy for the customer side (ends that are not AWS roles):
  // communities added to, and times its ASN prepended on, what it announces.
  std::vector<std::string> communities;
  uint32_t prepend = 0;
};

// After bring-up, `node` must have a route to `prefix` in its kernel FIB.
struct ExpectedRoute {
  std::string node;
  Ipv4Prefix prefix;
  std::string origin;  // the node announcing it
};

struct Plan {
  std::string lab;
  std::string description;
  std::string topology_path;
  std::string runtime_dir;  // <runtime_root>/<lab>
  std::vector<PlanNode> nodes;
  std::vector<PlanLink> links;
  std::vector<PlanTunnel> tunnels;
  std::vector<Session> sessions;
  std::vector<ExpectedRoute> expected_routes;
  uint16_t probe_port = 47000;
  // Randomness of impairments (jitter, netem): [lab].seed as planned;
  // planner.h's decide_seed() settles it (--seed, or a random one) before a lab is built.
  std::optional<uint64_t> seed;
  // [lab].scale: every bandwidth and packet rate is divided by it (the
  // limits above already are; traffic rates are divided where they are sent).
  double scale = 1;

  const PlanNode* node(std::string_view name) const;
  const PlanLink* link(std::string_view name) const;
  const PlanTunnel* tunnel(std::string_view name) const;
  // The hosts holding `address` as their anycast address, in node order;
  // empty when it is not an address or nobody holds it.
  std::vector<const PlanNode*> anycast_instances(std::string_view address) const;
  // Every namespace name of this lab, in creation order.
  std::vector<std::string> namespaces() const;
};

}  // namespace netlab::plan
