// Packet-rate limits measured on this machine's kernel (nftables netdev
// ingress `limit rate over N/second drop` at the receiver): twice the limit
// offered for 5 s delivers the limit within 10 %.
#include <cstdio>

#include "tests/privileged/impair/impair_fixture.h"

namespace netlab::impair::testing {
namespace {

constexpr int64_t kMs = 1'000'000;

TEST_F(ImpairTest, PacketRateIsWhatWasAskedFor) {
  if (!host_caps().nft_netdev) GTEST_SKIP() << "no nftables netdev ingress: no pps backend";
  for (double pps : {1000.0, 5000.0}) {
    SCOPED_TRACE("pps " + std::to_string(pps));
    Impairment imp;
    imp.pps = pps;
    auto& s = impair(imp);
    const int64_t interval = static_cast<int64_t>(1e9 / (2 * pps));  // twice the limit
    const int count = static_cast<int>(10 * pps);                     // for 5 s
    auto got = udp_stream(a_, b_, count, interval, 20 * kMs);
    s.release();
    if (got.size() < 2) FAIL() << "nothing delivered";
    const double secs = static_cast<double>(count) * static_cast<double>(interval) / 1e9;
    const double delivered = static_cast<double>(got.size()) / secs;
    std::printf("[ measure  ] pps %6.0f: offered %.0f/s, delivered %.0f/s (%+.1f%%)\n", pps,
                2 * pps, delivered, 100.0 * (delivered - pps) / pps);
    EXPECT_NEAR(delivered, pps, 0.1 * pps);
  }
}

TEST_F(ImpairTest, BelowThePacketRateNothingIsDropped) {
  if (!host_caps().nft_netdev) GTEST_SKIP() << "no nftables netdev ingress: no pps backend";
  // The 1 kHz probe through a tunnel limited to 140000/s (or 1400/s at
  // scale 100) must lose nothing.
  Impairment imp;
  imp.pps = 1400;
  auto& s = impair(imp);
  auto got = udp_stream(a_, b_, 3000, 1 * kMs, 20 * kMs);
  s.release();
  EXPECT_EQ(got.size(), 3000u);
}

}  // namespace
}  // namespace netlab::impair::testing
