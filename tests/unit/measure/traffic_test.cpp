// netlab-traffic without running it: its command line (what traffic_args()
// builds parses back to the same options; every mistake is an InputError),
// the pacing arithmetic, and the figures of a window computed from crafted
// logs, including the logs that cannot be measured (missing, truncated,
// too few samples), which must say so rather than read as 0.
#include "netlab/measure/traffic.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "netlab/base/error.h"
#include "netlab/measure/traffic_figures.h"
#include "netlab/measure/traffic_io.h"
#include "support/fake_traffic_io.h"

namespace netlab::measure {
namespace {

using Args = std::vector<std::string>;
using ::testing::HasSubstr;

TrafficOptions parse(const Args& a) { return parse_traffic_args(a); }

TEST(TrafficOptions, ParsesASender) {
  const TrafficOptions o =
      parse({"--send", "10.0.0.2:5000", "--bind", "10.0.0.1", "--out", "/tmp/s.log", "--flows", "4",
             "--rate-bps", "30000000", "--pps", "2000", "--size", "1500", "--df"});
  EXPECT_EQ(o.role, TrafficRole::Send);
  EXPECT_EQ(o.addr, *Ipv4::parse("10.0.0.2"));
  EXPECT_EQ(o.port, 5000);
  EXPECT_EQ(o.bind, *Ipv4::parse("10.0.0.1"));
  EXPECT_EQ(o.flows, 4u);
  EXPECT_EQ(o.rate_bps, 30'000'000u);
  EXPECT_EQ(o.pps, 2000u);
  EXPECT_EQ(o.size, 1500u);
  EXPECT_TRUE(o.df);
  EXPECT_FALSE(o.tcp);
}

TEST(TrafficOptions, RoundTripsEveryShape) {
  const Ipv4 a = *Ipv4::parse("10.1.0.1"), b = *Ipv4::parse("10.2.0.1");
  const std::vector<TrafficOptions> all = {
      {.role = TrafficRole::Send,
       .addr = b,
       .port = 5000,
       .bind = a,
       .rate_bps = 20'000'000,
       .out = "/x/s.log"},
      {.role = TrafficRole::Send,
       .addr = b,
       .port = 6000,
       .bind = a,
       .flows = 8,
       .pps = 1000,
       .size = 9000,
       .df = true,
       .realtime = true,
       .out = "/x/s.log"},
      {.role = TrafficRole::Send,
       .tcp = true,
       .addr = b,
       .port = 7000,
       .bind = a,
       .flows = 2,
       .out = "/x/s.log"},
      {.role = TrafficRole::Send,
       .tcp = true,
       .addr = b,
       .port = 7000,
       .bind = a,
       .rate_bps = 5'000'000,
       .out = "/x/s.log"},
      {.role = TrafficRole::Recv, .addr = b, .port = 5000, .flows = 3, .out = "/x/r.log"},
      {.role = TrafficRole::Recv, .tcp = true, .addr = b, .port = 65535, .out = "/x/r.log"},
  };
  for (const auto& o : all) {
    const Args args = traffic_args(o);
    EXPECT_EQ(parse(args), o) << ::testing::PrintToString(args);
  }
}

TEST(TrafficOptions, RejectsMistakesNamingThem) {
  auto err = [](const Args& a) {
    try {
      parse_traffic_args(a);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  const Args send = {"--send", "10.0.0.2:5000", "--bind", "10.0.0.1", "--out", "/tmp/s"};
  auto with = [&](Args extra) {
    Args a = send;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  EXPECT_THAT(err({"--out", "/tmp/x"}), HasSubstr("--send or --recv is required"));
  EXPECT_THAT(err({"--recv", "10.0.0.2:5000"}), HasSubstr("--out is required"));
  EXPECT_THAT(err(send), HasSubstr("needs --rate-bps or --pps"));
  EXPECT_THAT(err({"--send", "10.0.0.2:5000", "--out", "/x", "--pps", "10"}),
              HasSubstr("--send needs --bind"));
  EXPECT_THAT(err(with({"--size", "63", "--pps", "1"})), HasSubstr("--size 63"));
  EXPECT_THAT(err(with({"--size", "65536", "--pps", "1"})), HasSubstr("--size 65536"));
  EXPECT_EQ(parse(with({"--size", "65535", "--pps", "1"})).size, 65535u);
  EXPECT_THAT(err(with({"--flows", "0", "--pps", "1"})), HasSubstr("--flows 0"));
  EXPECT_THAT(err(with({"--pps", "x"})), HasSubstr("--pps x"));
  EXPECT_THAT(err(with({"--rate-bps"})), HasSubstr("--rate-bps: missing value"));
  EXPECT_THAT(err(with({"--tcp", "--df"})), HasSubstr("for UDP"));
  EXPECT_THAT(err(with({"--tcp", "--pps", "5"})), HasSubstr("for UDP"));
  EXPECT_THAT(err(with({"--tcp", "--rt"})), HasSubstr("for UDP"));
  EXPECT_THAT(err(with({"--bogus"})), HasSubstr("unknown argument '--bogus'"));
  EXPECT_THAT(err({"--send", "10.0.0.2", "--bind", "10.0.0.1", "--out", "/x", "--pps", "1"}),
              HasSubstr("expected ADDR:PORT"));
  EXPECT_THAT(err({"--send", "10.0.0.300:5", "--bind", "10.0.0.1", "--out", "/x", "--pps", "1"}),
              HasSubstr("not an IPv4 address"));
  EXPECT_THAT(err({"--send", "10.0.0.3:0", "--bind", "10.0.0.1", "--out", "/x", "--pps", "1"}),
              HasSubstr("1..65535"));
  EXPECT_THAT(err({"--recv", "10.0.0.2:65535", "--flows", "2", "--out", "/x"}),
              HasSubstr("beyond 65535"));
  EXPECT_THAT(err({"--recv", "10.0.0.2:5000", "--out", "/x", "--pps", "3"}),
              HasSubstr("are for --send"));
  EXPECT_THAT(err({"--recv", "10.0.0.2:5000", "--out", "/x", "--bind", "10.0.0.1"}),
              HasSubstr("--bind is for --send"));
  EXPECT_THAT(err({"--recv", "1.1.1.1:1", "--send", "1.1.1.1:1", "--out", "/x"}),
              HasSubstr("exclude each other"));
}

TEST(TrafficPacing, TheLowerLimitGovernsInWholeBatches) {
  // 30 Mbit/s of 1200-byte datagrams: 3125 packets/s, 320 us apart, sent
  // 4 at a time (the shortest tick is 1 ms) every 1.28 ms.
  TrafficPacing p = traffic_pacing(30'000'000, 0, 1200);
  EXPECT_DOUBLE_EQ(p.pps, 3125);
  EXPECT_DOUBLE_EQ(p.interval_ns, 320'000);
  EXPECT_EQ(p.batch, 4u);
  EXPECT_DOUBLE_EQ(p.tick_ns, 1'280'000);
  EXPECT_DOUBLE_EQ(p.pps * p.tick_ns / 1e9, p.batch);  // the rate is exact

  p = traffic_pacing(30'000'000, 1000, 1200);  // the pps limit is lower
  EXPECT_DOUBLE_EQ(p.pps, 1000);
  EXPECT_EQ(p.batch, 1u);
  EXPECT_DOUBLE_EQ(p.tick_ns, 1'000'000);

  p = traffic_pacing(1'000'000, 100'000, 1250);  // the rate is lower: 100 pps
  EXPECT_DOUBLE_EQ(p.pps, 100);
  EXPECT_EQ(p.batch, 1u);
  EXPECT_DOUBLE_EQ(p.tick_ns, 10'000'000);

  p = traffic_pacing(0, 10, 1200);  // below the shortest tick: one packet a tick
  EXPECT_EQ(p.batch, 1u);
  EXPECT_DOUBLE_EQ(p.tick_ns, 100'000'000);

  p = traffic_pacing(200'000'000, 0, 1200);  // 20 833 pps: 21 a tick
  EXPECT_EQ(p.batch, 21u);
  EXPECT_NEAR(p.tick_ns, 1'008'000, 1);

  EXPECT_THROW(traffic_pacing(0, 0, 1200), InputError);
}

// ------------------------------------------------------------------ logs

constexpr int64_t kS = 1'000'000'000;
constexpr int64_t kT0 = 1000 * kS;  // the logs' first sample

// A sender log of `seconds` at `pps` of `size` bytes, sampled every 50 ms
// from kT0, with `emsgsize_pps` refused sends too, and an end record.
std::string sender_log(double seconds, double pps, uint32_t size = 1200, double emsgsize_pps = 0,
                       uint32_t mtu = 1500, bool end = true, bool tcp = false) {
  std::string s = std::string("netlab-traffic 1 send ") + (tcp ? "tcp" : "udp") +
                  " flows=1 size=" + std::to_string(size) +
                  " rate_bps=0 pps=0 df=1 addr=10.0.0.2 port=5000 bind=10.0.0.1\n";
  const int n = static_cast<int>(seconds * 20);
  for (int i = 0; i <= n; ++i) {
    const int64_t t = kT0 + i * 50'000'000LL;
    const auto pk = static_cast<uint64_t>(pps * i / 20);
    const auto em = static_cast<uint64_t>(emsgsize_pps * i / 20);
    char line[200];
    std::snprintf(line, sizeof line, "%c %lld %llu %llu %llu 0 %u 0\n",
                  i == 0 ? 'b' : (i == n && end ? 'e' : 's'), static_cast<long long>(t),
                  static_cast<unsigned long long>(pk), static_cast<unsigned long long>(pk * size),
                  static_cast<unsigned long long>(em), mtu);
    s += line;
  }
  return s;
}

// A receiver log sampled every 50 ms from kT0 + 10 ms: `pps` received out
// of `expected_pps` in the sequence.
std::string receiver_log(double seconds, double pps, double expected_pps, uint32_t size = 1200,
                         bool end = true) {
  std::string s =
      "netlab-traffic 1 recv udp flows=1 size=1200 rate_bps=0 pps=0 df=0 addr=10.0.0.2 "
      "port=5000 bind=0.0.0.0\n";
  const int n = static_cast<int>(seconds * 20);
  for (int i = 0; i <= n; ++i) {
    const int64_t t = kT0 + 10'000'000 + i * 50'000'000LL;
    const auto pk = static_cast<uint64_t>(pps * i / 20);
    const auto ex = static_cast<uint64_t>(expected_pps * i / 20);
    char line[200];
    std::snprintf(line, sizeof line, "%c %lld %llu %llu %llu 0\n",
                  i == 0 ? 'b' : (i == n && end ? 'e' : 's'), static_cast<long long>(t),
                  static_cast<unsigned long long>(pk), static_cast<unsigned long long>(pk * size),
                  static_cast<unsigned long long>(ex));
    s += line;
  }
  return s;
}

TEST(TrafficLog, ParsesHeaderRecordsAndFlowTotals) {
  const TrafficLog log = parse_traffic_log(
      "netlab-traffic 1 send udp flows=2 size=1400 rate_bps=30000000 pps=0 df=1 addr=10.0.0.2 "
      "port=5000 bind=10.0.0.1\n"
      "b 100 2 2800 0 0 1500 0\n"
      "s 150 10 14000 3 1 1400 2\n"
      "x unknown kinds are skipped\n"
      "f 0 5 7000 2 1400\n"
      "f 1 5 7000 1 1500\n"
      "e 160 10 14000 3 1 1400 2\n"
      "s 170 1");  // a partial last line: ignored
  EXPECT_TRUE(log.exists);
  EXPECT_EQ(log.error, "");
  EXPECT_EQ(log.role, TrafficRole::Send);
  EXPECT_FALSE(log.tcp);
  EXPECT_EQ(log.flows, 2u);
  EXPECT_EQ(log.size, 1400u);
  EXPECT_EQ(log.rate_bps, 30'000'000u);
  EXPECT_TRUE(log.df);
  ASSERT_EQ(log.samples.size(), 3u);
  EXPECT_EQ(log.samples[1], (TrafficSample{.kind = 's',
                                           .t_ns = 150,
                                           .packets = 10,
                                           .bytes = 14000,
                                           .emsgsize = 3,
                                           .errors = 1,
                                           .late = 2,
                                           .path_mtu = 1400}));
  EXPECT_TRUE(log.ended);
  ASSERT_EQ(log.flow_totals.size(), 2u);
  EXPECT_EQ(log.flow_totals[0].emsgsize, 2u);
  EXPECT_EQ(log.flow_totals[1].path_mtu, 1500u);

  EXPECT_THAT(parse_traffic_log("hello\n").error, HasSubstr("bad header"));
  EXPECT_THAT(parse_traffic_log("").error, HasSubstr("no header"));
  EXPECT_THAT(parse_traffic_log("netlab-traffic 1 recv udp\nb 1 2\n").error,
              HasSubstr("bad record on line 2"));
  EXPECT_FALSE(read_traffic_log("/nonexistent/traffic.log").exists);
}

TEST(TrafficWindow, RatesComeFromTheSamplesInsideTheWindow) {
  // 3125 pps of 1200 bytes = 30 Mbit/s offered; 2083.3 pps delivered
  // (20 Mbit/s), the rest missing from the sequence.
  const TrafficLog s = parse_traffic_log(sender_log(10, 3125));
  const TrafficLog r = parse_traffic_log(receiver_log(10, 2000, 3125));
  // [2 s, 6 s]: sender samples at 2.00 .. 6.00 s, receiver at 2.01 .. 5.96 s.
  const TrafficWindow w = traffic_window(s, r, kT0 + 2 * kS, kT0 + 6 * kS);
  ASSERT_TRUE(w.measured) << w.why_not;
  EXPECT_FALSE(w.tcp);
  EXPECT_DOUBLE_EQ(w.seconds, 4.0);
  EXPECT_NEAR(w.offered_mbit, 30.0, 0.01);
  EXPECT_NEAR(w.offered_pps, 3125, 0.5);
  EXPECT_NEAR(w.delivered_pps, 2000, 0.5);
  EXPECT_NEAR(w.delivered_mbit, 19.2, 0.01);
  EXPECT_NEAR(w.delivered_pct, 64.0, 0.05);
  EXPECT_NEAR(w.loss_pct, 36.0, 0.05);
  EXPECT_EQ(w.sent, 12500u);
  EXPECT_EQ(w.received, 7900u);  // 3.95 s of receiver samples
  EXPECT_EQ(w.emsgsize, 0u);
  EXPECT_EQ(w.path_mtu, 1500u);
}

TEST(TrafficWindow, RefusedSendsAreOfferedAndNothingDelivered) {
  // DF datagrams above the path MTU: the kernel refuses every one.
  const TrafficLog s = parse_traffic_log(sender_log(4, 0, 1500, 1000, 1400));
  const TrafficLog r = parse_traffic_log(receiver_log(4, 0, 0));
  const TrafficWindow w = traffic_window(s, r, kT0, kT0 + 4 * kS);
  ASSERT_TRUE(w.measured) << w.why_not;
  EXPECT_EQ(w.sent, 0u);
  EXPECT_EQ(w.emsgsize, 4000u);
  EXPECT_NEAR(w.offered_pps, 1000, 0.01);
  EXPECT_NEAR(w.offered_mbit, 12.0, 0.01);
  EXPECT_EQ(w.delivered_pct, 0);
  EXPECT_EQ(w.loss_pct, 100);
  EXPECT_EQ(w.path_mtu, 1400u);
}

TEST(TrafficWindow, NothingArrivingIsAHundredPercentLoss) {
  const TrafficLog s = parse_traffic_log(sender_log(4, 1000));
  const TrafficLog r = parse_traffic_log(receiver_log(4, 0, 0));
  const TrafficWindow w = traffic_window(s, r, kT0, kT0 + 4 * kS);
  ASSERT_TRUE(w.measured);
  EXPECT_EQ(w.delivered_pct, 0);
  EXPECT_EQ(w.loss_pct, 100);
}

TEST(TrafficWindow, TcpReportsGoodputOnly) {
  const TrafficLog s = parse_traffic_log(sender_log(4, 100, 1200, 0, 1500, true, true));
  const TrafficLog r = parse_traffic_log(receiver_log(4, 100, 0));
  const TrafficWindow w = traffic_window(s, r, kT0, kT0 + 4 * kS);
  ASSERT_TRUE(w.measured) << w.why_not;
  EXPECT_TRUE(w.tcp);
  EXPECT_NEAR(w.delivered_mbit, 0.96, 0.001);  // the goodput
  EXPECT_EQ(w.delivered_pct, 0);
  EXPECT_EQ(w.received, 395u * 1200);  // bytes, 3.95 s of receiver samples
}

TEST(TrafficWindow, NotMeasuredSaysWhy) {
  const TrafficLog s = parse_traffic_log(sender_log(4, 1000));
  const TrafficLog r = parse_traffic_log(receiver_log(4, 1000, 1000));
  auto why = [](const TrafficWindow& w) {
    EXPECT_FALSE(w.measured);
    EXPECT_EQ(w.delivered_pct, 0);
    return w.why_not;
  };
  EXPECT_THAT(why(traffic_window(TrafficLog{}, r, kT0, kT0 + kS)), HasSubstr("sender log missing"));
  EXPECT_THAT(why(traffic_window(s, TrafficLog{}, kT0, kT0 + kS)),
              HasSubstr("receiver log missing"));
  const TrafficLog cut = parse_traffic_log(sender_log(4, 1000, 1200, 0, 1500, false));
  EXPECT_THAT(why(traffic_window(cut, r, kT0, kT0 + kS)), HasSubstr("truncated"));
  EXPECT_THAT(why(traffic_window(parse_traffic_log("junk\n"), r, kT0, kT0 + kS)),
              HasSubstr("bad header"));
  // 40 ms: at most one sample of each.
  EXPECT_THAT(why(traffic_window(s, r, kT0 + kS + 1, kT0 + kS + 40'000'000)),
              HasSubstr("sender log: 0 sample(s) in the window"));
  EXPECT_THAT(why(traffic_window(s, r, kT0 + kS, kT0 + kS + 40'000'000)),
              HasSubstr("sender log: 1 sample(s)"));
  // After both stopped.
  EXPECT_THAT(why(traffic_window(s, r, kT0 + 10 * kS, kT0 + 20 * kS)), HasSubstr("0 sample(s)"));
  EXPECT_THAT(why(traffic_window(s, r, kT0 + kS, kT0)), HasSubstr("empty window"));
  const TrafficLog idle = parse_traffic_log(sender_log(4, 0));
  EXPECT_THAT(why(traffic_window(idle, r, kT0, kT0 + kS)), HasSubstr("attempted no send"));
}

// --------------------------------------------------------------- the seam

TEST(TrafficSpec, BecomesTheProgramsOptions) {
  TrafficSpec spec{.name = "traffic 1 forward",
                   .from_node = "onprem-host",
                   .from_ns = "nl-x-onprem-host",
                   .to_node = "vpc-host",
                   .to_ns = "nl-x-vpc-host",
                   .from_addr = *Ipv4::parse("10.1.0.10"),
                   .to_addr = *Ipv4::parse("10.2.0.10"),
                   .port = 6000,
                   .flows = 2,
                   .rate_mbit = 12.5,
                   .pps = 1000,
                   .size = 1446,
                   .df = true};
  EXPECT_EQ(traffic_slug(spec.name), "traffic-1-forward");
  const TrafficOptions r = traffic_receiver_options(spec, "/run/x");
  EXPECT_EQ(r.role, TrafficRole::Recv);
  EXPECT_EQ(r.addr, spec.to_addr);
  EXPECT_EQ(r.port, 6000);
  EXPECT_EQ(r.flows, 2u);
  EXPECT_EQ(r.out, "/run/x/traffic-1-forward.recv.log");
  const TrafficOptions s = traffic_sender_options(spec, "/run/x");
  EXPECT_EQ(s.bind, spec.from_addr);
  EXPECT_EQ(s.rate_bps, 12'500'000u);
  EXPECT_EQ(s.pps, 1000u);
  EXPECT_EQ(s.size, 1446u);
  EXPECT_TRUE(s.df);
  EXPECT_TRUE(s.realtime);
  EXPECT_EQ(s.out, "/run/x/traffic-1-forward.send.log");
  EXPECT_EQ(parse_traffic_args(traffic_args(s)), s);

  spec.protocol = TrafficProtocol::Tcp;
  spec.rate_mbit = 0;
  const TrafficOptions t = traffic_sender_options(spec, "/run/x");
  EXPECT_TRUE(t.tcp);
  EXPECT_EQ(t.rate_bps, 0u);
  EXPECT_FALSE(t.df);
  EXPECT_FALSE(t.realtime);
  EXPECT_EQ(parse_traffic_args(traffic_args(t)), t);
}

TEST(FakeTrafficIo, ReturnsScriptedWindowsAndRecordsCalls) {
  testing::FakeTrafficIo io;
  io.start({TrafficSpec{.name = "t"}}, "/tmp/d");
  EXPECT_FALSE(io.window(0, 1, 2).measured);
  io.windows = [](size_t, int64_t t0, int64_t) {
    return testing::FakeTrafficIo::udp(30, t0 < 100 ? 100 : 66);
  };
  EXPECT_DOUBLE_EQ(io.window(0, 10, 20).delivered_pct, 100);
  EXPECT_DOUBLE_EQ(io.window(0, 200, 300).delivered_mbit, 19.8);
  io.stop();
  EXPECT_THAT(io.calls, ::testing::ElementsAre("traffic-start 1 /tmp/d", "traffic-window 0 1 2",
                                               "traffic-window 0 10 20", "traffic-window 0 200 300",
                                               "traffic-stop"));
}

}  // namespace
}  // namespace netlab::measure
