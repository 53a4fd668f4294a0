// Anycast probe arithmetic (probe.h, "Anycast probes") on synthetic logs
// whose truth is known by construction: a client in echo mode, instances
// that reflect what reaches them. Forward is the union of the instances'
// receipts; reverse counts only reflections of probes that reached one.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

#include "netlab/base/error.h"
#include "netlab/measure/probe.h"
#include "netlab/measure/probe_runner.h"

namespace netlab::measure {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr int64_t kI = 1'000'000;        // 1 ms
constexpr int64_t kT0 = 10'000'000'000;  // the first send
constexpr int64_t kOneWay = 40'000;      // 40 us each way
constexpr int64_t kReflect = 5'000;      // the reflector's turnaround

const Ipv4 kClient = *Ipv4::parse("10.0.0.2");
const Ipv4 kService = *Ipv4::parse("10.200.0.10");

ProbeHeader client_header() {
  return {.stream_id = 1, .mode = ProbeMode::kEcho, .interval_ns = kI, .bind_addr = kClient,
          .bind_port = 47000, .peer_addr = kService, .peer_port = 47000};
}

ProbeHeader instance_header(uint32_t id) {
  return {.stream_id = id, .peer_stream_id = 1, .mode = ProbeMode::kReflect, .interval_ns = kI,
          .bind_addr = kService, .bind_port = 47000, .peer_addr = kClient, .peer_port = 47000};
}

// n probes, one per interval. `where(seq)`: the instance (index) that gets
// it, or -1 when it reaches none. `back(seq)`: whether its reflection comes
// back to the client. Every log covers all of it (ended cleanly).
struct Logs {
  ProbeLog client;
  std::vector<ProbeLog> instances;
};

Logs simulate(uint64_t n, size_t ninstances, const std::function<int(uint64_t)>& where,
             const std::function<bool(uint64_t)>& back = {}) {
  Logs r;
  r.client.header = client_header();
  for (size_t i = 0; i < ninstances; ++i) r.instances.push_back({.header = instance_header(uint32_t(i + 1))});
  for (uint64_t seq = 0; seq < n; ++seq) {
    const int64_t tx = kT0 + int64_t(seq) * kI;
    r.client.sent.push_back({.seq = seq, .tx_ns = tx});
    const int at = where(seq);
    if (at < 0) continue;
    ProbeLog& inst = r.instances.at(size_t(at));
    const int64_t rx = tx + kOneWay, rtx = rx + kReflect;
    inst.received.push_back({.seq = seq, .tx_ns = tx, .rx_ns = rx});
    inst.reflected.push_back({.seq = seq, .reflect_tx_ns = rtx, .tx_ns = tx});
    if (!back || back(seq))
      r.client.echoed.push_back({.seq = seq, .reflect_tx_ns = rtx, .rx_ns = rtx + kOneWay, .instance = uint32_t(at + 1)});
  }
  const int64_t end = kT0 + int64_t(n) * kI + 100 * kI;
  r.client.covered_until_ns = end;
  for (auto& inst : r.instances) inst.covered_until_ns = end;
  return r;
}

int64_t tx(uint64_t seq) { return kT0 + int64_t(seq) * kI; }
int64_t rtx(uint64_t seq) { return tx(seq) + kOneWay + kReflect; }

TEST(AnycastForward, IsTheUnionOfTheInstancesReceipts) {
  // Even seqs to instance 0, odd to instance 1: neither alone has the
  // stream, together they have all of it.
  Logs r = simulate(1000, 2, [](uint64_t s) { return int(s % 2); });
  DirectionReport f = analyze_anycast_forward(r.client, r.instances, {});
  EXPECT_EQ(f.sent, 1000u);
  EXPECT_EQ(f.received, 1000u);
  EXPECT_THAT(f.runs, IsEmpty());
  EXPECT_EQ(f.duplicates, 0u);
  EXPECT_TRUE(f.reachable);
}

TEST(AnycastForward, LossIsAProbeNoInstanceGot) {
  // Instance 0 serves until seq 300 and is lost; routing moves the service
  // to instance 1 from seq 450: 150 probes reached nobody.
  Logs r = simulate(1000, 2, [](uint64_t s) { return s < 300 ? 0 : s < 450 ? -1 : 1; });
  DirectionReport f = analyze_anycast_forward(r.client, r.instances, {});
  ASSERT_EQ(f.runs.size(), 1u);
  EXPECT_EQ(f.runs[0].first_seq, 300u);
  EXPECT_EQ(f.runs[0].lost, 150u);
  EXPECT_EQ(f.outage_ns(), 150 * kI);  // tx(450) - tx(299) - I
  EXPECT_EQ(f.lost, 150u);
  EXPECT_FALSE(f.runs[0].open);
}

TEST(AnycastForward, AProbeTwoInstancesGotCountsOnceAsADuplicate) {
  Logs r = simulate(100, 2, [](uint64_t) { return 0; });
  r.instances[1].received.push_back({.seq = 50, .tx_ns = tx(50), .rx_ns = tx(50) + kOneWay});
  DirectionReport f = analyze_anycast_forward(r.client, r.instances, {});
  EXPECT_EQ(f.received, 100u);
  EXPECT_EQ(f.duplicates, 1u);
}

TEST(AnycastForward, EvidenceEndsWithTheFirstInstanceLogToEnd) {
  // Instance 1 wrote its log up to seq 500 only: later probes may be on
  // their way to it, so none of them is judged lost.
  Logs r = simulate(1000, 2, [](uint64_t s) { return s < 600 ? int(s % 2) : -1; });
  r.instances[1].covered_until_ns = tx(500);
  DirectionReport f = analyze_anycast_forward(r.client, r.instances, {}, {.in_flight_ns = 0});
  EXPECT_EQ(f.window.end_ns, tx(500));
  EXPECT_THAT(f.runs, IsEmpty());
}

TEST(AnycastReverse, CountsOnlyReflectionsOfProbesThatArrived) {
  // Forward loses 100..199; the way back loses the reflections of 400..449.
  Logs r = simulate(1000, 1, [](uint64_t s) { return s >= 100 && s < 200 ? -1 : 0; },
                   [](uint64_t s) { return s < 400 || s >= 450; });
  DirectionReport f = analyze_anycast_forward(r.client, r.instances, {});
  DirectionReport v = analyze_anycast_reverse(r.client, r.instances, {});
  EXPECT_EQ(f.lost, 100u);
  EXPECT_EQ(v.sent, 900u);  // reflections: only of probes that arrived
  EXPECT_EQ(v.lost, 50u);
  EXPECT_EQ(v.received, 850u);
  ASSERT_EQ(v.runs.size(), 1u);
  EXPECT_EQ(v.runs[0].first_seq, 400u);
  EXPECT_EQ(v.runs[0].lost, 50u);
  EXPECT_EQ(v.runs[0].start_ns, rtx(400));
  EXPECT_EQ(v.runs[0].end_ns, rtx(450));  // the next reflection that came back
  EXPECT_EQ(v.outage_ns(), 50 * kI);
  EXPECT_FALSE(v.runs[0].open);
  EXPECT_TRUE(v.reachable);
}

TEST(AnycastReverse, ARunStopsWhereProbesStopArriving) {
  // Reflections of 300..309 lost, then nothing arrives (300 ms of forward
  // loss), then all is well: the way back is not observed during the
  // forward outage, so the reverse run is 10 probes long, not 310.
  Logs r = simulate(1000, 2, [](uint64_t s) { return s < 310 ? 0 : s < 610 ? -1 : 1; },
                   [](uint64_t s) { return s < 300 || s >= 310; });
  DirectionReport v = analyze_anycast_reverse(r.client, r.instances, {});
  ASSERT_EQ(v.runs.size(), 1u);
  EXPECT_EQ(v.runs[0].lost, 10u);
  EXPECT_EQ(v.runs[0].start_ns, rtx(300));
  EXPECT_EQ(v.runs[0].end_ns, rtx(309) + kI);
  EXPECT_FALSE(v.runs[0].open);
  EXPECT_EQ(analyze_anycast_forward(r.client, r.instances, {}).outage_ns(), 300 * kI);
}

TEST(AnycastReverse, NoReflectionBackUntilTheEndIsOpen) {
  Logs r = simulate(1000, 1, [](uint64_t) { return 0; }, [](uint64_t s) { return s < 700; });
  DirectionReport v = analyze_anycast_reverse(r.client, r.instances, {});
  ASSERT_EQ(v.runs.size(), 1u);
  EXPECT_TRUE(v.runs[0].open);
  EXPECT_EQ(v.runs[0].first_seq, 700u);
  EXPECT_EQ(v.runs[0].lost, 300u);
  EXPECT_EQ(v.runs[0].end_ns, v.window.end_ns);  // to the end of the evidence
}

TEST(AnycastReverse, ReflectionsNotInTheInstancesLogYetAreKnownFromTheClient) {
  // The instance's log lags behind: the client has echoes its log lacks.
  Logs r = simulate(100, 1, [](uint64_t) { return 0; });
  r.instances[0].reflected.resize(50);
  DirectionReport v = analyze_anycast_reverse(r.client, r.instances, {});
  EXPECT_EQ(v.sent, 100u);
  EXPECT_EQ(v.lost, 0u);
}

TEST(AnycastReverse, WindowCountsBySendTimeAndReportsOverlappingRunsWhole) {
  Logs r = simulate(1000, 1, [](uint64_t) { return 0; }, [](uint64_t s) { return s < 400 || s >= 450; });
  DirectionReport v = analyze_anycast_reverse(r.client, r.instances, {tx(420), tx(800)});
  ASSERT_EQ(v.runs.size(), 1u);
  EXPECT_EQ(v.runs[0].lost, 50u);  // whole
  EXPECT_EQ(v.lost, 30u);          // 420..449 were sent in the window
}

TEST(AnycastServedBy, CountsDistinctProbesPerInstanceInTheWindow) {
  Logs r = simulate(1000, 3, [](uint64_t s) { return s < 500 ? int(s % 3) : int(s % 2); });
  EXPECT_THAT(served_by(r.instances, {tx(500), tx(1000)}), ElementsAre(250u, 250u, 0u));
  EXPECT_THAT(served_by(r.instances, {tx(0), tx(300)}), ElementsAre(100u, 100u, 100u));
}

TEST(AnycastLogs, MustBelongTogether) {
  Logs r = simulate(10, 1, [](uint64_t) { return 0; });
  Logs bad = r;
  bad.instances[0].header.peer_stream_id = 7;  // reflects another stream
  EXPECT_THROW(analyze_anycast_forward(bad.client, bad.instances, {}), Error);
  bad = r;
  bad.instances[0].header.mode = ProbeMode::kStream;
  EXPECT_THROW(analyze_anycast_reverse(bad.client, bad.instances, {}), Error);
  bad = r;
  bad.client.header.mode = ProbeMode::kStream;
  EXPECT_THROW(analyze_anycast_forward(bad.client, bad.instances, {}), Error);
  EXPECT_THROW(analyze_anycast_forward(r.client, {}, {}), Error);
}

TEST(ProbeOptionsModes, EchoAndReflectParseBackAndAreChecked) {
  ProbeOptions o{.bind_addr = kService, .bind_port = 47000, .peer_addr = kClient, .peer_port = 47000,
                 .interval_ns = kI, .out = "x", .stream_id = 2, .peer_stream_id = 1,
                 .mode = ProbeMode::kReflect};
  EXPECT_EQ(parse_probe_args(probe_args(o)), o);
  o.peer_stream_id = 0;  // a reflector must know the stream it reflects
  EXPECT_THROW(parse_probe_args(probe_args(o)), InputError);
  o.mode = ProbeMode::kEcho;
  EXPECT_EQ(parse_probe_args(probe_args(o)), o);
  o.peer_stream_id = 3;  // an echo client receives its own stream
  EXPECT_THROW(parse_probe_args(probe_args(o)), InputError);
  const std::vector<std::string> both = {"--bind", "10.0.0.1:1", "--peer", "10.0.0.2:2", "--interval-us",
                                         "1000", "--out", "x", "--echo", "--reflect", "--peer-stream-id", "1"};
  EXPECT_THROW(parse_probe_args(both), InputError);
}

}  // namespace
}  // namespace netlab::measure
