// The topology model: what one TOML file says, after loading, before planning.
//
// Pure data. Every entity keeps where its keys were written (`at`), so the
// validator and the planner can point errors into the file. Defaults from
// docs/topology.md are applied by the loader, so a consumer never has
// to know them; `explicit_keys` tells which keys the user actually wrote.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "netlab/base/ip.h"

namespace netlab::topology {

// A place in the source file; 1-based. line == 0 means unknown.
struct SourceRegion {
  uint32_t line = 0, column = 0;
  uint32_t end_line = 0, end_column = 0;  // exclusive end, as toml++ reports it
  bool known() const { return line != 0; }
  auto operator<=>(const SourceRegion&) const = default;
};

// Where each key of one table was written: "" is the table header itself,
// "name", "endpoints", "endpoints.0", "fault.cut", "expect.path.1", ...
struct Positions {
  std::map<std::string, SourceRegion, std::less<>> at;
  // The most specific known region for `key`, falling back to its parents
  // ("fault.cut" -> "fault" -> "").
  SourceRegion of(std::string_view key) const;
};

enum class Role { Host, Customer, AwsDx, AwsVpn, Vgw, Tgw, Dxgw, Internet, Router };
std::string_view to_string(Role);
std::optional<Role> role_from_string(std::string_view);
// Roles that run FRR (zebra, bgpd, bfdd, staticd) and speak BGP.
bool is_router(Role);
// Roles on Amazon's side of the network.
bool is_aws(Role);

enum class DomainType { Site, Location, Az, Region };
std::string_view to_string(DomainType);
std::optional<DomainType> domain_type_from_string(std::string_view);

// The failure domains an object is tagged with. Links may carry site,
// location and az; nodes all four.
struct Domains {
  std::optional<std::string> site, location, az, region;
  const std::optional<std::string>& get(DomainType) const;
  bool in(DomainType t, std::string_view value) const;
};

struct BfdTimers {
  uint32_t interval_ms = 300;
  uint32_t multiplier = 3;
  auto operator<=>(const BfdTimers&) const = default;
};

struct BgpTimers {
  uint32_t keepalive_s = 0;
  uint32_t hold_s = 0;
  auto operator<=>(const BgpTimers&) const = default;
};

// Flows: several independent probe streams between the same two hosts, on
// consecutive UDP ports, so that ECMP hashes them onto different paths.
constexpr int64_t kMaxFlows = 32;

struct Probe {
  // from: a host node. to: a host node, or an anycast service address
  // ("10.200.0.10") held by one or more hosts (Node::anycast): the probe then
  // reaches whichever instance routing picks, and the instances reflect it.
  std::string from, to;
  double interval_ms = 1;
  uint32_t flows = 1;
  // Every probe packet as an IP datagram of this many bytes (padded); none:
  // each packet its natural size (60 bytes, reflections 76).
  std::optional<uint32_t> size;
  // true: DF set, never fragmented (IP_PMTUDISC_DO); false: DF clear, routers
  // fragment (IP_PMTUDISC_DONT); none: the kernel's default for UDP.
  std::optional<bool> df;
  Positions pos;
};
// The smallest probe `size`: a reflection (48 bytes) with its UDP and IP headers.
constexpr uint32_t kMinProbeSize = 76;
constexpr uint32_t kMaxProbeSize = 65535;

// MTUs (docs/topology.md): every link 1500 unless told; a DX link with
// jumbo = true 8500 (AWS's jumbo MTU for Direct Connect virtual
// interfaces); a VPN tunnel AWS Site-to-Site VPN's 1446.
constexpr uint32_t kDefaultLinkMtu = 1500;
constexpr uint32_t kJumboDxMtu = 8500;
constexpr uint32_t kDefaultTunnelMtu = 1446;
constexpr uint32_t kMinMtu = 68, kMaxMtu = 65535;

// Load beside the probe (docs/traffic.md): a rate-controlled stream between
// two hosts, run in every trial, whose offered and delivered rates are
// measured before, during and after the fault. Rates are AWS's own; the
// lab's `scale` divides them (and every bandwidth) when the lab is built.
enum class TrafficProtocol { Udp, Tcp };
std::string_view to_string(TrafficProtocol);
std::optional<TrafficProtocol> traffic_protocol_from_string(std::string_view);
enum class TrafficDirection { Forward, Reverse, Both };
std::string_view to_string(TrafficDirection);
std::optional<TrafficDirection> traffic_direction_from_string(std::string_view);

constexpr uint32_t kMaxTrafficFlows = 64;

struct Traffic {
  std::string name;      // explicit, or "<from>-<to>"
  std::string from, to;  // host nodes
  TrafficProtocol protocol = TrafficProtocol::Udp;
  // udp: at least one of them; both: the lower governs. tcp: none is as
  // fast as TCP goes (goodput), a rate paces it.
  std::optional<double> rate_mbit, pps;
  uint32_t size = 1200;  // IP datagram bytes (udp)
  bool df = false;       // don't fragment: the sender learns the path MTU, or loses the packet
  uint32_t flows = 1;
  TrafficDirection direction = TrafficDirection::Forward;  // forward: from -> to
  Positions pos;
};

struct Lab {
  std::string name;
  std::string description;
  Ipv4Prefix pool{Ipv4{0x0AFF0000}, 16};  // 10.255.0.0/16
  std::optional<Probe> probe;
  std::optional<std::string> frr_templates;  // resolved against the file's directory
  std::optional<uint64_t> seed;              // impairment randomness (reproducible runs)
  // Every bandwidth and packet rate of the lab is divided by this (links'
  // rate_mbit and pps, DX speed, tunnels' limits, traffic): AWS's ratios on
  // a host too small for AWS's figures (topology/limits.h).
  double scale = 1;
  Positions pos;
};

struct Node {
  std::string name;
  Role role = Role::Host;
  std::optional<uint32_t> asn;
  std::vector<Ipv4Prefix> announce;
  std::optional<std::string> config;  // path, resolved against the file's directory
  Domains domains;
  std::optional<BfdTimers> bfd;
  // Hosts only: a service address the host holds besides its link address
  // (on its loopback), announced as a /32 by the host's router. Several hosts
  // holding one address are instances of one anycast service.
  std::optional<Ipv4> anycast;
  Positions pos;
};

enum class ZoneType { Az, Local };
std::string_view to_string(ZoneType);
std::optional<ZoneType> zone_type_from_string(std::string_view);
struct Zone {
  std::string name;
  ZoneType type = ZoneType::Az;
  std::optional<std::string> parent, failover;
  Positions pos;
};

enum class LinkKind { Lan, Dx, Internet, Backbone };
std::string_view to_string(LinkKind);
std::optional<LinkKind> link_kind_from_string(std::string_view);

struct Endpoint {
  std::string node;
  std::optional<std::string> ifname;  // from "node:ifname"
  auto operator<=>(const Endpoint&) const = default;
};

struct LinkBgp {
  bool enabled = true;              // only meaningful between two routers
  std::optional<BgpTimers> timers;  // none: the kind's default (dx: 30/90)
  // Applied by the customer side (the end that is not an AWS role) to the
  // routes it announces over this link: e.g. "7224:7300", which AWS reads as
  // high local preference on Direct Connect; and AS_PATH prepending.
  std::vector<std::string> communities;
  uint32_t prepend = 0;
};

struct LinkBfd {
  bool enabled = false;             // loader default: true on dx links
  std::optional<BfdTimers> timers;  // none: the nodes' or kind's default
};

struct Impairment {
  std::optional<double> delay_ms, jitter_ms, loss_pct, rate_mbit;
  std::optional<double> pps;  // packets per second, each direction
  bool empty() const { return !delay_ms && !jitter_ms && !loss_pct && !rate_mbit && !pps; }
};

struct Link {
  std::string name;  // explicit, or "<a>-<b>" from the endpoints' node names
  Endpoint a, b;
  LinkKind kind = LinkKind::Lan;
  std::optional<Ipv4Prefix> subnet;
  Domains domains;  // site, location, az
  LinkBgp bgp;
  LinkBfd bfd;
  Impairment impair;
  // dx only: AWS SiteLink on this virtual interface. Traffic between two
  // on-premises sites crosses AWS only between two SiteLink VIFs.
  bool sitelink = false;
  uint32_t mtu = kDefaultLinkMtu;
  bool jumbo = false;  // dx only: mtu 8500
  // false: the routers at this link's ends send no ICMP "fragmentation
  // needed" (a PMTUD blackhole; docs/topology.md says which).
  bool pmtud = true;
  // dx only: the connection's port speed ("1G"), as a rate limit on both
  // directions (topology/limits.h); none: unlimited.
  std::optional<std::string> speed;
  Positions pos;
};

enum class TunnelType { Wireguard, Ipsec };
std::string_view to_string(TunnelType);
std::optional<TunnelType> tunnel_type_from_string(std::string_view);

enum class DpdAction { Clear, None, Restart };
std::string_view to_string(DpdAction);
std::optional<DpdAction> dpd_action_from_string(std::string_view);

struct Dpd {
  uint32_t interval_s = 10;
  uint32_t timeout_s = 30;
  DpdAction action = DpdAction::Clear;
};

struct Tunnel {
  std::string name;
  TunnelType type = TunnelType::Wireguard;
  std::string a, b;  // routing nodes, each with a kind = "internet" link
  std::optional<Ipv4Prefix> inside;
  BgpTimers bgp{10, 30};
  Dpd dpd;
  uint32_t mtu = kDefaultTunnelMtu;
  bool pmtud = true;  // as Link::pmtud, for the tunnel's two ends
  // AWS's per-tunnel limits, each direction, before [lab].scale; 0 = none.
  double rate_mbit = 1250;  // "up to 1.25 Gbps per VPN tunnel"
  double pps = 140000;      // "up to 140,000 packets per second per tunnel"
  Positions pos;
};

enum class FaultKind { Cut, Down, Oneway, Crash, Poweroff, Domain, Degrade, Flap, Maintenance, BgpDown };
std::string_view to_string(FaultKind);
std::optional<FaultKind> fault_kind_from_string(std::string_view);
// Faults that name a link (cut, down, oneway, degrade, flap, bgp_down).
bool targets_link(FaultKind);

struct Fault {
  FaultKind kind = FaultKind::Cut;
  std::string target;  // link (cut, down, oneway, degrade, flap, bgp_down), node (crash,
                       // poweroff) or tunnel (maintenance); empty for domain
  std::optional<std::string> from;  // oneway: the node whose sent traffic is lost
  DomainType domain_type = DomainType::Location;
  std::string domain_value;  // domain
  std::optional<double> loss_pct, delay_ms;  // degrade
  uint32_t period_ms = 1000, count = 3;      // flap
  std::string str() const;                   // "cut dx1", "domain location=ny5"
};

// After the repair: where the probe must be once failback is complete.
enum class FailbackPath {
  Any,       // not judged
  Baseline,  // back on the path it took before the fault
};
std::string_view to_string(FailbackPath);
std::optional<FailbackPath> failback_path_from_string(std::string_view);

struct Expect {
  bool reachable = true;
  std::optional<double> max_outage_ms;
  std::optional<double> max_convergence_ms;
  // Paths while the fault holds: every element must carry the probe; an
  // element "a|b" is satisfied by either link or tunnel. `path` holds in each
  // direction; `path_forward` (probe from -> to) and `path_reverse` (back) in
  // one direction each.
  std::vector<std::string> path, path_forward, path_reverse;
  // The loader's default: Baseline when a path target is given, else Any.
  FailbackPath failback_path = FailbackPath::Any;
  std::optional<double> max_failback_outage_ms;
  // The probe's loss figures while the fault holds (docs/measurement.md):
  // every probe lost x the interval; from the fault to the first probe
  // after which a clean period followed (Scenario::clean_ms); the number of
  // runs of consecutive lost probes. The worst trial and direction decide.
  std::optional<double> max_loss_ms, max_recovery_ms;
  std::optional<uint64_t> max_loss_bursts;
  // Share of the probe's flows that may see any loss: "losing one of N paths
  // costs only its share".
  std::optional<double> max_affected_flows_pct;
  // Anycast probes: exactly these instances (hosts) must answer the probe
  // while the fault holds; any other instance must not.
  std::vector<std::string> serving;
  // The traffic ([[traffic]]) in the second half of the hold: the least
  // share of what was offered that must be delivered (tcp: of the goodput
  // before the fault), the most that may be (a design lesson: "the backup
  // carries at most 30 %"), the most that may be lost, and whether packets
  // of the traffic's full size were delivered at all (false: the design's
  // MTU blackhole, asserted).
  std::optional<double> min_delivered_pct, max_delivered_pct, max_loss_pct;
  std::optional<bool> mtu_ok;
};

struct Scenario {
  std::string name;
  std::string description;
  Fault fault;
  double hold_s = 5;
  uint32_t trials = 1;
  // How long the probe must lose nothing for the data plane to count as
  // recovered (the "sustained" period of the recovery figure).
  double clean_ms = 1000;
  // Before the trials, make each path BGP holds at equal preference at the
  // probe's routers (decided by history) the active one in turn, and spread
  // the trials over them (scenario/paths.h).
  bool cover_paths = false;
  std::optional<Probe> probe;  // none: [lab].probe
  // The [[traffic]] entries run in this scenario's trials, by name; none:
  // every entry (an empty list: no traffic).
  std::optional<std::vector<std::string>> traffic;
  Expect expect;
  Positions pos;
};

struct Topology {
  std::string path;    // as given on the command line
  std::string source;  // the file's text, for diagnostics
  Lab lab;
  std::vector<Node> nodes;  // in file order
  std::map<std::string, Zone> zones;
  std::vector<Link> links;
  std::vector<Tunnel> tunnels;
  std::vector<Scenario> scenarios;
  std::vector<Traffic> traffic;  // [[traffic]], run in every trial

  const Node* node(std::string_view name) const;
  // The [[traffic]] entries a scenario runs (Scenario::traffic).
  std::vector<const Traffic*> traffic_for(const Scenario&) const;
  const Link* link(std::string_view name) const;
  const Tunnel* tunnel(std::string_view name) const;
  const Scenario* scenario(std::string_view name) const;
  // The probe a scenario uses: its own, else the lab's.
  const Probe* probe_for(const Scenario&) const;
  const Zone* zone(std::string_view name) const;
  // The hosts holding `address` as their anycast address (file order); empty
  // when `address` is not an IPv4 address or no host holds it.
  std::vector<const Node*> anycast_instances(std::string_view address) const;
};

// Every value of each enum, in declaration order: for "valid values are ..."
// hints and for documentation.
std::vector<Role> all_roles();
std::vector<DomainType> all_domain_types();
std::vector<LinkKind> all_link_kinds();
std::vector<FaultKind> all_fault_kinds();

// The links or tunnels one element of a path target accepts: "dx2" -> {dx2},
// "vpn1-t1|vpn1-t2" -> {vpn1-t1, vpn1-t2}. Names never contain '|'.
std::vector<std::string> path_alternatives(std::string_view element);

// The name a link gets when the file gives none: "<a>-<b>" (node names).
std::string default_link_name(const Endpoint& a, const Endpoint& b);

}  // namespace netlab::topology
