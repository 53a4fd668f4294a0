// WireGuard's emulated DPD, driven by a fake clock and scripted readings:
// when a peer is declared dead, what action follows, and when it is back.
#include "netlab/tunnel/dpd.h"

#include <gtest/gtest.h>

namespace netlab::tunnel {
namespace {

using topology::DpdAction;
using Kind = DpdStep::Kind;

constexpr int64_t S = 1'000'000'000;

WgReading rd(uint64_t rx, int64_t hs = 0) { return {true, rx, hs}; }

TEST(Dpd, NothingHappensBeforeTheDeviceIsConfigured) {
  DpdMonitor m({30 * S, DpdAction::Clear});
  for (int64_t t = 0; t < 100 * S; t += S) EXPECT_EQ(m.observe(t, {}).kind, Kind::Nothing);
  EXPECT_FALSE(m.started());
}

TEST(Dpd, ALivePeerIsNeverDeclaredDead) {
  DpdMonitor m({30 * S, DpdAction::Clear});
  uint64_t rx = 0;
  // A keepalive every 10 s (the DPD interval) keeps it alive for ever.
  for (int64_t t = 0; t < 600 * S; t += S / 10) {
    if (t % (10 * S) == 0) rx += 32;
    EXPECT_EQ(m.observe(t, rd(rx)).kind, Kind::Nothing) << t;
  }
  EXPECT_TRUE(m.alive());
}

TEST(Dpd, SilentForTheTimeoutSinceTheLastPacketIsDead) {
  DpdMonitor m({30 * S, DpdAction::Clear});
  m.observe(0, rd(100, 5));
  m.observe(4 * S, rd(200, 5));  // last packet at 4 s
  for (int64_t t = 4 * S + S / 10; t < 34 * S; t += S / 10)
    ASSERT_EQ(m.observe(t, rd(200, 5)).kind, Kind::Nothing) << t;
  DpdStep s = m.observe(34 * S, rd(200, 5));
  EXPECT_EQ(s, (DpdStep{Kind::PeerDead, DpdAction::Clear, 30 * S}));
  EXPECT_FALSE(m.alive());
  // Declared once: clear waits for the peer, it does not repeat.
  for (int64_t t = 34 * S; t < 200 * S; t += S)
    EXPECT_EQ(m.observe(t, rd(200, 5)).kind, Kind::Nothing);
}

TEST(Dpd, TheFirstConfiguredReadingStartsTheTimer) {
  DpdMonitor m({30 * S, DpdAction::Clear});
  m.observe(0, {});
  m.observe(50 * S, rd(0));  // configured at 50 s, never heard
  EXPECT_EQ(m.observe(79 * S, rd(0)).kind, Kind::Nothing);
  EXPECT_EQ(m.observe(80 * S, rd(0)).kind, Kind::PeerDead);
}

TEST(Dpd, AHandshakeAloneIsNews) {
  DpdMonitor m({30 * S, DpdAction::Clear});
  m.observe(0, rd(0, 0));
  EXPECT_EQ(m.observe(20 * S, rd(0, 1000)).kind, Kind::Nothing);
  EXPECT_EQ(m.observe(49 * S, rd(0, 1000)).kind, Kind::Nothing);
  EXPECT_EQ(m.observe(50 * S, rd(0, 1000)).kind, Kind::PeerDead);
}

TEST(Dpd, ThePeerComesBackWithItsNextHandshakeAfterOurOwnReset) {
  DpdMonitor m({30 * S, DpdAction::Clear});
  m.observe(0, rd(500, 77));
  ASSERT_EQ(m.observe(30 * S, rd(500, 77)).kind, Kind::PeerDead);
  // The clear removed and re-added the peer: counters restart at zero.
  EXPECT_EQ(m.observe(31 * S, rd(0, 0)).kind, Kind::Nothing);
  EXPECT_EQ(m.observe(40 * S, rd(0, 0)).kind, Kind::Nothing);
  EXPECT_EQ(m.observe(45 * S, rd(148, 900)).kind, Kind::PeerBack);
  EXPECT_TRUE(m.alive());
  // And the timer runs again from there.
  EXPECT_EQ(m.observe(74 * S, rd(148, 900)).kind, Kind::Nothing);
  EXPECT_EQ(m.observe(75 * S, rd(148, 900)).kind, Kind::PeerDead);
}

TEST(Dpd, RestartRepeatsEveryTimeoutWhileThePeerStaysSilent) {
  DpdMonitor m({30 * S, DpdAction::Restart});
  m.observe(0, rd(1));
  std::vector<int64_t> kicks;
  for (int64_t t = S; t <= 125 * S; t += S)
    if (m.observe(t, rd(1)).kind == Kind::PeerDead) kicks.push_back(t / S);
  EXPECT_EQ(kicks, (std::vector<int64_t>{30, 60, 90, 120}));
}

TEST(Dpd, NoneIsDeclaredOnceAndChangesNothing) {
  DpdMonitor m({30 * S, DpdAction::None});
  m.observe(0, rd(1));
  EXPECT_EQ(m.observe(30 * S, rd(1)), (DpdStep{Kind::PeerDead, DpdAction::None, 30 * S}));
  EXPECT_EQ(m.observe(90 * S, rd(1)).kind, Kind::Nothing);
  EXPECT_EQ(m.observe(91 * S, rd(2)).kind, Kind::PeerBack);
}

TEST(Dpd, AnUnreadableDeviceIsNeitherNewsNorAReset) {
  DpdMonitor m({30 * S, DpdAction::Clear});
  m.observe(0, rd(100));
  EXPECT_EQ(m.observe(10 * S, {}).kind, Kind::Nothing);
  // Same counters as before the gap: still silent since 0 s.
  EXPECT_EQ(m.observe(30 * S, rd(100)).kind, Kind::PeerDead);
}

TEST(Dpd, StepsReadWell) {
  EXPECT_EQ((DpdStep{Kind::PeerDead, DpdAction::Restart, 30'200'000'000}).str(),
            "peer dead after 30200 ms of silence, action restart");
}

}  // namespace
}  // namespace netlab::tunnel
