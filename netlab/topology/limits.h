// Bandwidth and packet-rate limits of links and tunnels, and [lab].scale
// (docs/topology.md, "Limits and scale").
//
//   | where                | keys                          | default              |
//   |----------------------|-------------------------------|----------------------|
//   | any link             | impair.rate_mbit, impair.pps  | none                 |
//   | dx link              | speed = "50M" ... "400G"      | none (unlimited)     |
//   | tunnel               | rate_mbit, pps (0 = none)     | 1250 Mbit/s, 140000  |
//   | [lab]                | scale (> 0)                   | 1                    |
//
// A dx link's speed limits both directions; an impair.rate_mbit below it wins
// (the lower of the two). Every figure is divided by [lab].scale: the ratios
// between the links stay AWS's on a host that cannot carry AWS's figures.
// Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netlab/topology/diagnostics.h"
#include "netlab/topology/model.h"

namespace netlab::topology {

// The lowest rate the impairment layer shapes (htb at 10 kbit/s) and the
// lowest packet rate it limits.
constexpr double kMinRateMbit = 0.01;
constexpr double kMinPps = 1;

// AWS Direct Connect's dedicated and hosted connection speeds, in order:
// "50M", "100M", ..., "400G".
const std::vector<std::string>& dx_speeds();
// "10G" -> 10000 (Mbit/s); none for anything not in dx_speeds().
std::optional<double> dx_speed_mbit(std::string_view);

// Limits of one direction after scale; 0 = none.
struct Limits {
  double rate_mbit = 0;
  double pps = 0;
  // Which key set the rate: "impair.rate_mbit", "speed", "rate_mbit" (tunnel), "".
  std::string rate_from;
  bool operator==(const Limits&) const = default;
};

Limits link_limits(const Lab&, const Link&);
Limits tunnel_limits(const Lab&, const Tunnel&);

// Errors for limits that the scale pushes below kMinRateMbit / kMinPps,
// naming the key (the caller: validate()).
void validate_limits(const Topology&, Diagnostics&);

}  // namespace netlab::topology
