// The probe's path counters: the nft commands built, and nft's JSON read back.
#include "netlab/measure/path_counters.h"

#include <gtest/gtest.h>

#include "support/fake_kernel.h"

namespace netlab::measure {
namespace {

TEST(PathCounters, OneCounterPerInterfaceMatchingOnlyProbePackets) {
  std::string c = path_counter_commands({"eth1", "dx1"}, 47000, 1, *Ipv4::parse("10.0.0.1"));
  EXPECT_NE(c.find("hook prerouting priority -300"), std::string::npos);
  // Per direction: from the probe's source (forward), and the rest (back).
  EXPECT_NE(c.find("iifname \"eth1\" ip saddr 10.0.0.1 udp dport 47000 counter"), std::string::npos);
  EXPECT_NE(c.find("iifname \"eth1\" ip saddr != 10.0.0.1 udp dport 47000 counter"), std::string::npos);
  EXPECT_NE(c.find("iifname \"dx1\" ip saddr 10.0.0.1 udp dport 47000 counter"), std::string::npos);
  // Re-created from scratch in one transaction, whether or not it existed.
  EXPECT_LT(c.find("delete table inet nl_path"), c.find("add chain"));
}

TEST(PathCounters, ParsesNftJsonCounters) {
  const char* json = R"({"nftables": [
    {"metainfo": {"version": "1.0.6", "json_schema_version": 1}},
    {"table": {"family": "inet", "name": "nl_path", "handle": 1}},
    {"chain": {"family": "inet", "table": "nl_path", "name": "pre", "handle": 1}},
    {"rule": {"family": "inet", "table": "nl_path", "chain": "pre", "handle": 2, "expr": [
      {"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "eth1"}},
      {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "10.0.0.1"}},
      {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 47000}},
      {"counter": {"packets": 1234, "bytes": 99999}}]}},
    {"rule": {"family": "inet", "table": "nl_path", "chain": "pre", "handle": 4, "expr": [
      {"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "eth1"}},
      {"match": {"op": "!=", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "10.0.0.1"}},
      {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 47000}},
      {"counter": {"packets": 56, "bytes": 999}}]}},
    {"rule": {"family": "inet", "table": "nl_path", "chain": "pre", "handle": 3, "expr": [
      {"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "vpn1-t1"}},
      {"counter": {"packets": 7, "bytes": 70}}]}}]})";
  auto m = parse_path_counters(json);
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(m["eth1"], (DirectionCounts{1234, 56}));
  EXPECT_EQ(m["vpn1-t1"].both(), 7u);
  EXPECT_TRUE(parse_path_counters("not json").empty());
}

TEST(PathCounters, InstallRunsTheCommandsInTheNamespace) {
  testing::FakeNft nft;
  PathCounters pc(nft, 47000);
  pc.install("nl-x-a", {"eth1"});
  ASSERT_FALSE(nft.ops.empty());
  EXPECT_NE(nft.ops.back().find("nl-x-a"), std::string::npos);
}

}  // namespace
}  // namespace netlab::measure

namespace netlab::measure {
namespace {

TEST(PathCounters, CountsEveryFlowsPort) {
  EXPECT_NE(path_counter_commands({"eth1"}, 47000, 32, {}).find("udp dport 47000-47031 counter"), std::string::npos);
  EXPECT_NE(path_counter_commands({"eth1"}, 47000, 1, {}).find("udp dport 47000 counter"), std::string::npos);
}

}  // namespace
}  // namespace netlab::measure
