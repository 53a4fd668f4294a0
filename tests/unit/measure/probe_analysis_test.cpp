// Probe arithmetic on synthetic streams whose true loss and timing are
// known by construction: outage, runs, totals, reachability and resolution
// must come out exactly as probe.h defines them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <set>

#include "netlab/base/error.h"
#include "netlab/measure/probe.h"

namespace netlab::measure {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t kI = 1'000'000;        // 1 ms
constexpr int64_t kT0 = 10'000'000'000;  // the first deadline: 10 s after boot
constexpr int64_t kLatency = 40'000;     // one-way, 40 us
constexpr int64_t kMaxT = std::numeric_limits<int64_t>::max();

struct Stream {
  std::vector<SentProbe> sent;
  std::vector<ReceivedProbe> received;
  int64_t tx(uint64_t seq) const { return sent.at(seq).tx_ns; }
};

// A sender that behaves like netlab-probe's: deadline k*I; `late(seq)` says
// how late it woke for a seq; an interval or more late re-anchors the
// schedule. Every seq for which `lost(seq)` is false is received.
Stream simulate(uint64_t n, const std::function<bool(uint64_t)>& lost = {},
                const std::function<int64_t(uint64_t)>& late = {}) {
  Stream s;
  int64_t deadline = kT0;
  for (uint64_t seq = 0; seq < n; ++seq) {
    const int64_t lateness = late ? late(seq) : 0;
    const int64_t now = deadline + lateness;
    s.sent.push_back({.seq = seq, .tx_ns = now, .lateness_ns = lateness});
    if (!lost || !lost(seq)) s.received.push_back({seq, now, now + kLatency});
    deadline += kI;
    if (deadline <= now) deadline = now + kI;
  }
  return s;
}

int64_t grid(uint64_t seq) { return kT0 + static_cast<int64_t>(seq) * kI; }

DirectionReport analyze(const Stream& s, TimeWindow w = {}, bool with_sent = true,
                        int64_t covered = kMaxT) {
  return analyze_direction(DirectionInput{.interval_ns = kI,
                                          .received = s.received,
                                          .sent = with_sent ? std::span<const SentProbe>(s.sent)
                                                            : std::span<const SentProbe>(),
                                          .receiver_covered_until_ns = covered},
                           w);
}

// With and without the sender's log the closed-run figures are the same.
class BothModes : public ::testing::TestWithParam<bool> {};
INSTANTIATE_TEST_SUITE_P(Probe, BothModes, ::testing::Values(true, false), [](const auto& info) {
  return info.param ? "WithSenderLog" : "ReceiverOnly";
});

TEST_P(BothModes, NoLossIsNoOutage) {
  const Stream s = simulate(1000);
  const DirectionReport r = analyze(s, {}, GetParam());
  EXPECT_THAT(r.runs, IsEmpty());
  EXPECT_EQ(r.longest, std::nullopt);
  EXPECT_EQ(r.outage_ns(), 0);
  EXPECT_EQ(r.sent, 1000u);
  EXPECT_EQ(r.received, 1000u);
  EXPECT_EQ(r.lost, 0u);
  EXPECT_TRUE(r.reachable);
  EXPECT_EQ(r.duplicates, 0u);
  EXPECT_EQ(r.reordered, 0u);
}

TEST_P(BothModes, AGapOfKProbesIsKIntervals) {
  for (uint64_t k : {1u, 7u, 200u}) {
    const Stream s = simulate(1000, [&](uint64_t q) { return q >= 100 && q < 100 + k; });
    const DirectionReport r = analyze(s, {}, GetParam());
    const LossRun expected{
        .first_seq = 100, .lost = k, .start_ns = grid(100), .end_ns = grid(100 + k)};
    EXPECT_THAT(r.runs, ElementsAre(expected)) << k;
    EXPECT_EQ(r.outage_ns(), static_cast<int64_t>(k) * kI);
    EXPECT_EQ(r.lost, k);
    EXPECT_EQ(r.sent, 1000u);
    EXPECT_EQ(r.received, 1000u - k);
  }
}

TEST(ProbeAnalysis, SenderLatenessIsNotLoss) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> jitter(0, kI * 9 / 10);
  // Up to 0.9 ms late on every send, and one stall of 7.3 intervals.
  const Stream s =
      simulate(3000, {}, [&](uint64_t q) { return q == 500 ? kI * 73 / 10 : jitter(rng); });
  const DirectionReport r = analyze(s);
  EXPECT_THAT(r.runs, IsEmpty());
  EXPECT_EQ(r.outage_ns(), 0);
  EXPECT_EQ(r.lost, 0u);
  EXPECT_EQ(r.max_lateness_ns, kI * 73 / 10);
  EXPECT_EQ(r.resolution_ns(), kI + kI * 73 / 10);
  const LatenessStats st = lateness_stats(s.sent, kI);
  EXPECT_EQ(st.samples, 3000u);
  EXPECT_EQ(st.max_ns, kI * 73 / 10);
  EXPECT_EQ(st.late_by_an_interval, 1u);
  EXPECT_GT(st.p50_ns, kI * 3 / 10);
  EXPECT_LT(st.p50_ns, kI * 6 / 10);
  EXPECT_LE(st.p99_ns, kI * 9 / 10);
}

TEST(ProbeAnalysis, OutageIsMeasuredOnSendTimesWhenTheSenderStalledDuringIt) {
  // 50 probes lost (300..349) and the sender stalled 20 ms at seq 320: the
  // outage lasted 50 intervals plus the stall, not 50 intervals.
  const Stream s = simulate(
      1000, [](uint64_t q) { return q >= 300 && q < 350; },
      [](uint64_t q) { return q == 320 ? 20 * kI + 300'000 : 0; });
  const DirectionReport r = analyze(s);
  ASSERT_TRUE(r.longest);
  EXPECT_EQ(r.longest->lost, 50u);
  EXPECT_EQ(r.longest->start_ns, s.tx(299) + kI);
  EXPECT_EQ(r.longest->end_ns, s.tx(350));
  EXPECT_EQ(r.outage_ns(), s.tx(350) - s.tx(299) - kI);
  EXPECT_EQ(r.outage_ns(), 50 * kI + 20 * kI + 300'000);
}

TEST(ProbeAnalysis, ReorderedAndDuplicatedPacketsAreNotLoss) {
  Stream s = simulate(10);
  // Arrival order 0 1 3 2 4 4 5 7 6 8 9 6
  std::vector<ReceivedProbe> rx;
  for (uint64_t q : {0, 1, 3, 2, 4, 4, 5, 7, 6, 8, 9, 6}) rx.push_back(s.received[q]);
  s.received = rx;
  const DirectionReport r = analyze(s);
  EXPECT_THAT(r.runs, IsEmpty());
  EXPECT_EQ(r.lost, 0u);
  EXPECT_EQ(r.received, 10u);
  EXPECT_EQ(r.sent, 10u);
  EXPECT_EQ(r.duplicates, 2u);
  EXPECT_EQ(r.reordered, 2u);  // 2 after 3, 6 after 7; the late duplicate of 6 is a duplicate
}

TEST(ProbeAnalysis, AnOpenGapLastsToTheEndOfTheWindow) {
  // Lost from seq 500 on and never recovered.
  const Stream s = simulate(1000, [](uint64_t q) { return q >= 500; });
  const TimeWindow w{kT0, grid(900)};
  const DirectionReport r = analyze(s, w);
  const LossRun expected{
      .first_seq = 500, .lost = 400, .start_ns = grid(500), .end_ns = grid(900), .open = true};
  EXPECT_THAT(r.runs, ElementsAre(expected));
  EXPECT_EQ(r.outage_ns(), 400 * kI);
  EXPECT_EQ(r.lost, 400u);
  EXPECT_EQ(r.sent, 900u);

  // Without the sender's log, on the interval grid: the same.
  EXPECT_THAT(analyze(s, w, false).runs, ElementsAre(expected));

  // A window beyond the sender's last send ends there: nothing after it is known.
  EXPECT_EQ(analyze(s, {kT0, grid(5000)}).longest->end_ns, grid(1000));
  EXPECT_EQ(analyze(s, {kT0, grid(5000)}).longest->lost, 500u);
}

TEST(ProbeAnalysis, WithoutAnyEndAnOpenGapCannotBeSeen) {
  // Neither a window end, nor the receiver's evidence, nor the sender's log:
  // nothing says packets after the last received one were sent.
  const Stream s = simulate(1000, [](uint64_t q) { return q >= 500; });
  EXPECT_THAT(analyze(s, {}, false).runs, IsEmpty());
  // With the receiver's evidence end it is seen.
  const DirectionReport r = analyze(s, {}, false, grid(800) + 10'000'000);
  ASSERT_EQ(r.runs.size(), 1u);
  EXPECT_TRUE(r.runs[0].open);
  EXPECT_EQ(r.runs[0].end_ns, grid(800));
  EXPECT_EQ(r.runs[0].lost, 300u);
}

TEST(ProbeAnalysis, PacketsStillInFlightWhenTheReceiverStoppedAreNotLost) {
  // The receiver stopped 5 ms after seq 995 was sent; it had received up to
  // seq 989 (the last few were on their way). Only what was sent more than
  // in_flight_ns (10 ms) before its evidence ends is judged.
  const Stream s = simulate(1000, [](uint64_t q) { return q >= 990; });
  const int64_t receiver_end = grid(995) + 5 * kI;
  const DirectionReport r = analyze(s, {}, true, receiver_end);
  EXPECT_EQ(r.window.end_ns, grid(990));
  EXPECT_THAT(r.runs, IsEmpty());
  EXPECT_EQ(r.sent, 990u);
  // Stopped 30 ms after: 990..999 were long due and are lost.
  const DirectionReport late = analyze(s, {}, true, grid(999) + 30 * kI);
  ASSERT_TRUE(late.longest);
  EXPECT_EQ(late.longest->lost, 10u);
  EXPECT_TRUE(late.longest->open);
}

TEST(ProbeAnalysis, ARunOverlappingTheWindowIsReportedWhole) {
  const Stream s = simulate(1000, [](uint64_t q) { return q >= 100 && q < 200; });
  const LossRun run{.first_seq = 100, .lost = 100, .start_ns = grid(100), .end_ns = grid(200)};

  // A window opened in the middle of the run (the fault was injected
  // before it): the whole run is the outage; totals count the window only.
  const DirectionReport r = analyze(s, {grid(150), grid(400)});
  EXPECT_THAT(r.runs, ElementsAre(run));
  EXPECT_EQ(r.outage_ns(), 100 * kI);
  EXPECT_EQ(r.lost, 50u);
  EXPECT_EQ(r.received, 200u);
  EXPECT_EQ(r.sent, 250u);
  EXPECT_EQ(analyze(s, {grid(150), grid(400)}, false).lost, 50u);  // on the estimated grid

  // A window that lies inside the run: unreachable, the run in full.
  const DirectionReport inside = analyze(s, {grid(120), grid(130)});
  EXPECT_THAT(inside.runs, ElementsAre(run));
  EXPECT_FALSE(inside.reachable);
  EXPECT_EQ(inside.lost, 10u);

  // Windows that only touch the run's ends do not get it: [start, end) is half-open.
  EXPECT_THAT(analyze(s, {grid(200), grid(400)}).runs, IsEmpty());
  EXPECT_THAT(analyze(s, {grid(0), grid(100)}).runs, IsEmpty());
  EXPECT_THAT(analyze(s, {grid(100) - 1, grid(100) + 1}).runs, ElementsAre(run));
}

TEST(ProbeAnalysis, TheLongestOfSeveralRunsIsTheOutageAndAllRunsAreListed) {
  const Stream s = simulate(1000, [](uint64_t q) {
    return (q >= 100 && q < 110) || (q >= 300 && q < 330) || (q >= 600 && q < 630);
  });
  const DirectionReport r = analyze(s);
  ASSERT_EQ(r.runs.size(), 3u);
  EXPECT_EQ(r.runs[0].first_seq, 100u);
  EXPECT_EQ(r.longest->first_seq, 300u);  // the earliest of the two longest
  EXPECT_EQ(r.outage_ns(), 30 * kI);
  EXPECT_EQ(r.lost, 70u);
}

TEST_P(BothModes, LossBeforeTheFirstReceivedProbeIsARun) {
  // The peer came up late: the first 25 probes found nobody.
  const Stream s = simulate(1000, [](uint64_t q) { return q < 25; });
  const DirectionReport r = analyze(s, {}, GetParam());
  EXPECT_THAT(r.runs, ElementsAre(LossRun{
                          .first_seq = 0, .lost = 25, .start_ns = grid(0), .end_ns = grid(25)}));
  // A window that starts after it does not see it.
  EXPECT_EQ(analyze(s, {grid(25), kMaxT}, GetParam()).outage_ns(), 0);
}

TEST(ProbeAnalysis, NothingReceivedIsOneOpenRunAndUnreachable) {
  const Stream s = simulate(100, [](uint64_t) { return true; });
  const DirectionReport r = analyze(s);
  EXPECT_FALSE(r.reachable);
  EXPECT_THAT(
      r.runs,
      ElementsAre(LossRun{
          .first_seq = 0, .lost = 100, .start_ns = grid(0), .end_ns = grid(100), .open = true}));
  EXPECT_EQ(r.sent, 100u);
}

TEST(ProbeAnalysis, SendErrorsAreLossAndCounted) {
  Stream s = simulate(1000, [](uint64_t q) { return q >= 100 && q < 150; });
  for (uint64_t q = 100; q < 150; ++q) s.sent[q].error = 101;  // ENETUNREACH
  const DirectionReport r = analyze(s);
  EXPECT_EQ(r.lost, 50u);
  EXPECT_EQ(r.send_errors, 50u);
  EXPECT_EQ(r.outage_ns(), 50 * kI);
}

TEST(ProbeAnalysis, RejectsLogsThatDoNotBelongTogether) {
  ProbeLog a, b;
  a.header = {.stream_id = 1,
              .peer_stream_id = 2,
              .interval_ns = kI,
              .bind_addr = *Ipv4::parse("10.0.0.1"),
              .bind_port = 5000,
              .peer_addr = *Ipv4::parse("10.0.0.2"),
              .peer_port = 5000};
  b.header = {.stream_id = 2,
              .peer_stream_id = 1,
              .interval_ns = kI,
              .bind_addr = *Ipv4::parse("10.0.0.2"),
              .bind_port = 5000,
              .peer_addr = *Ipv4::parse("10.0.0.1"),
              .peer_port = 5000};
  EXPECT_NO_THROW(analyze_direction(a, b, {}));
  EXPECT_NO_THROW(analyze_direction(b, a, {}));
  ProbeLog other = b;
  other.header.bind_port = 5001;
  EXPECT_THROW(analyze_direction(a, other, {}), Error);
  other = b;
  other.header.interval_ns = 2 * kI;
  EXPECT_THROW(analyze_direction(a, other, {}), Error);
  other = b;
  other.header.peer_stream_id = 9;
  EXPECT_THROW(analyze_direction(a, other, {}), Error);
}

TEST(ProbeAnalysis, ALogWithoutEvidenceYetJudgesNothing) {
  ProbeLog a, b;
  a.header = {.stream_id = 1, .interval_ns = kI, .bind_port = 1, .peer_port = 2};
  b.header = {.stream_id = 2, .interval_ns = kI, .bind_port = 2, .peer_port = 1};
  a.sent = simulate(100).sent;  // b has no heartbeat yet
  const DirectionReport r = analyze_direction(a, b, {});
  EXPECT_EQ(r.sent, 0u);
  EXPECT_THAT(r.runs, IsEmpty());
}

TEST(ProbeAnalysis, LatenessPercentilesAreNearestRank) {
  std::vector<SentProbe> sent;
  for (int64_t i = 1; i <= 200; ++i)
    sent.push_back({.seq = static_cast<uint64_t>(i), .tx_ns = i, .lateness_ns = i * 1000});
  const LatenessStats st = lateness_stats(sent, kI);
  EXPECT_EQ(st.samples, 200u);
  EXPECT_EQ(st.p50_ns, 100'000);
  EXPECT_EQ(st.p99_ns, 198'000);
  EXPECT_EQ(st.max_ns, 200'000);
  EXPECT_EQ(lateness_stats(sent, kI, {101, 201}).p50_ns, 150'000);
  EXPECT_EQ(lateness_stats({}, kI).samples, 0u);
}

TEST(LossRun, Str) {
  const LossRun r{
      .first_seq = 100, .lost = 50, .start_ns = 12'345'678'901, .end_ns = 12'395'678'901};
  EXPECT_EQ(r.str(), "seq 100+50 lost, 50.000 ms [12.345678901 s, 12.395678901 s)");
}

}  // namespace
}  // namespace netlab::measure
