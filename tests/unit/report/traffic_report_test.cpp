// The traffic in the reports (docs/traffic.md): each trial's streams before,
// during and after the fault read back from report.json as written, follow
// the schema, survive a merge of shards, and are shown by the table, JUnit,
// the HTML report and the catalogue's summary; the scale is printed.
#include <gtest/gtest.h>

#include "netlab/report/html.h"
#include "netlab/report/merge.h"
#include "netlab/report/report.h"
#include "netlab/scenario/shard.h"
#include "support/report_schema.h"

namespace netlab::report {
namespace {

using namespace scenario;
using nlohmann::json;

TrafficFigures window(uint64_t sent, uint64_t received) {
  TrafficFigures w;
  w.measured = true;
  w.seconds = 2.5;
  w.sent = sent;
  w.received = received;
  w.offered_mbit = 80;
  w.offered_pps = static_cast<double>(sent) / w.seconds;
  w.delivered_mbit = 80.0 * static_cast<double>(received) / static_cast<double>(sent);
  w.delivered_pct = 100.0 * static_cast<double>(received) / static_cast<double>(sent);
  w.loss_pct = 100 - w.delivered_pct;
  w.path_mtu = 1500;
  return w;
}

Trial trial(int i) {
  Trial t;
  t.index = i;
  t.forward = {700, 700, 700, 10000, 0.5, 700.5, true};
  t.reverse = {800, 800, 800, 10000, 0.6, 800.6, true};
  t.path_before = t.path_after = {"dx1"};
  t.path = {"vpn1-t1"};
  TrafficTrial bulk;
  bulk.name = "bulk";
  bulk.protocol = "udp";
  bulk.size = 1200;
  bulk.rate_mbit = 80;
  bulk.before = window(20000, 20000);
  bulk.during = window(20000, 3120);
  bulk.after = window(20000, 19990);
  TrafficTrial jumbo;
  jumbo.name = "jumbo";
  jumbo.protocol = "udp";
  jumbo.size = 8500;
  jumbo.df = true;
  jumbo.rate_mbit = 4;
  jumbo.before = window(150, 150);
  jumbo.during = window(150, 0);
  jumbo.after = TrafficFigures{};
  jumbo.after.why_not = "the receiver's log ends before the window";
  t.traffic = {bulk, jumbo};
  return t;
}

RunResult run(const std::vector<Trial>& trials, const std::string& shard = "") {
  RunResult r;
  r.netlab_version = "0.1.0";
  r.lab = "hybload";
  r.topology = "topologies/hybrid-backup-load.toml";
  r.seed = 42;
  r.scale = 100;
  r.shard = shard;
  r.host = shard.empty() ? "" : "runner";
  if (!shard.empty()) r.work = {{"dx-cut-under-load", 2}};
  ScenarioResult s;
  s.name = "dx-cut-under-load";
  s.fault = "cut dx1";
  s.hold_s = 5;
  s.trials = trials;
  topology::Expect e;
  e.max_delivered_pct = 30;  // bulk 15.6 %, jumbo 0 %
  evaluate(e, s);
  r.scenarios.push_back(s);
  return r;
}

TEST(TrafficReport, ReadsBackAsWrittenAndFollowsTheSchema) {
  const json j = to_json(run({trial(1), trial(2)}));
  EXPECT_EQ(j["scale"], 100);
  const auto& x = j["scenarios"][0]["trials"][0]["traffic"];
  ASSERT_EQ(x.size(), 2u);
  EXPECT_EQ(x[0]["name"], "bulk");
  EXPECT_NEAR(x[0]["delivered_pct"].get<double>(), 15.6, 1e-9);
  EXPECT_EQ(x[0]["mtu_ok"], true);
  EXPECT_EQ(x[1]["mtu_ok"], false);
  EXPECT_EQ(x[1]["after"]["measured"], false);
  EXPECT_EQ(x[1]["after"]["why_not"], "the receiver's log ends before the window");
  EXPECT_FALSE(x[1]["after"].contains("delivered_pct"));  // no figure where none was measured
  EXPECT_EQ(to_json(from_json(j)), j);
  EXPECT_EQ(netlab::testing::schema_errors(j), "");
  EXPECT_EQ(j["scenarios"][0]["verdict"], "pass");
}

TEST(TrafficReport, AMergeKeepsTheTrafficAndTheScaleAndJudgesTheSame) {
  std::vector<ShardReport> parts;
  for (int k = 1; k <= 2; ++k)
    parts.push_back({"s" + std::to_string(k) + ".json", to_json(run({trial(k)}, Shard{k, 2}.str()))});
  const MergedRun m = merge_shards(parts);
  EXPECT_EQ(m.result.scale, 100);
  ASSERT_EQ(m.result.scenarios.at(0).trials.size(), 2u);
  EXPECT_EQ(m.result.scenarios[0].trials[1].traffic.size(), 2u);
  EXPECT_EQ(m.result.verdict(), Verdict::Pass);
  std::vector<std::string> names;
  for (const auto& t : m.result.scenarios[0].targets) names.push_back(t.name);
  EXPECT_NE(std::find(names.begin(), names.end(), "max_delivered_pct"), names.end());
}

TEST(TrafficReport, TheTableJUnitHtmlAndSummaryShowIt) {
  const RunResult r = run({trial(1)});
  const std::string tab = table(r);
  EXPECT_NE(tab.find("  traffic bulk trial 1 (udp 1200 B, 80 Mbit/s), offered/delivered: before 80.0/80.0 Mbit/s, "
                     "during 80.0/12.5 Mbit/s, after 80.0/80.0 Mbit/s; delivered 15.6 %, lost 84.4 %"),
            std::string::npos)
      << tab;
  EXPECT_NE(tab.find("no 8500-byte packet got through, no ICMP came back (blackhole)"), std::string::npos) << tab;
  EXPECT_NE(tab.find("after not measured (the receiver's log ends before the window)"), std::string::npos) << tab;
  EXPECT_NE(tab.find("max_delivered_pct        <= 30.0"), std::string::npos) << tab;
  EXPECT_NE(tab.find("scale 100: every bandwidth, packet rate and traffic rate is AWS's divided by 100"),
            std::string::npos);
  const std::string xml = junit(r);
  EXPECT_NE(xml.find("name=\"trial.1.traffic.bulk.delivered_pct\" value=\"15.6\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("name=\"trial.1.traffic.jumbo.mtu_ok\" value=\"false\""), std::string::npos);
  EXPECT_NE(xml.find("name=\"scale\" value=\"100\""), std::string::npos);
  const std::string page = html(to_json(r));
  EXPECT_NE(page.find("data-traffic=\"bulk\""), std::string::npos);
  EXPECT_NE(page.find("dropped, no ICMP came back (blackhole)"), std::string::npos);
  EXPECT_NE(page.find("traffic rate is AWS&#39;s divided by 100"), std::string::npos) << page.substr(0, 3000);
  const std::string md = markdown_summary({to_json(r)});
  EXPECT_NE(md.find("; load: 0.0 % delivered; 8500-byte packets lost, no ICMP came back"), std::string::npos) << md;
}

}  // namespace
}  // namespace netlab::report
