// Which links and tunnels the probe's packets cross: in every namespace of
// the lab, one nftables counter per interface in a prerouting chain, matching
// only the probe's UDP port. A packet dropped by a cut (netdev ingress, which
// runs before prerouting) is not counted, so a counter moves only for links
// that really delivered probes. Rule text is built from plan names only.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "netlab/kernel/nft.h"

namespace netlab::measure {

// The nft commands that (re)create the counting table for these interfaces.
// Ports: [port, port + ports), one per probe flow.
std::string path_counter_commands(const std::vector<std::string>& ifnames, uint16_t port, uint16_t ports = 1);
// ifname -> packets, from `nft -j list table inet nl_path` output.
std::map<std::string, uint64_t> parse_path_counters(const std::string& json);

class PathCounters {
 public:
  PathCounters(kernel::Nft& nft, uint16_t port, uint16_t ports = 1) : nft_(nft), port_(port), ports_(ports) {}
  void install(const std::string& ns, const std::vector<std::string>& ifnames);
  std::map<std::string, uint64_t> read(const std::string& ns);

 private:
  kernel::Nft& nft_;
  uint16_t port_, ports_;
};

}  // namespace netlab::measure
