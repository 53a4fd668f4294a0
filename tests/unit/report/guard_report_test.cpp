// The validity guard in the reports: an invalid trial and a repeated one
// read back from report.json as they were written, carried through a merge
// of shards (and so of --jobs), and shown by the table (a mark and a note),
// JUnit, the HTML report and the catalogue's summary.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "netlab/process/command.h"
#include "netlab/report/html.h"
#include "netlab/report/merge.h"
#include "netlab/report/report.h"
#include "netlab/scenario/shard.h"
#include "support/report_schema.h"

namespace netlab::report {
namespace {

using namespace scenario;
using nlohmann::json;

const char* kStarved = "host starved: a SCHED_OTHER task was 612 ms late (limit 450 ms, half of BFD 300x3)";

Trial trial(int i, bool valid, bool repeated) {
  Trial t;
  t.index = i;
  t.forward = {300, 300, 300, 10000, 0.5, 300.5, true};
  t.reverse = {310, 310, 310, 10000, 0.6, 310.6, true};
  t.convergence_ms = 400;
  t.path_before = t.path_after = {"core"};
  t.path = {"t1"};
  t.canary_max_lateness_ms = valid ? 4.25 : 612.5;
  t.starvation_limit_ms = 450;
  t.valid = valid;
  if (!valid) t.invalid_reason = kStarved;
  if (repeated) t.repeated_reason = kStarved;
  return t;
}

topology::Expect expect() {
  topology::Expect e;
  e.max_outage_ms = 800;
  return e;
}

RunResult run(const std::vector<Trial>& trials, const std::string& shard = "") {
  RunResult r;
  r.netlab_version = "0.1.0";
  r.lab = "lt";
  r.topology = "tests/data/lab/small.toml";
  r.seed = 42;
  r.shard = shard;
  r.host = shard.empty() ? "" : "runner";
  if (!shard.empty()) r.work = {{"core-cut", 3}};
  ScenarioResult s;
  s.name = "core-cut";
  s.fault = "cut core";
  s.hold_s = 2;
  s.trials = trials;
  evaluate(expect(), s);
  r.scenarios.push_back(s);
  return r;
}

// Trial 1 valid after a repeat, trial 2 invalid after its repeat, trial 3 valid.
std::vector<Trial> trials() { return {trial(1, true, true), trial(2, false, true), trial(3, true, false)}; }

TEST(GuardReport, ReadsBackTheGuardsFigures) {
  const json j = to_json(run(trials()));
  const auto& t = j["scenarios"][0]["trials"];
  EXPECT_EQ(t[0]["valid"], true);
  EXPECT_TRUE(t[0]["invalid_reason"].is_null());
  EXPECT_EQ(t[0]["repeated_reason"], kStarved);
  EXPECT_EQ(t[1]["valid"], false);
  EXPECT_EQ(t[1]["invalid_reason"], kStarved);
  EXPECT_EQ(t[1]["canary_max_lateness_ms"], 612.5);
  EXPECT_EQ(t[1]["starvation_limit_ms"], 450);
  EXPECT_TRUE(t[2]["repeated_reason"].is_null());
  EXPECT_EQ(j["scenarios"][0]["verdict"], "inconclusive");
  const RunResult back = from_json(j);
  EXPECT_EQ(to_json(back), j);
  EXPECT_FALSE(back.scenarios[0].trials[1].valid);
  EXPECT_EQ(back.verdict(), Verdict::Inconclusive);
  // An older report, without the guard's fields: every trial valid.
  json old = j;
  for (auto& x : old["scenarios"][0]["trials"])
    for (const char* k : {"valid", "invalid_reason", "canary_max_lateness_ms", "starvation_limit_ms", "repeated_reason"})
      x.erase(k);
  for (const auto& x : from_json(old).scenarios[0].trials) EXPECT_TRUE(x.valid);
}

TEST(GuardReport, AMergeCarriesTheGuardAndJudgesAsTheUnshardedRun) {
  std::vector<ShardReport> parts;
  for (int k = 1; k <= 3; ++k)
    parts.push_back({"s" + std::to_string(k) + ".json",
                     to_json(run({trials()[static_cast<size_t>(k - 1)]}, Shard{k, 3}.str()))});
  const MergedRun m = merge_shards(parts);
  const auto& t = m.result.scenarios.at(0).trials;
  ASSERT_EQ(t.size(), 3u);
  EXPECT_FALSE(t[1].valid);
  EXPECT_EQ(t[1].invalid_reason, kStarved);
  EXPECT_EQ(t[0].repeated_reason, kStarved);
  EXPECT_EQ(t[0].canary_max_lateness_ms, 4.25);
  EXPECT_EQ(m.result.verdict(), Verdict::Inconclusive);
  EXPECT_EQ(m.json["scenarios"][0]["targets"][1]["verdict"], "inconclusive");
}

TEST(GuardReport, TheTableJUnitAndHtmlShowIt) {
  const RunResult r = run(trials());
  const std::string tab = table(r);
  EXPECT_NE(tab.find("\n     2*  "), std::string::npos) << tab;
  EXPECT_NE(tab.find(std::string("  * trial 2: invalid, judges no target: ") + kStarved), std::string::npos) << tab;
  EXPECT_NE(tab.find("  trial 1: run twice, the first attempt was invalid (host starved"), std::string::npos) << tab;
  EXPECT_NE(tab.find("inconclusive"), std::string::npos);
  const std::string xml = junit(r);
  EXPECT_NE(xml.find("name=\"trial.2.valid\" value=\"false\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("name=\"trial.2.invalid_reason\""), std::string::npos);
  EXPECT_NE(xml.find("<skipped"), std::string::npos);
  const std::string page = html(to_json(r));
  EXPECT_NE(page.find(std::string("Invalid, judges no target: ") + kStarved), std::string::npos);
  EXPECT_NE(page.find("Run twice: the first attempt was invalid"), std::string::npos);
  // The catalogue's table counts it.
  EXPECT_NE(markdown_summary({to_json(r)}).find("| 3 (1 invalid) |"), std::string::npos)
      << markdown_summary({to_json(r)});
}

TEST(GuardReport, FollowsTheSchema) {
  EXPECT_EQ(netlab::testing::schema_errors(to_json(run(trials()))), "");
}

}  // namespace
}  // namespace netlab::report
