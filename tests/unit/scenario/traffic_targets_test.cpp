// The traffic targets (min/max_delivered_pct, max_loss_pct, mtu_ok): the
// worst stream of the worst trial decides; a window that was not measured,
// or in which nothing was offered, decides nothing.
#include <gtest/gtest.h>

#include "netlab/scenario/results.h"

namespace netlab::scenario {
namespace {

TrafficFigures window(uint64_t sent, uint64_t received, double offered_mbit, double delivered_mbit) {
  TrafficFigures w;
  w.measured = true;
  w.seconds = 2.5;
  w.sent = sent;
  w.received = received;
  w.offered_mbit = offered_mbit;
  w.offered_pps = static_cast<double>(sent) / w.seconds;
  w.delivered_mbit = delivered_mbit;
  w.delivered_pct = sent ? 100.0 * static_cast<double>(received) / static_cast<double>(sent) : 0;
  w.loss_pct = sent ? 100.0 - w.delivered_pct : 0;
  return w;
}

TrafficTrial udp(const std::string& name, uint64_t sent, uint64_t received) {
  TrafficTrial s;
  s.name = name;
  s.protocol = "udp";
  s.size = 1200;
  s.before = window(1000, 1000, 30, 30);
  s.during = window(sent, received, 30, 30.0 * static_cast<double>(received) / static_cast<double>(sent ? sent : 1));
  s.after = window(1000, 1000, 30, 30);
  return s;
}

Trial with(int index, std::vector<TrafficTrial> traffic) {
  Trial t;
  t.index = index;
  t.traffic = std::move(traffic);
  return t;
}

const Target& named(const ScenarioResult& r, const std::string& name) {
  for (const auto& t : r.targets)
    if (t.name == name) return t;
  throw std::runtime_error("no target " + name);
}

TEST(TrafficTargets, TheWorstStreamOfTheWorstTrialDecides) {
  topology::Expect e;
  e.min_delivered_pct = 60;
  e.max_loss_pct = 40;
  ScenarioResult r;
  r.trials = {with(1, {udp("bulk", 1000, 900), udp("small", 1000, 990)}), with(2, {udp("bulk", 1000, 650)})};
  evaluate(e, r);
  EXPECT_EQ(named(r, "min_delivered_pct").verdict, Verdict::Pass);
  EXPECT_EQ(named(r, "min_delivered_pct").measured, "65.0");
  EXPECT_EQ(named(r, "max_loss_pct").verdict, Verdict::Pass);
  EXPECT_EQ(named(r, "max_loss_pct").measured, "35.0");

  r.trials.push_back(with(3, {udp("bulk", 1000, 500)}));
  evaluate(e, r);
  EXPECT_EQ(named(r, "min_delivered_pct").verdict, Verdict::Fail);
  EXPECT_EQ(named(r, "min_delivered_pct").detail, "trial 3, bulk: 50.0 %");
  EXPECT_EQ(named(r, "max_loss_pct").verdict, Verdict::Fail);
}

TEST(TrafficTargets, AnUpperBoundOnDeliveryStatesADesignLesson) {
  // "The VGW's single tunnel carries at most 30 % of what the DX carried."
  topology::Expect e;
  e.max_delivered_pct = 30;
  ScenarioResult r;
  r.trials = {with(1, {udp("bulk", 1000, 125)})};
  evaluate(e, r);
  EXPECT_EQ(named(r, "max_delivered_pct").verdict, Verdict::Pass);
  EXPECT_EQ(named(r, "max_delivered_pct").measured, "12.5");
  r.trials = {with(1, {udp("bulk", 1000, 400)})};
  evaluate(e, r);
  EXPECT_EQ(named(r, "max_delivered_pct").verdict, Verdict::Fail);
}

TEST(TrafficTargets, AWindowNotMeasuredOrNothingOfferedDecidesNothing) {
  topology::Expect e;
  e.min_delivered_pct = 10;
  e.max_loss_pct = 50;
  e.mtu_ok = true;
  ScenarioResult r;
  TrafficTrial lost_log = udp("bulk", 1000, 1000);
  lost_log.during = TrafficFigures{};
  lost_log.during.why_not = "the receiver's log ends before the window";
  r.trials = {with(1, {lost_log})};
  evaluate(e, r);
  for (const char* name : {"min_delivered_pct", "max_loss_pct", "mtu_ok"}) {
    EXPECT_EQ(named(r, name).verdict, Verdict::Inconclusive) << name;
    EXPECT_NE(named(r, name).detail.find("the receiver's log ends before the window"), std::string::npos) << name;
  }
  r.trials = {with(1, {udp("bulk", 0, 0)})};  // the sender sent nothing
  evaluate(e, r);
  EXPECT_EQ(named(r, "min_delivered_pct").verdict, Verdict::Inconclusive);
  EXPECT_EQ(named(r, "mtu_ok").verdict, Verdict::Inconclusive);
  r.trials = {with(1, {})};
  evaluate(e, r);
  EXPECT_EQ(named(r, "min_delivered_pct").detail, "trial 1: no traffic was measured");
}

TEST(TrafficTargets, MtuOkTellsABlackholeFromALearntPathMtu) {
  topology::Expect e;
  e.mtu_ok = true;
  ScenarioResult r;
  TrafficTrial hole = udp("jumbo", 1000, 0);
  hole.size = 8500;
  r.trials = {with(1, {hole})};
  evaluate(e, r);
  EXPECT_EQ(named(r, "mtu_ok").verdict, Verdict::Fail);
  EXPECT_EQ(named(r, "mtu_ok").measured, "false");
  EXPECT_NE(named(r, "mtu_ok").detail.find("no ICMP came back: a blackhole"), std::string::npos);

  TrafficTrial learnt = hole;
  learnt.during.emsgsize = 900;  // every send refused: none accepted, all offered
  learnt.during.sent = 0;
  learnt.during.path_mtu = 1446;
  r.trials = {with(1, {learnt})};
  evaluate(e, r);
  EXPECT_NE(named(r, "mtu_ok").detail.find("the sender learnt path MTU 1446"), std::string::npos);

  // The lesson asserted: the blackhole is expected.
  e.mtu_ok = false;
  r.trials = {with(1, {hole}), with(2, {hole})};
  evaluate(e, r);
  EXPECT_EQ(named(r, "mtu_ok").verdict, Verdict::Pass);
  r.trials.push_back(with(3, {udp("jumbo", 1000, 10)}));
  evaluate(e, r);
  EXPECT_EQ(named(r, "mtu_ok").verdict, Verdict::Fail);
  EXPECT_EQ(named(r, "mtu_ok").measured, "mixed");
}

TEST(TrafficTargets, TcpIsJudgedOnGoodputAgainstTheBaseline) {
  TrafficTrial s;
  s.name = "bulk";
  s.protocol = "tcp";
  s.before = window(0, 0, 0, 80);
  s.during = window(0, 0, 0, 20);
  EXPECT_EQ(s.delivered_pct(), 25.0);
  EXPECT_EQ(s.mtu_ok(), true);
  topology::Expect e;
  e.max_loss_pct = 1;
  ScenarioResult r;
  r.trials = {with(1, {s})};
  evaluate(e, r);
  EXPECT_EQ(named(r, "max_loss_pct").verdict, Verdict::Inconclusive);  // TCP retransmits: no loss figure
  s.before.measured = false;
  EXPECT_FALSE(s.delivered_pct());
}

}  // namespace
}  // namespace netlab::scenario
