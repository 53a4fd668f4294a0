// Which links and tunnels the probe's packets cross: in every namespace of
// the lab, one nftables counter per interface in a prerouting chain, matching
// only the probe's UDP port, twice: packets from the probe's source address
// (the forward direction) and the others (the way back), so that paths are
// known per direction. A packet dropped by a cut (netdev ingress, which
// runs before prerouting) is not counted, so a counter moves only for links
// that really delivered probes. Rule text is built from plan names only.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "netlab/base/ip.h"
#include "netlab/kernel/nft.h"

namespace netlab::measure {

// Probe packets an interface received, per direction.
struct DirectionCounts {
  uint64_t forward = 0, reverse = 0;
  uint64_t both() const { return forward + reverse; }
  bool operator==(const DirectionCounts&) const = default;
};

// The nft commands that (re)create the counting table for these interfaces.
// Ports: [port, port + ports), one per probe flow; `forward_from`: the
// source address of the forward direction's probes.
std::string path_counter_commands(const std::vector<std::string>& ifnames, uint16_t port, uint16_t ports,
                                  Ipv4 forward_from);
// ifname -> packets, from `nft -j list table inet nl_path` output. A rule
// matching `ip saddr == A` counts forward, `ip saddr != A` and any other
// rule counts reverse.
std::map<std::string, DirectionCounts> parse_path_counters(const std::string& json);

class PathCounters {
 public:
  PathCounters(kernel::Nft& nft, uint16_t port, uint16_t ports = 1, Ipv4 forward_from = {})
      : nft_(nft), port_(port), ports_(ports), forward_from_(forward_from) {}
  void install(const std::string& ns, const std::vector<std::string>& ifnames);
  std::map<std::string, DirectionCounts> read(const std::string& ns);

 private:
  kernel::Nft& nft_;
  uint16_t port_, ports_;
  Ipv4 forward_from_;
};

}  // namespace netlab::measure
