// measure::DataPlane on FakeFlowIo: which probes it starts and how, what a
// snapshot and a path are, and the outage arithmetic of a window.
#include <gtest/gtest.h>

#include "netlab/measure/data_plane.h"
#include "support/fake_flow_io.h"
#include "support/fake_kernel.h"

namespace netlab::measure {
namespace {

using netlab::testing::FakeClock;
using netlab::testing::FakeFlowIo;

constexpr int64_t kMs = 1'000'000;

FlowSpec unicast(uint32_t flows) {
  FlowSpec s;
  s.from = {"server", "nl-x-server", *Ipv4::parse("10.0.0.1")};
  s.to = {{"app", "nl-x-app", *Ipv4::parse("10.100.0.2")}};
  s.flows = flows;
  s.port = 47000;
  s.ports_counted = 32;
  s.dir = "/run/x/probe";
  s.prefix = "cut-1";
  return s;
}

std::vector<CountedIface> counted() {
  return {{"nl-x-a", "eth1", "a-b"}, {"nl-x-a", "eth2", "a-c"}, {"nl-x-b", "eth1", "a-b"},
          {"nl-x-c", "eth1", "a-c"}};
}

TEST(DataPlane, StartsCountersThenBothEndsOfEveryFlowAndStopsThemOnce) {
  FakeClock clock;
  FakeFlowIo io(clock);
  {
    DataPlane d(io, unicast(2), counted(), {}, 0.05);
    d.start();
    EXPECT_EQ(io.calls, (std::vector<std::string>{"counters nl-x-a", "counters nl-x-b", "counters nl-x-c",
                                                  "start-probe server probe-0", "start-probe app probe-0",
                                                  "start-probe server probe-1", "start-probe app probe-1"}));
    const ProbeOptions& c1 = io.started[2].options;
    EXPECT_EQ(c1.bind_port, 47001);
    EXPECT_EQ(c1.stream_id, 3u);
    EXPECT_EQ(c1.peer_stream_id, 4u);
    EXPECT_EQ(c1.out, "/run/x/probe/cut-1-server-1.log");
    EXPECT_EQ(io.started[3].options.stream_id, 4u);
    EXPECT_EQ(io.started[3].output, "/run/x/probe/app.out");
    d.stop();
    d.stop();
  }
  // Four stops in all: the destructor found nothing left to stop.
  EXPECT_EQ(std::count_if(io.calls.begin(), io.calls.end(),
                          [](const std::string& c) { return c.starts_with("stop-probe"); }),
            4);
}

TEST(DataPlane, AnAnycastFlowStartsTheReflectorsFirst) {
  FakeClock clock;
  FakeFlowIo io(clock);
  FlowSpec s = unicast(1);
  s.service = *Ipv4::parse("10.200.0.10");
  s.to = {{"app-az1", "nl-x-a1", *s.service}, {"app-az2", "nl-x-a2", *s.service}};
  DataPlane d(io, s, {}, {}, 0.05);
  d.start();
  ASSERT_EQ(io.started.size(), 3u);
  EXPECT_EQ(io.started[0].node, "app-az1");
  EXPECT_EQ(io.started[0].options.mode, ProbeMode::kReflect);
  EXPECT_EQ(io.started[1].options.stream_id, 2u);  // the instance id
  EXPECT_EQ(io.started[2].node, "server");
  EXPECT_EQ(io.started[2].options.mode, ProbeMode::kEcho);
  EXPECT_EQ(io.started[2].options.peer_addr, *s.service);
}

TEST(DataPlane, APathIsTheLinksThatCarriedTheirShareWithoutAccessLinks) {
  FakeClock clock;
  FakeFlowIo io(clock);
  io.link_of["nl-x-a"] = {{"eth1", "a-b"}, {"eth2", "a-c"}};
  io.link_of["nl-x-b"] = {{"eth1", "a-b"}};
  io.link_of["nl-x-c"] = {{"eth1", "a-c"}};
  io.links_at = [](int64_t) { return std::set<std::string>{"a-b", "a-c"}; };
  DataPlane d(io, unicast(1), counted(), {"a-c"}, 0.05);
  Counts c0 = d.snapshot();
  clock.advance(1000 * kMs);
  Counts c1 = d.snapshot();
  EXPECT_EQ(c1.both, (LinkCounts{{"a-b", 2000}, {"a-c", 2000}}));
  EXPECT_EQ(d.path(c0, c1, 1000 * kMs), std::vector<std::string>{"a-b"});
}

TEST(DataPlane, PathsAreBusiestFirstAboveTheShare) {
  LinkCounts d{{"x", 100}, {"y", 2000}, {"z", 2000}, {"w", 5}};
  // 1000 ms at 1 ms: 2000 probes both ways; 5% is 100.
  EXPECT_EQ(path_of(d, 1000, 1, 0.05), (std::vector<std::string>{"y", "z", "x"}));
  EXPECT_EQ(delta({{"x", 5}, {"y", 9}}, {{"x", 7}, {"y", 9}, {"z", 1}}), (LinkCounts{{"x", 2}, {"z", 1}}));
}

TEST(DataPlane, PathsPerDirectionFromTheCountersOfEachDirection) {
  FakeClock clock;
  FakeFlowIo io(clock);
  io.link_of["nl-x-a"] = {{"eth1", "a-b"}, {"eth2", "a-c"}};
  io.link_of["nl-x-b"] = {{"eth1", "a-b"}};
  io.link_of["nl-x-c"] = {{"eth1", "a-c"}};
  // ECMP: forward over a-b, the way back over a-c.
  io.links_at = [](int64_t) { return std::set<std::string>{"a-b"}; };
  io.links_back_at = [](int64_t) { return std::set<std::string>{"a-c"}; };
  DataPlane d(io, unicast(1), counted(), {}, 0.05);
  Counts c0 = d.snapshot();
  clock.advance(1000 * kMs);
  Counts c1 = d.snapshot();
  EXPECT_EQ(d.path(c0, c1, 1000 * kMs), (std::vector<std::string>{"a-b", "a-c"}));
  EXPECT_EQ(d.path(c0, c1, 1000 * kMs, true), std::vector<std::string>{"a-b"});
  EXPECT_EQ(d.path(c0, c1, 1000 * kMs, false), std::vector<std::string>{"a-c"});
}

TEST(DataPlane, WithSeveralFlowsTheShareIsOfAllTheirProbes) {
  // 4 flows, 1000 ms at 1 ms: 8000 probes both ways; 5% is 400. A link with
  // one flow's 5% (100) and a little more is a stray, not the path.
  LinkCounts d{{"x", 150}, {"y", 4000}, {"z", 4000}};
  EXPECT_EQ(path_of(d, 1000, 1, 0.05, 4), (std::vector<std::string>{"y", "z"}));
}

TEST(DataPlane, AFailbackOutageCountsFromTheRepairOnly) {
  DirectionReport r;
  r.window = {10 * kMs, 100 * kMs};
  r.lost = 30;
  r.sent = 90;
  r.runs = {{.first_seq = 1, .lost = 30, .start_ns = 0, .end_ns = 30 * kMs}};
  Outage whole = outage_of(r, 10 * kMs);
  EXPECT_EQ(whole.outage_ms, 30);
  EXPECT_EQ(whole.start_ms, -10);
  Outage clipped = outage_of(r, 10 * kMs, true);
  EXPECT_EQ(clipped.outage_ms, 20);
  EXPECT_EQ(clipped.start_ms, 0);
  EXPECT_EQ(clipped.end_ms, 20);
  EXPECT_EQ(clipped.total_lost, 30u);
}

// Both flows run from t0 for 6 s; the fault at t0 + 1 s, the repair at
// t0 + 4 s, the end at t0 + 6 s.
DataPlaneFigures analysed(FakeFlowIo& io, FakeClock& clock, uint32_t flows) {
  DataPlane d(io, unicast(flows), counted(), {}, 0.05);
  const int64_t t0 = clock.now_ns();
  d.start();
  clock.advance(6000 * kMs);
  d.stop();
  TrialTimes t;
  t.pre = t0, t.pre_end = t0 + 1000 * kMs;
  t.fault = t0 + 1000 * kMs, t.mid = t0 + 2500 * kMs, t.repair = t0 + 4000 * kMs, t.end = t0 + 6000 * kMs;
  return d.analyse(t, {});
}

TEST(DataPlane, LossInOneDirectionShowsNoneInTheOther) {
  FakeClock clock;
  FakeFlowIo io(clock);
  const int64_t t0 = clock.now_ns(), fault = t0 + 1000 * kMs;
  // server -> app blackholed twice: 100 ms from the fault, and 200 ms after
  // a 50 ms gap.
  io.lost = [&](int64_t t, const std::string& from, const std::string&) {
    const int64_t ms = (t - fault) / kMs;
    return from == "server" && t >= fault && (ms < 100 || (ms >= 150 && ms < 350));
  };
  const DataPlaneFigures d = analysed(io, clock, 1);
  EXPECT_EQ(d.forward.outage_ms, 200);
  EXPECT_EQ(d.forward.loss_ms, 300);
  EXPECT_EQ(d.forward.bursts, 2u);
  EXPECT_EQ(d.forward.recovery_ms, 350);
  EXPECT_TRUE(d.forward.recovery_sustained);
  EXPECT_EQ(d.forward.first_lost_ms, 0);
  EXPECT_EQ(d.forward.last_lost_ms, 349);
  EXPECT_EQ(d.reverse.outage_ms, 0);
  EXPECT_EQ(d.reverse.loss_ms, 0);
  EXPECT_EQ(d.reverse.bursts, 0u);
  EXPECT_EQ(d.reverse.recovery_ms, 0);
  EXPECT_FALSE(d.reverse.first_lost_ms);
  EXPECT_FALSE(d.reverse.last_lost_ms);
  EXPECT_TRUE(d.flows.empty());
}

TEST(DataPlane, EveryFlowHasItsFiguresAndTheTrialItsWorst) {
  FakeClock clock;
  FakeFlowIo io(clock);
  const int64_t t0 = clock.now_ns(), fault = t0 + 1000 * kMs;
  // The fake's loss knows no ports: both flows lose the first 100 ms after
  // the fault, server to app.
  io.lost = [&](int64_t t, const std::string& from, const std::string&) {
    return from == "server" && t >= fault && t < fault + 100 * kMs;
  };
  const DataPlaneFigures d = analysed(io, clock, 2);
  ASSERT_EQ(d.flows.size(), 2u);
  for (const auto& f : d.flows) {
    EXPECT_EQ(f.forward.loss_ms, 100) << f.flow;
    EXPECT_EQ(f.forward.bursts, 1u) << f.flow;
    EXPECT_EQ(f.reverse.bursts, 0u) << f.flow;
  }
  EXPECT_EQ(d.forward.loss_ms, 100);
  EXPECT_EQ(d.forward.recovery_ms, 100);
  EXPECT_EQ(d.reverse.loss_ms, 0);
}

}  // namespace
}  // namespace netlab::measure
