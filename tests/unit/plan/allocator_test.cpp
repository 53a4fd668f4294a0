// The allocator never hands out overlapping subnets and always keeps the
// user's explicit ones: example tests, then the same properties over
// generated inputs (rapidcheck).
#include "netlab/plan/allocator.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace netlab::plan {
namespace {

Ipv4Prefix P(const char* s) { return *Ipv4Prefix::parse(s); }

TEST(SubnetAllocator, HandsOutAlignedBlocksInOrder) {
  SubnetAllocator a;
  EXPECT_EQ(a.allocate(P("10.255.0.0/16"), 30), P("10.255.0.0/30"));
  EXPECT_EQ(a.allocate(P("10.255.0.0/16"), 30), P("10.255.0.4/30"));
  EXPECT_EQ(a.allocate(P("10.255.0.0/16"), 24), P("10.255.1.0/24"));  // aligned past the /30s
}

TEST(SubnetAllocator, SkipsReservations) {
  SubnetAllocator a;
  a.reserve(P("10.255.0.0/29"));
  a.reserve(P("10.255.0.12/30"));
  EXPECT_EQ(a.allocate(P("10.255.0.0/16"), 30), P("10.255.0.8/30"));
  EXPECT_EQ(a.allocate(P("10.255.0.0/16"), 30), P("10.255.0.16/30"));
}

TEST(SubnetAllocator, ReportsAFullParent) {
  SubnetAllocator a;
  EXPECT_TRUE(a.allocate(P("10.0.0.0/29"), 30));
  EXPECT_TRUE(a.allocate(P("10.0.0.0/29"), 30));
  EXPECT_FALSE(a.allocate(P("10.0.0.0/29"), 30));
  EXPECT_FALSE(a.allocate(P("10.0.0.0/29"), 28));  // larger than the parent
}

TEST(SubnetAllocator, AReservationCoveringTheParentLeavesNothing) {
  SubnetAllocator a;
  a.reserve(P("10.0.0.0/8"));
  EXPECT_FALSE(a.allocate(P("10.1.0.0/16"), 30));
}

// A generated problem: explicit subnets (some may overlap each other, as a
// user's mistakes would; the validator reports those), then requests.
struct Problem {
  Ipv4Prefix parent;
  std::vector<Ipv4Prefix> explicit_subnets;
  std::vector<uint8_t> requests;
};

rc::Gen<Ipv4Prefix> inside(Ipv4Prefix parent) {
  return rc::gen::map(
      rc::gen::pair(rc::gen::inRange<uint32_t>(0, static_cast<uint32_t>(parent.size())),
                    rc::gen::inRange<int>(parent.len, 31)),
      [parent](std::pair<uint32_t, int> v) {
        return Ipv4Prefix{Ipv4{parent.network().value + v.first}, static_cast<uint8_t>(v.second)}.normalized();
      });
}

RC_GTEST_PROP(SubnetAllocatorProperty, NeverOverlapsAndKeepsExplicitSubnets, ()) {
  const uint8_t plen = *rc::gen::inRange<uint8_t>(20, 27);
  const Ipv4Prefix parent{Ipv4{0x0AFF0000}, plen};
  const auto explicit_subnets = *rc::gen::container<std::vector<Ipv4Prefix>>(
      *rc::gen::inRange<size_t>(0, 12), inside(parent));
  const auto requests = *rc::gen::container<std::vector<uint8_t>>(
      *rc::gen::inRange<size_t>(1, 60), rc::gen::inRange<uint8_t>(plen, 32));

  SubnetAllocator a;
  for (const auto& e : explicit_subnets) a.reserve(e);
  std::vector<Ipv4Prefix> given;
  for (uint8_t len : requests) {
    auto p = a.allocate(parent, len);
    if (!p) continue;
    RC_ASSERT(p->len == len);
    RC_ASSERT(p->is_network());
    RC_ASSERT(parent.contains(*p));
    for (const auto& e : explicit_subnets) RC_ASSERT(!p->overlaps(e));  // explicit ones are kept
    for (const auto& g : given) RC_ASSERT(!p->overlaps(g));             // never overlapping
    given.push_back(*p);
  }
}

// Whenever the allocator says "full", there really is no free aligned block.
RC_GTEST_PROP(SubnetAllocatorProperty, FullMeansNoFreeBlock, ()) {
  const Ipv4Prefix parent{Ipv4{0x0A000000}, 26};
  const auto reserved = *rc::gen::container<std::vector<Ipv4Prefix>>(
      *rc::gen::inRange<size_t>(0, 8), inside(parent));
  const uint8_t len = *rc::gen::inRange<uint8_t>(27, 31);
  SubnetAllocator a;
  for (const auto& r : reserved) a.reserve(r);
  while (a.allocate(parent, len)) {
  }
  for (uint64_t off = 0; off < parent.size(); off += uint64_t{1} << (32 - len)) {
    Ipv4Prefix b{Ipv4{parent.network().value + static_cast<uint32_t>(off)}, len};
    RC_ASSERT(!a.is_free(b));
  }
}

}  // namespace
}  // namespace netlab::plan
