// What netlab reads out of a node's own FRR configuration (`config = ...`,
// an integrated frr.conf as FRR 8 to 10 write it): which daemons it needs,
// the addresses it puts on interfaces, and what its routing protocols
// originate and where they form adjacencies, so that netlab starts the
// right daemons and knows which routes to wait for (docs/own-configs.md).
//
// The route model is presence only and deliberately conservative: where a
// config's outcome depends on policy netlab does not evaluate (route-maps,
// distribute lists, eBGP without the policy FRR requires), no route is
// expected, so the convergence check never waits for a route that cannot
// come; it may declare convergence while such routes are still missing.
// Pure.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "netlab/base/ip.h"
#include "netlab/plan/plan.h"

namespace netlab::plan {

// Every FRR daemon netlab can start, in start order (zebra first, bgpd last).
const std::vector<std::string>& known_frr_daemons();

// An interior routing protocol of one config (ospfd, isisd, ripd, eigrpd,
// fabricd): where it runs and what it originates.
struct OwnIgp {
  std::vector<Ipv4Prefix> networks;      // `network P ...`: interfaces inside run it
  std::set<std::string> ifaces;          // interfaces that run it by name
  std::set<std::string> passive;         // interfaces that run it without adjacency
  bool passive_default = false;          // `passive-interface default`
  bool redistribute_connected = false;
  bool redistribute_static = false;
};

struct OwnBgpNeighbor {
  std::string peer;       // an address, or an interface name (`neighbor eth1 interface ...`)
  std::string remote_as;  // a number, "internal" or "external"; "" when not given
  bool policy = false;    // a route-map, prefix-list or filter-list on it
};

struct OwnConfig {
  std::vector<std::string> daemons;  // start order (known_frr_daemons())
  std::map<std::string, std::vector<Ipv4Prefix>> addresses;  // interface -> `ip address`
  std::map<std::string, OwnIgp> igps;                        // daemon -> its protocol
  std::optional<uint32_t> bgp_asn;
  std::vector<OwnBgpNeighbor> bgp_neighbors;
  std::vector<Ipv4Prefix> bgp_networks;
  bool bgp_redistribute_connected = false;
  bool bgp_redistribute_static = false;
  bool ebgp_requires_policy = true;  // FRR's default since 7.4
  std::vector<Ipv4Prefix> static_routes;  // `ip route P ...`
};

OwnConfig read_own_config(const std::string& text);

// BGP sessions the own configs of two routers set up over a link between
// them (each names the other's address on the link, or the interface),
// except over links in `already` (netlab's own sessions).
std::vector<Session> own_config_sessions(const std::vector<PlanNode>& nodes,
                                         const std::vector<PlanLink>& links,
                                         const std::map<std::string, OwnConfig>& configs,
                                         const std::set<std::string>& already);

// What each own-config router originates into BGP (to add to its announce).
std::vector<Ipv4Prefix> own_config_bgp_origins(const PlanNode& node, const OwnConfig& c);

// Routes the interior protocols of the own configs install: every router of
// one protocol's connected domain expects every other's originated prefixes
// (those it has not on an interface itself).
std::vector<ExpectedRoute> own_config_igp_routes(const std::vector<PlanNode>& nodes,
                                                 const std::vector<PlanLink>& links,
                                                 const std::map<std::string, OwnConfig>& configs);

}  // namespace netlab::plan
