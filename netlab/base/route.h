// An IPv4 route as a value (str(), ==): what the Plan asks netlab to install
// and what kernel/ reads back. Here rather than in kernel/ so that the Plan,
// which is pure, names routes without depending on the kernel's library.
// Pure; no kernel access.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netlab/base/ip.h"

namespace netlab {

enum class RouteType : uint8_t { Unicast, Blackhole };

struct Nexthop {
  std::optional<Ipv4> via;
  std::string dev;
  bool operator==(const Nexthop&) const = default;
  auto operator<=>(const Nexthop&) const = default;
};

// An IPv4 route in the main table of namespace `ns` ("" is netlab's own).
struct Route {
  std::string ns;
  Ipv4Prefix dst;
  RouteType type = RouteType::Unicast;
  std::vector<Nexthop> nexthops;  // empty for blackhole; >1 for ECMP
  uint8_t protocol = 4;           // RTPROT_STATIC; FRR's bgp routes have 186
  uint32_t metric = 0;
  bool operator==(const Route&) const = default;
  std::string str() const;  // "10.0.0.0/24 via 10.255.0.1 dev eth1 proto bgp"
};

}  // namespace netlab
