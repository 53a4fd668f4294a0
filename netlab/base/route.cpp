#include "netlab/base/route.h"

namespace netlab {
namespace {

// Names as iproute2 prints them (/etc/iproute2/rt_protos plus FRR's);
// others as numbers.
std::string protocol_name(uint8_t p) {
  switch (p) {
    case 2:
      return "kernel";
    case 3:
      return "boot";
    case 4:
      return "static";
    case 11:
      return "zebra";
    case 186:
      return "bgp";
    case 187:
      return "isis";
    case 188:
      return "ospf";
    case 189:
      return "rip";
    default:
      return std::to_string(p);
  }
}

std::string nexthop_str(const Nexthop& nh) {
  std::string s;
  if (nh.via) s += "via " + nh.via->str();
  if (!nh.dev.empty()) s += (s.empty() ? "dev " : " dev ") + nh.dev;
  return s;
}

}  // namespace

std::string Route::str() const {
  std::string s;
  if (type == RouteType::Blackhole) s = "blackhole ";
  s += dst.str();
  if (type == RouteType::Unicast) {
    if (nexthops.size() == 1) {
      s += " " + nexthop_str(nexthops[0]);
    } else {
      for (const Nexthop& nh : nexthops) s += " nexthop " + nexthop_str(nh);
    }
  }
  // Static is what netlab installs itself; every other origin is shown.
  if (protocol != 4) s += " proto " + protocol_name(protocol);
  if (metric != 0) s += " metric " + std::to_string(metric);
  return s;
}

}  // namespace netlab
