// netlab-probe's command line: what netlab builds with probe_args() parses
// back to the same options, and every mistake is an InputError naming it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "netlab/base/error.h"
#include "netlab/measure/probe_runner.h"

namespace netlab::measure {
namespace {

using Args = std::vector<std::string>;

ProbeOptions parse(const Args& a) { return parse_probe_args(a); }

TEST(ProbeOptions, ParsesTheDocumentedCommandLine) {
  const ProbeOptions o =
      parse({"--bind", "10.0.0.1:5001", "--peer", "10.0.0.2:5002", "--interval-us", "500", "--out",
             "/tmp/a.log", "--stream-id", "3", "--peer-stream-id", "4", "--rt"});
  EXPECT_EQ(o.bind_addr, *Ipv4::parse("10.0.0.1"));
  EXPECT_EQ(o.bind_port, 5001);
  EXPECT_EQ(o.peer_addr, *Ipv4::parse("10.0.0.2"));
  EXPECT_EQ(o.peer_port, 5002);
  EXPECT_EQ(o.interval_ns, 500'000);
  EXPECT_EQ(o.out, "/tmp/a.log");
  EXPECT_EQ(o.stream_id, 3u);
  EXPECT_EQ(o.peer_stream_id, 4u);
  EXPECT_TRUE(o.realtime);
}

TEST(ProbeOptions, Defaults) {
  const ProbeOptions o = parse(
      {"--bind", "10.0.0.1:1", "--peer", "10.0.0.2:2", "--interval-us", "1000", "--out", "x"});
  EXPECT_EQ(o.stream_id, 1u);
  EXPECT_EQ(o.peer_stream_id, 0u);
  EXPECT_FALSE(o.realtime);
}

TEST(ProbeOptions, ProbeArgsParseBack) {
  ProbeOptions o{.bind_addr = *Ipv4::parse("192.168.1.1"),
                 .bind_port = 65535,
                 .peer_addr = *Ipv4::parse("172.16.0.9"),
                 .peer_port = 1,
                 .interval_ns = 1'000'000,
                 .out = "/run/netlab/x/probe a.log",
                 .stream_id = 2,
                 .peer_stream_id = 1,
                 .realtime = true};
  EXPECT_EQ(parse(probe_args(o)), o);
  o.peer_stream_id = 0;
  o.realtime = false;
  EXPECT_EQ(parse(probe_args(o)), o);
}

TEST(ProbeOptions, MistakesAreInputErrorsThatSayWhat) {
  const Args ok = {"--bind",        "10.0.0.1:1", "--peer", "10.0.0.2:2",
                   "--interval-us", "1000",       "--out",  "x"};
  auto with = [&](size_t i, const std::string& v) {
    Args a = ok;
    a[i] = v;
    return a;
  };
  auto message = [](const Args& a) -> std::string {
    try {
      parse_probe_args(a);
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_THAT(message(with(1, "10.0.0.1")), ::testing::HasSubstr("expected ADDR:PORT"));
  EXPECT_THAT(message(with(1, "10.0.0:1")), ::testing::HasSubstr("not an IPv4 address"));
  EXPECT_THAT(message(with(3, "10.0.0.2:0")), ::testing::HasSubstr("port must be"));
  EXPECT_THAT(message(with(3, "10.0.0.2:70000")), ::testing::HasSubstr("port must be"));
  EXPECT_THAT(message(with(5, "5")), ::testing::HasSubstr("10..1000000"));
  EXPECT_THAT(message(with(5, "1ms")), ::testing::HasSubstr("--interval-us 1ms"));
  EXPECT_THAT(message(Args(ok.begin(), ok.end() - 2)), ::testing::HasSubstr("--out is required"));
  EXPECT_THAT(message(Args(ok.begin() + 2, ok.end())), ::testing::HasSubstr("--bind is required"));
  EXPECT_THAT(message(Args{"--bind"}), ::testing::HasSubstr("--bind: missing value"));
  Args extra = ok;
  extra.push_back("--fast");
  EXPECT_THAT(message(extra), ::testing::HasSubstr("unknown argument '--fast'"));
  Args same = ok;
  same.insert(same.end(), {"--stream-id", "2", "--peer-stream-id", "2"});
  EXPECT_THAT(message(same), ::testing::HasSubstr("must differ"));
}

}  // namespace
}  // namespace netlab::measure
