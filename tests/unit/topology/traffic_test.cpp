// [[traffic]] entries and the targets that judge them: what the loader
// reads, what it refuses (file:line:col), and what the validator checks.
#include <gtest/gtest.h>

#include "netlab/topology/loader.h"
#include "netlab/topology/validate.h"

namespace netlab::topology {
namespace {

// Two hosts behind one router; line 17 on is `extra`.
std::string lab(const std::string& extra) {
  return R"([lab]
name = "t"
probe = { from = "a", to = "b" }
[nodes.a]
role = "host"
[nodes.r]
role = "router"
asn = 65001
[nodes.b]
role = "host"
[[links]]
endpoints = ["a", "r"]
[[links]]
endpoints = ["r", "b"]
[[scenarios]]
name = "s"
fault = { crash = "r" }
)" + extra;
}

LoadResult checked(const std::string& extra) {
  LoadResult r = load_string(lab(extra), "t.toml");
  if (r.topology) validate(*r.topology, r.diagnostics);
  return r;
}

TEST(Traffic, EntriesAreReadWithTheirDefaults) {
  auto r = checked(R"(expect = { reachable = false, min_delivered_pct = 90, max_delivered_pct = 30.5, max_loss_pct = 2, mtu_ok = false }
[[traffic]]
from = "a"
to = "b"
rate_mbit = 100
[[traffic]]
name = "bulk"
from = "b"
to = "a"
protocol = "tcp"
direction = "both"
flows = 4
[[traffic]]
name = "jumbo"
from = "a"
to = "b"
pps = 500
size = 8500
df = true
)");
  ASSERT_TRUE(r.ok()) << r.render();
  const Topology& t = *r.topology;
  ASSERT_EQ(t.traffic.size(), 3u);
  EXPECT_EQ(t.traffic[0].name, "a-b");  // unnamed: its ends
  EXPECT_EQ(t.traffic[0].protocol, TrafficProtocol::Udp);
  EXPECT_EQ(t.traffic[0].rate_mbit, 100.0);
  EXPECT_FALSE(t.traffic[0].pps);
  EXPECT_EQ(t.traffic[0].size, 1200u);
  EXPECT_FALSE(t.traffic[0].df);
  EXPECT_EQ(t.traffic[0].flows, 1u);
  EXPECT_EQ(t.traffic[0].direction, TrafficDirection::Forward);
  EXPECT_EQ(t.traffic[1].name, "bulk");
  EXPECT_EQ(t.traffic[1].protocol, TrafficProtocol::Tcp);
  EXPECT_FALSE(t.traffic[1].rate_mbit);  // as fast as TCP goes
  EXPECT_EQ(t.traffic[1].direction, TrafficDirection::Both);
  EXPECT_EQ(t.traffic[1].flows, 4u);
  EXPECT_EQ(t.traffic[2].pps, 500.0);
  EXPECT_EQ(t.traffic[2].size, 8500u);
  EXPECT_TRUE(t.traffic[2].df);
  const Expect& e = t.scenarios[0].expect;
  EXPECT_EQ(e.min_delivered_pct, 90.0);
  EXPECT_EQ(e.max_delivered_pct, 30.5);
  EXPECT_EQ(e.max_loss_pct, 2.0);
  EXPECT_EQ(e.mtu_ok, false);
}

TEST(Traffic, BadEntriesAreRefusedWhereTheyAreWritten) {
  auto r = checked(R"([[traffic]]
from = "a"
to = "b"
size = 40
protocol = "sctp"
flows = 0
)");
  ASSERT_FALSE(r.ok());
  const std::string text = r.render();
  EXPECT_NE(text.find("t.toml:18:1: error: traffic \"a-b\" is UDP and has no rate"), std::string::npos) << text;
  EXPECT_NE(text.find("t.toml:21:8: error: \"size\" in traffic \"a-b\" must be between 64 and 65535"), std::string::npos)
      << text;
  EXPECT_NE(text.find("t.toml:22:12: error: invalid traffic protocol \"sctp\""), std::string::npos) << text;
  EXPECT_NE(text.find("t.toml:23:9:"), std::string::npos) << text;

  auto tcp_df = checked("[[traffic]]\nfrom = \"a\"\nto = \"b\"\nprotocol = \"tcp\"\ndf = true\n");
  EXPECT_NE(tcp_df.render().find("df of traffic \"a-b\" applies to udp only"), std::string::npos) << tcp_df.render();
}

TEST(Traffic, RunsBetweenTwoDistinctHosts) {
  auto router = checked("[[traffic]]\nfrom = \"a\"\nto = \"r\"\nrate_mbit = 1\n");
  EXPECT_NE(router.render().find("traffic \"a-r\" ends at node \"r\", which is not a host"), std::string::npos)
      << router.render();
  auto unknown = checked("[[traffic]]\nfrom = \"a\"\nto = \"c\"\nrate_mbit = 1\n");
  EXPECT_NE(unknown.render().find("names node \"c\", which is not defined"), std::string::npos) << unknown.render();
  auto self = checked("[[traffic]]\nfrom = \"a\"\nto = \"a\"\nrate_mbit = 1\n");
  EXPECT_NE(self.render().find("goes from \"a\" to itself"), std::string::npos) << self.render();
  auto twice = checked("[[traffic]]\nfrom = \"a\"\nto = \"b\"\nrate_mbit = 1\n[[traffic]]\nfrom = \"a\"\nto = \"b\"\npps = 5\n");
  EXPECT_NE(twice.render().find("traffic name \"a-b\" is used twice"), std::string::npos) << twice.render();
}

TEST(Traffic, TheScaleDividesTrafficRatesToo) {
  LoadResult r = load_string(std::string(lab("[[traffic]]\nfrom = \"a\"\nto = \"b\"\nrate_mbit = 0.5\npps = 50\n"))
                                 .replace(0, 6, "[lab]\nscale = 100\n"),
                             "t.toml");
  ASSERT_TRUE(r.topology) << r.render();
  validate(*r.topology, r.diagnostics);
  const std::string text = r.render();
  EXPECT_NE(text.find("rate_mbit 0.5 divided by [lab] scale 100 is below 0.01 Mbit/s"), std::string::npos) << text;
  EXPECT_NE(text.find("pps 50 divided by [lab] scale 100 is below 1 packet per second"), std::string::npos) << text;
}

TEST(Traffic, TargetsOnTrafficNeedTraffic) {
  auto r = checked("expect = { reachable = false, min_delivered_pct = 50, mtu_ok = true }\n");
  ASSERT_FALSE(r.ok());
  const std::string text = r.render();
  EXPECT_NE(text.find("expect.min_delivered_pct of scenario \"s\" judges the traffic, but the scenario runs none"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("expect.mtu_ok of scenario \"s\""), std::string::npos) << text;
  auto over = checked("expect = { min_delivered_pct = 101 }\n[[traffic]]\nfrom = \"a\"\nto = \"b\"\npps = 1\n");
  EXPECT_FALSE(over.ok());
}

TEST(Traffic, AScenarioMayRunSomeOrNoneOfTheEntries) {
  const std::string entries = "[[traffic]]\nname = \"bulk\"\nfrom = \"a\"\nto = \"b\"\nrate_mbit = 1\n"
                              "[[traffic]]\nname = \"jumbo\"\nfrom = \"a\"\nto = \"b\"\npps = 10\nsize = 8500\n";
  auto all = checked(entries);
  ASSERT_TRUE(all.ok()) << all.render();
  EXPECT_EQ(all.topology->traffic_for(all.topology->scenarios[0]).size(), 2u);  // the default: every entry
  auto one = checked("traffic = [\"jumbo\"]\n" + entries);
  ASSERT_TRUE(one.ok()) << one.render();
  auto chosen = one.topology->traffic_for(one.topology->scenarios[0]);
  ASSERT_EQ(chosen.size(), 1u);
  EXPECT_EQ(chosen[0]->name, "jumbo");
  auto none = checked("traffic = []\nexpect = { reachable = false, mtu_ok = false }\n" + entries);
  EXPECT_NE(none.render().find("expect.mtu_ok of scenario \"s\" judges the traffic, but the scenario runs none"),
            std::string::npos)
      << none.render();
  auto typo = checked("traffic = [\"bulky\"]\n" + entries);
  EXPECT_NE(typo.render().find("t.toml:18:12: error: scenario \"s\" runs traffic \"bulky\", which is not defined"),
            std::string::npos)
      << typo.render();
}

}  // namespace
}  // namespace netlab::topology
