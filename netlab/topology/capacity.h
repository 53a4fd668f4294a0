// Whether a design's backup path can carry the traffic a scenario declares
// (docs/traffic.md, "The design warning"): computed on the topology, before
// anything runs, for `netlab validate`.
//
// The model, deliberately simple (a warning, not a measurement):
//  - the paths while the fault holds are Graph::reach()'s: every link and
//    tunnel on a surviving path AWS's rules allow;
//  - an element's capacity is its rate limit after the scale (a dx link's
//    speed, impair.rate_mbit, a tunnel's AWS limit), or its packet-rate
//    limit times the traffic's packet size, whichever is lower; unlimited
//    elements do not bound anything;
//  - where the surviving paths cross a Transit Gateway, traffic may spread
//    over them (ECMP): the capacity is the maximum flow over the surviving
//    elements. Otherwise it takes one path (a VGW sends over one tunnel):
//    the capacity is the widest single path's narrowest element.
// The demand is the sum of the scenario's traffic in that direction between
// the same two hosts (udp rate, or pps x size; tcp without a rate asks for
// no particular figure and is left out), after the scale.
// Pure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "netlab/topology/model.h"

namespace netlab::topology {

struct CapacityShortfall {
  std::string from, to;       // hosts
  double demand_mbit = 0;     // after the scale
  double capacity_mbit = 0;   // after the scale
  std::string narrowest;      // "tunnel \"vpn1-t1\"" or "link \"dx2\"": what bounds it
  bool ecmp = false;          // the capacity is a maximum flow over several paths
};

// The shortfalls of scenario `s` while its fault holds: one per pair of
// hosts whose traffic exceeds what the surviving paths carry.
std::vector<CapacityShortfall> backup_shortfalls(const Topology&, const Scenario& s);

}  // namespace netlab::topology
