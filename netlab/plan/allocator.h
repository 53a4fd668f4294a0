// Subnet allocation: hands out aligned blocks from a parent prefix, never
// overlapping anything reserved or handed out before. Explicit (user-given)
// subnets are reserved first and therefore always kept as written.
//
// Pure; deterministic: the same reservations and requests in the same order
// give the same answers.
#pragma once

#include <optional>
#include <vector>

#include "netlab/base/ip.h"

namespace netlab::plan {

class SubnetAllocator {
 public:
  // Marks `p` as used (explicit subnets, announced prefixes of other nodes,
  // reserved ranges). Reservations may overlap each other.
  void reserve(const Ipv4Prefix& p);
  // The lowest aligned /len block inside `parent` that overlaps nothing
  // reserved or allocated, now marked allocated; nullopt when full.
  std::optional<Ipv4Prefix> allocate(const Ipv4Prefix& parent, uint8_t len);
  bool is_free(const Ipv4Prefix& p) const;
  const std::vector<Ipv4Prefix>& used() const { return used_; }

 private:
  std::vector<Ipv4Prefix> used_;  // normalised; kept sorted by network address
};

}  // namespace netlab::plan
