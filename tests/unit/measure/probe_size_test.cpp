// netlab-probe's --size and --df: parsed, built back by probe_args(), and
// refused when out of range; the data plane passes the probe spec's on.
#include <gtest/gtest.h>

#include "netlab/base/error.h"
#include "netlab/measure/probe_runner.h"

namespace netlab::measure {
namespace {

using Args = std::vector<std::string>;

Args base(Args more) {
  Args a = {"--bind", "10.0.0.1:1", "--peer", "10.0.0.2:2", "--interval-us", "1000", "--out", "x"};
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

TEST(ProbeSize, SizeAndDfParseAndDefaultToTheNaturalPacketAndTheKernel) {
  const ProbeOptions plain = parse_probe_args(base({}));
  EXPECT_EQ(plain.size, 0u);
  EXPECT_FALSE(plain.df);
  const ProbeOptions big = parse_probe_args(base({"--size", "1500", "--df"}));
  EXPECT_EQ(big.size, 1500u);
  EXPECT_EQ(big.df, true);
  EXPECT_EQ(parse_probe_args(base({"--no-df"})).df, false);
  EXPECT_EQ(parse_probe_args(base({"--size", "76"})).size, 76u);
  EXPECT_EQ(parse_probe_args(base({"--size", "65535"})).size, 65535u);
}

TEST(ProbeSize, ProbeArgsCarryThemBack) {
  ProbeOptions o = parse_probe_args(base({}));
  o.size = 1400;
  o.df = true;
  Args a = probe_args(o);
  EXPECT_EQ(parse_probe_args(a), o);
  EXPECT_NE(std::find(a.begin(), a.end(), "--df"), a.end());
  o.df = false;
  EXPECT_EQ(parse_probe_args(probe_args(o)), o);
  o.df.reset();
  o.size = 0;
  a = probe_args(o);
  EXPECT_EQ(std::find(a.begin(), a.end(), "--size"), a.end());
  EXPECT_EQ(std::find(a.begin(), a.end(), "--df"), a.end());
  EXPECT_EQ(std::find(a.begin(), a.end(), "--no-df"), a.end());
}

TEST(ProbeSize, MistakesAreInputErrors) {
  EXPECT_THROW(parse_probe_args(base({"--size", "75"})), InputError);  // no room for a reflection
  EXPECT_THROW(parse_probe_args(base({"--size", "65536"})), InputError);
  EXPECT_THROW(parse_probe_args(base({"--size"})), InputError);
  EXPECT_THROW(parse_probe_args(base({"--df", "--no-df"})), InputError);
  EXPECT_THROW(parse_probe_args(base({"--df", "--df"})), InputError);
}

}  // namespace
}  // namespace netlab::measure

#include "netlab/measure/data_plane.h"
#include "support/fake_flow_io.h"
#include "support/fake_kernel.h"

namespace netlab::measure {
namespace {

TEST(ProbeSize, TheDataPlaneGivesEveryProbeTheSpecsSizeAndDf) {
  netlab::testing::FakeClock clock;
  netlab::testing::FakeFlowIo io(clock);
  FlowSpec s;
  s.from = {"server", "nl-x-server", *Ipv4::parse("10.0.0.1")};
  s.to = {{"app", "nl-x-app", *Ipv4::parse("10.100.0.2")}};
  s.dir = "/run/x/probe";
  s.prefix = "mtu-1";
  s.size = 1500;
  s.df = true;
  DataPlane d(io, s, {}, {}, 0.05);
  d.start();
  ASSERT_EQ(io.started.size(), 2u);
  for (const auto& p : io.started) {
    EXPECT_EQ(p.options.size, 1500u);
    EXPECT_EQ(p.options.df, true);
  }
  d.stop();
}

}  // namespace
}  // namespace netlab::measure
