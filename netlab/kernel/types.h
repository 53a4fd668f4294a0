// Kernel objects as value types (str(), ==). Every object names the network
// namespace it lives in; "" is the namespace netlab itself runs in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netlab/base/ip.h"
#include "netlab/base/route.h"

namespace netlab::kernel {

// Identity of a named network namespace: the inode of its nsfs file. Two
// namespaces with the same name at different times have different ids, which
// is how netlab refuses to delete one it did not create.
struct NetnsId {
  uint64_t dev = 0, ino = 0;
  bool operator==(const NetnsId&) const = default;
  std::string str() const;
};

// A veth pair created in one request with each end directly in its namespace.
struct VethPair {
  std::string ns_a, if_a, ns_b, if_b;
  uint32_t mtu = 1500;
  // Interface indices to ask for (0: the kernel's choice). The two ends must
  // differ: the kernel delivers a carrier change on a veth at once only when
  // its index differs from its peer's (linkwatch_urgent_event: ifindex !=
  // iflink); otherwise the change waits in linkwatch's once-a-second batch.
  // Indices are per namespace, so equal ones across a pair are common.
  int index_a = 0, index_b = 0;
  bool operator==(const VethPair&) const = default;
  std::string str() const;  // "nl-x-a:eth1 <-> nl-x-b:eth1"
};

struct Address {
  std::string ns, ifname;
  Ipv4Prefix addr;  // interface address with its prefix length, e.g. 10.0.0.1/30
  bool operator==(const Address&) const = default;
  std::string str() const;
};

// Routes are base/ types so that the Plan names them without this library.
using netlab::Nexthop;
using netlab::Route;
using netlab::RouteType;

struct LinkStats {
  uint64_t rx_packets = 0, tx_packets = 0, rx_bytes = 0, tx_bytes = 0;
};

struct LinkInfo {
  std::string ns, ifname;
  int index = 0;
  bool admin_up = false;  // IFF_UP
  bool carrier = false;   // IFF_LOWER_UP
  uint32_t mtu = 0;
};

}  // namespace netlab::kernel
