// Properties of Ipv4Prefix that the validator relies on (overlap checks,
// host bits, the parse/str round trip), over generated prefixes.
//
// Plain gtest with a seeded generator: the test binary links only gtest, and
// a fixed seed makes every failure reproducible. Each failure prints the
// prefixes involved.
#include <gtest/gtest.h>

#include <random>

#include "netlab/base/ip.h"

namespace netlab {
namespace {

constexpr int kCases = 20000;

class Gen {
 public:
  explicit Gen(uint32_t seed) : rng_(seed) {}
  Ipv4Prefix prefix() {
    // Bias towards shared leading bits and edge lengths so overlaps are common.
    uint32_t base = pick() % 4 == 0 ? 0x0A000000u : static_cast<uint32_t>(rng_());
    uint32_t noise = static_cast<uint32_t>(rng_()) >> (pick() % 33 == 32 ? 31 : pick() % 32);
    uint8_t len = static_cast<uint8_t>(pick() % 6 == 0 ? (pick() % 2 ? 0 : 32) : pick() % 33);
    return Ipv4Prefix{Ipv4{base ^ noise}, len};
  }
  uint32_t pick() { return static_cast<uint32_t>(rng_()); }

 private:
  std::mt19937_64 rng_;
};

TEST(Ipv4PrefixProperty, OverlapsIsSymmetric) {
  Gen g(1);
  for (int i = 0; i < kCases; ++i) {
    Ipv4Prefix a = g.prefix(), b = g.prefix();
    ASSERT_EQ(a.overlaps(b), b.overlaps(a)) << a.str() << " " << b.str();
  }
}

TEST(Ipv4PrefixProperty, ContainsImpliesOverlaps) {
  Gen g(2);
  for (int i = 0; i < kCases; ++i) {
    Ipv4Prefix a = g.prefix(), b = g.prefix();
    if (a.contains(b)) {
      ASSERT_TRUE(a.overlaps(b)) << a.str() << " " << b.str();
    }
    ASSERT_TRUE(a.contains(a.normalized())) << a.str();
    ASSERT_TRUE(a.overlaps(a)) << a.str();
  }
}

TEST(Ipv4PrefixProperty, OverlapsMeansAnAddressInCommon) {
  Gen g(3);
  for (int i = 0; i < kCases; ++i) {
    Ipv4Prefix a = g.prefix(), b = g.prefix();
    // The longer prefix's network address is in both exactly when they overlap.
    const Ipv4Prefix& longer = a.len >= b.len ? a : b;
    const Ipv4Prefix& shorter = a.len >= b.len ? b : a;
    ASSERT_EQ(a.overlaps(b), shorter.contains(longer.network())) << a.str() << " " << b.str();
  }
}

TEST(Ipv4PrefixProperty, HostsLieInsideThePrefix) {
  Gen g(4);
  for (int i = 0; i < kCases; ++i) {
    Ipv4Prefix p = g.prefix();
    uint64_t usable = p.usable_hosts();
    for (uint32_t n : {0u, 1u, static_cast<uint32_t>(g.pick() % (usable + 1)),
                       static_cast<uint32_t>(std::min<uint64_t>(usable, UINT32_MAX) - 1)}) {
      auto h = p.host(n);
      if (n < usable) {
        ASSERT_TRUE(h) << p.str() << " host " << n;
        ASSERT_TRUE(p.contains(*h)) << p.str() << " host " << n << " = " << h->str();
        if (p.len < 31) {
          ASSERT_NE(*h, p.network()) << p.str();
          ASSERT_NE(*h, p.broadcast()) << p.str();
        }
      } else {
        ASSERT_FALSE(h) << p.str() << " host " << n;
      }
    }
  }
}

TEST(Ipv4PrefixProperty, ParseOfStrRoundTrips) {
  Gen g(5);
  for (int i = 0; i < kCases; ++i) {
    Ipv4Prefix p = g.prefix();
    auto back = Ipv4Prefix::parse(p.str());
    ASSERT_TRUE(back) << p.str();
    ASSERT_EQ(*back, p) << p.str();
    ASSERT_EQ(Ipv4::parse(p.addr.str()), p.addr);
  }
}

TEST(Ipv4PrefixProperty, NormalizedIsANetworkInsideTheOriginal) {
  Gen g(6);
  for (int i = 0; i < kCases; ++i) {
    Ipv4Prefix p = g.prefix();
    Ipv4Prefix n = p.normalized();
    ASSERT_TRUE(n.is_network()) << p.str();
    ASSERT_EQ(n.len, p.len);
    ASSERT_TRUE(n.contains(p.addr)) << p.str();
    ASSERT_EQ(p.is_network(), p == n) << p.str();
  }
}

TEST(Ipv4PrefixProperty, ParseRefusesMalformedText) {
  for (const char* s : {"", "/", "10.0.0.0/", "10.0.0.0/33", "10.0.0/24", "10.0.0.0.0/8",
                        "256.0.0.0/8", "010.0.0.0/8", "10.0.0.0/-1", "10.0.0.0/ 8", " 10.0.0.0/8",
                        "10.0.0.0/8 ", "10.0.0.0/008", "a.b.c.d/8", "10.0.0.0"})
    EXPECT_FALSE(Ipv4Prefix::parse(s)) << s;
  EXPECT_TRUE(Ipv4Prefix::parse("10.0.0.0", true));
}

}  // namespace
}  // namespace netlab
