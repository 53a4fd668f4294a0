#include "netlab/measure/live_gaps.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <fstream>

namespace netlab::measure {
namespace {

constexpr int64_t kMs = 1'000'000;

TEST(LiveGaps, AnOutageIsReportedWhenItsFirstPacketAfterArrives) {
  LiveGaps g(kMs);
  for (uint64_t s = 0; s < 10; ++s) EXPECT_FALSE(g.received(s, int64_t(s) * kMs));
  // 10..209 lost: 200 probes, 200 ms; closed by 210.
  auto o = g.received(210, 210 * kMs);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->lost, 200u);
  EXPECT_DOUBLE_EQ(o->ms, 200.0);
  EXPECT_EQ(o->last_before_ns, 9 * kMs);
  EXPECT_EQ(o->first_after_ns, 210 * kMs);
  EXPECT_FALSE(g.received(211, 211 * kMs));
  EXPECT_EQ(g.totals().outages, 1u);
  EXPECT_EQ(g.totals().lost, 200u);
  EXPECT_DOUBLE_EQ(g.totals().longest_ms, 200.0);
}

TEST(LiveGaps, ALatePacketIsNoOutageAndIsNotLost) {
  LiveGaps g(kMs);
  g.received(0, 0);
  auto o = g.received(3, 3 * kMs);  // 1 and 2 missing so far
  ASSERT_TRUE(o);
  EXPECT_EQ(o->lost, 2u);
  EXPECT_FALSE(g.received(2, 4 * kMs));  // 2 came late, over the other path
  EXPECT_EQ(g.totals().lost, 1u);
  EXPECT_EQ(g.totals().late, 1u);
}

TEST(LiveGaps, AnOpenOutageIsSeenAfterTheQuietTime) {
  LiveGaps g(kMs);
  g.received(0, 0);
  EXPECT_FALSE(g.open_at(2 * kMs, 5 * kMs));
  auto o = g.open_at(100 * kMs, 5 * kMs);
  ASSERT_TRUE(o);
  EXPECT_DOUBLE_EQ(o->ms, 100.0);
}

TEST(ProbeLogFollower, ReadsOnlyWholeRecordsAndResumesWhereItStopped) {
  std::string path = "/tmp/netlab-live-gaps-" + std::to_string(::getpid()) + ".log";
  ProbeLogFollower f(path);
  EXPECT_FALSE(f.header());
  EXPECT_TRUE(f.read_new().empty());
  ProbeHeader h;
  h.stream_id = 2;
  h.interval_ns = kMs;
  std::array<std::byte, kProbeLogHeaderSize> hb;
  encode_probe_header(h, hb);
  auto record = [](uint64_t seq) {
    std::array<std::byte, kProbeLogRecordSize> rb;
    encode_probe_record(ProbeRecord{RecordKind::kReceived, 0, seq, 1, 2}, rb);
    return rb;
  };
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(hb.data()), hb.size());
    auto r0 = record(0);
    out.write(reinterpret_cast<const char*>(r0.data()), r0.size());
    auto r1 = record(1);
    out.write(reinterpret_cast<const char*>(r1.data()), 10);  // torn
  }
  ASSERT_TRUE(f.header());
  EXPECT_EQ(f.header()->stream_id, 2u);
  auto got = f.read_new();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].seq, 0u);
  {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    auto r1 = record(1);
    out.write(reinterpret_cast<const char*>(r1.data()) + 10, r1.size() - 10);
  }
  got = f.read_new();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].seq, 1u);
  ::unlink(path.c_str());
}

}  // namespace
}  // namespace netlab::measure
