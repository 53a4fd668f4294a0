// The loss figures of a window (measure::outage_of, docs/measurement.md) on
// synthetic probe streams whose blackholes are known by construction: the
// longest gap, the loss-derived outage, the bursts, recovery after a clean
// period, and the first and last lost probe.
#include <gtest/gtest.h>

#include <functional>

#include "netlab/measure/data_plane.h"

namespace netlab::measure {
namespace {

constexpr int64_t kI = 1'000'000;         // 1 ms
constexpr int64_t kFault = 10'000'000'000;  // seq 0 leaves at the fault
constexpr int64_t kMs = 1'000'000;

struct Stream {
  std::vector<SentProbe> sent;
  std::vector<ReceivedProbe> received;
};

// A regular sender from a second before the fault: seq k leaves at
// kFault + (k - 1000) ms; `lost(t_ms)` says whether a probe sent t ms from
// the fault is blackholed.
Stream stream(int64_t until_ms, const std::function<bool(int64_t)>& lost) {
  Stream s;
  uint64_t seq = 0;
  for (int64_t t = -1000; t < until_ms; ++t, ++seq) {
    const int64_t tx = kFault + t * kMs;
    s.sent.push_back({.seq = seq, .tx_ns = tx});
    if (!lost(t)) s.received.push_back({seq, tx, tx + 40'000});
  }
  return s;
}

// The figures of the window [fault, fault + window_ms).
Outage figures(const Stream& s, int64_t window_ms, double clean_ms = kDefaultCleanMs) {
  DirectionReport r = analyze_direction(
      DirectionInput{.interval_ns = kI, .received = s.received, .sent = s.sent},
      TimeWindow{kFault, kFault + window_ms * kMs});
  return outage_of(r, kFault, false, clean_ms);
}

bool in(int64_t t, int64_t from, int64_t to) { return t >= from && t < to; }

// Blackholed 100 ms, then 50 ms through, then 200 ms more.
bool two_blackholes(int64_t t) { return in(t, 0, 100) || in(t, 150, 350); }

TEST(LossFigures, TwoBlackholesSplitByAShortGap) {
  const Outage o = figures(stream(5000, two_blackholes), 4000);
  EXPECT_EQ(o.outage_ms, 200);  // the longest gap
  EXPECT_EQ(o.loss_ms, 300);    // every probe lost x the interval
  EXPECT_EQ(o.total_lost, 300u);
  EXPECT_EQ(o.bursts, 2u);
  // The 50 ms between the blackholes are no clean period: recovery is at the
  // first probe after the second one.
  EXPECT_EQ(o.recovery_ms, 350);
  EXPECT_TRUE(o.recovery_sustained);
  EXPECT_TRUE(o.recovered);
  EXPECT_EQ(o.first_lost_ms, 0);
  EXPECT_EQ(o.last_lost_ms, 349);
  EXPECT_EQ(o.start_ms, 150);
  EXPECT_EQ(o.end_ms, 350);
}

TEST(LossFigures, ThreeBurstsAndTheCleanPeriodDecideRecovery) {
  // A third blackhole of 10 ms, 500 ms after the second one ended.
  auto three = [](int64_t t) { return two_blackholes(t) || in(t, 850, 860); };
  const Outage o = figures(stream(5000, three), 4000);
  EXPECT_EQ(o.outage_ms, 200);
  EXPECT_EQ(o.loss_ms, 310);
  EXPECT_EQ(o.bursts, 3u);
  EXPECT_EQ(o.last_lost_ms, 859);
  // 500 ms clean is not the 1000 ms clean period: recovered after the third.
  EXPECT_EQ(o.recovery_ms, 860);
  EXPECT_TRUE(o.recovery_sustained);
  // With a clean period of 400 ms, the 500 ms after the second blackhole are
  // enough: the third is a later burst, not a longer recovery.
  const Outage short_clean = figures(stream(5000, three), 4000, 400);
  EXPECT_EQ(short_clean.recovery_ms, 350);
  EXPECT_EQ(short_clean.bursts, 3u);
  // A clean period of exactly the gap between them is enough too.
  EXPECT_EQ(figures(stream(5000, three), 4000, 500).recovery_ms, 350);
}

TEST(LossFigures, NoCleanPeriodBeforeTheWindowClosesIsALowerBound) {
  // The window closes 600 ms after the second blackhole: no 1000 ms clean
  // period fits, so the recovery seen is only a lower bound.
  const Outage o = figures(stream(5000, two_blackholes), 950);
  EXPECT_EQ(o.recovery_ms, 350);
  EXPECT_FALSE(o.recovery_sustained);
  EXPECT_TRUE(o.recovered);
  EXPECT_TRUE(figures(stream(5000, two_blackholes), 950, 500).recovery_sustained);
}

TEST(LossFigures, AnOutageStillOpenIsNotRecovered) {
  const Outage o = figures(stream(1000, [](int64_t t) { return t >= 100; }), 5000);
  EXPECT_FALSE(o.recovered);
  EXPECT_FALSE(o.recovery_sustained);
  EXPECT_EQ(o.bursts, 1u);
  EXPECT_EQ(o.first_lost_ms, 100);
}

TEST(LossFigures, AnOpenRunWithNothingJudgedYetEndsWhereItStarts) {
  DirectionReport r;
  r.interval_ns = kI;
  r.window = {kFault, kFault + 1000 * kMs};
  r.runs = {{.first_seq = 7, .lost = 0, .start_ns = kFault + 5 * kMs, .end_ns = kFault + 5 * kMs, .open = true}};
  const Outage o = outage_of(r, kFault);
  EXPECT_EQ(o.first_lost_ms, 5);
  EXPECT_EQ(o.last_lost_ms, 5);
  EXPECT_FALSE(o.recovery_sustained);
}

TEST(LossFigures, NothingLostIsRecoveredAtOnceWithNoLostProbe) {
  const Outage o = figures(stream(5000, [](int64_t) { return false; }), 4000);
  EXPECT_EQ(o.outage_ms, 0);
  EXPECT_EQ(o.loss_ms, 0);
  EXPECT_EQ(o.bursts, 0u);
  EXPECT_EQ(o.recovery_ms, 0);
  EXPECT_TRUE(o.recovery_sustained);
  EXPECT_FALSE(o.first_lost_ms);
  EXPECT_FALSE(o.last_lost_ms);
}

TEST(LossFigures, ScatteredLossIsManyBurstsOfOneProbe) {
  // Every 100th probe for a second: 10 bursts, 10 ms lost, a 1 ms gap.
  const Outage o = figures(stream(5000, [](int64_t t) { return t >= 0 && t < 1000 && t % 100 == 0; }), 4000);
  EXPECT_EQ(o.bursts, 10u);
  EXPECT_EQ(o.loss_ms, 10);
  EXPECT_EQ(o.outage_ms, 1);
  EXPECT_EQ(o.recovery_ms, 901);
  EXPECT_EQ(o.last_lost_ms, 900);
}

TEST(LossFigures, TheWorstOfTwoFlowsIsEachFiguresWorst) {
  Outage a, b;
  a.outage_ms = 200, a.lost = 200, a.start_ms = 150, a.loss_ms = 300, a.bursts = 2, a.recovery_ms = 350;
  a.first_lost_ms = 0, a.last_lost_ms = 349;
  b.outage_ms = 120, b.loss_ms = 400, b.bursts = 5, b.recovery_ms = 900, b.recovery_sustained = false;
  b.first_lost_ms = 20, b.last_lost_ms = 899;
  const Outage w = worst_of(a, b);
  EXPECT_EQ(w.outage_ms, 200);  // the longest run, with its own figures
  EXPECT_EQ(w.lost, 200u);
  EXPECT_EQ(w.start_ms, 150);
  EXPECT_EQ(w.loss_ms, 400);
  EXPECT_EQ(w.bursts, 5u);
  EXPECT_EQ(w.recovery_ms, 900);
  EXPECT_FALSE(w.recovery_sustained);
  EXPECT_EQ(w.first_lost_ms, 0);
  EXPECT_EQ(w.last_lost_ms, 899);
  Outage none;  // a flow that lost nothing changes nothing
  EXPECT_EQ(worst_of(none, a).first_lost_ms, 0);
  EXPECT_EQ(worst_of(a, none).last_lost_ms, 349);
}

}  // namespace
}  // namespace netlab::measure
