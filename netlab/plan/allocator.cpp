#include "netlab/plan/allocator.h"

#include <algorithm>

namespace netlab::plan {

void SubnetAllocator::reserve(const Ipv4Prefix& p) {
  Ipv4Prefix n = p.normalized();
  auto it = std::lower_bound(used_.begin(), used_.end(), n,
                             [](const Ipv4Prefix& a, const Ipv4Prefix& b) {
                               return a.addr.value < b.addr.value;
                             });
  used_.insert(it, n);
}

bool SubnetAllocator::is_free(const Ipv4Prefix& p) const {
  for (const auto& u : used_)
    if (u.overlaps(p)) return false;
  return true;
}

std::optional<Ipv4Prefix> SubnetAllocator::allocate(const Ipv4Prefix& parent, uint8_t len) {
  if (len < parent.len || len > 32) return std::nullopt;
  const uint64_t step = uint64_t{1} << (32 - len);
  const uint64_t first = parent.network().value;
  const uint64_t end = first + parent.size();
  uint64_t candidate = first;
  while (candidate + step <= end) {
    Ipv4Prefix p{Ipv4{static_cast<uint32_t>(candidate)}, len};
    // Skip past the first used block that overlaps, rather than one step at
    // a time, so that a large reservation costs one iteration.
    const Ipv4Prefix* hit = nullptr;
    for (const auto& u : used_)
      if (u.overlaps(p)) {
        hit = &u;
        break;
      }
    if (!hit) {
      reserve(p);
      return p;
    }
    uint64_t past = uint64_t{hit->broadcast().value} + 1;
    uint64_t next = candidate + step;
    if (past > next) next = (past + step - 1) / step * step;  // align up
    candidate = next;
  }
  return std::nullopt;
}

}  // namespace netlab::plan
