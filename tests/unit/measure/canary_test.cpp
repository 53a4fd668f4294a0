// The scheduling canary: the lateness of wake-ups on an absolute period,
// computed from given instants, and the real thread measuring something.
#include "netlab/measure/canary.h"

#include <gtest/gtest.h>

#include <thread>

namespace netlab::measure {
namespace {

constexpr int64_t kMs = 1'000'000;

TEST(LatenessGauge, RecordsTheWorstWakeUpAgainstAnAbsoluteSchedule) {
  LatenessGauge g(10 * kMs);
  EXPECT_EQ(g.start(0), 10 * kMs);
  EXPECT_EQ(g.woke(10 * kMs + 200'000), 20 * kMs);  // 0.2 ms late: the schedule does not drift
  EXPECT_EQ(g.last_lateness_ns(), 200'000);
  EXPECT_EQ(g.woke(23 * kMs), 30 * kMs);  // 3 ms late
  EXPECT_EQ(g.woke(30 * kMs), 40 * kMs);  // on time
  EXPECT_EQ(g.max_lateness_ns(), 3 * kMs);
  EXPECT_EQ(g.wakeups(), 3u);
}

TEST(LatenessGauge, AWakeUpPeriodsLateReanchorsInsteadOfCountingTheMissedOnes) {
  LatenessGauge g(10 * kMs);
  g.start(0);
  // Starved for 612 ms: one wake-up that late, then a period from there.
  EXPECT_EQ(g.woke(622 * kMs), 632 * kMs);
  EXPECT_EQ(g.max_lateness_ns(), 612 * kMs);
  EXPECT_EQ(g.woke(632 * kMs + 100), 642 * kMs);
  EXPECT_EQ(g.last_lateness_ns(), 100);
  g.reset();
  EXPECT_EQ(g.max_lateness_ns(), 0);
  EXPECT_EQ(g.wakeups(), 0u);
  EXPECT_EQ(g.woke(642 * kMs), 652 * kMs);
  EXPECT_EQ(g.wakeups(), 1u);
}

TEST(Canary, TheThreadWakesAndMeasures) {
  auto c = start_canary(2 * kMs);
  c->begin();
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  CanaryFigures f = c->figures();
  EXPECT_GE(f.wakeups, 5u);
  EXPECT_GE(f.max_lateness_ms, 0.0);
}

TEST(Canary, BeginStartsAnEmptyWindow) {
  auto c = start_canary(200 * kMs);  // no wake-up for 200 ms
  c->begin();
  EXPECT_EQ(c->figures().wakeups, 0u);
  EXPECT_EQ(c->figures().max_lateness_ms, 0.0);
}

}  // namespace
}  // namespace netlab::measure
