// `netlab report --merge`: shards' reports, made by hand from one run's
// trials as `--shard K/N` splits them, merge into the report the unsharded
// run writes (apart from the shard and host names); a missing or duplicated
// shard, or a part of another run, is refused with its name.
#include "netlab/report/merge.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "netlab/base/error.h"
#include "netlab/process/command.h"
#include "netlab/report/report.h"
#include "netlab/scenario/shard.h"
#include "support/report_schema.h"

namespace netlab::report {
namespace {

using namespace scenario;
using nlohmann::json;

struct Scn {
  std::string name;
  topology::Expect expect;
  std::vector<Trial> trials;
};

std::vector<Scn> scenarios() {
  std::vector<Scn> out;
  Scn a{"core-cut", {}, {}};
  a.expect.max_outage_ms = 800;
  a.expect.max_convergence_ms = 900;
  a.expect.path = {"t1|t2"};
  a.expect.failback_path = topology::FailbackPath::Baseline;
  for (int i = 1; i <= 3; ++i) {
    Trial t;
    t.index = i;
    t.forward = {300.0 + 200 * i, 300, 300, 10000, 0.5, 300.5, true};  // trial 3: 900 ms, a miss
    t.reverse = {310.0, 310, 310, 10000, 0.6, 310.6, true};
    t.convergence_ms = 400 + i;
    t.path_before = {i == 2 ? "core2" : "core"};  // trial 2 started elsewhere: the report groups by it
    t.path = {i == 2 ? "t2" : "t1"};
    t.path_after = {"core"};
    t.path_packets = {{"t1", 4000}};
    t.hold_ms = 2000;
    t.events = {{0, "", "fault", "cut core"}, {120.5, "r1", "bfd-down", "peer r2"}};
    a.trials.push_back(t);
  }
  out.push_back(a);
  Scn b{"crash r2", {}, {}};
  b.expect.reachable = false;
  for (int i = 1; i <= 2; ++i) {
    Trial t;
    t.index = i;
    t.reachable = false;
    t.forward = {2000, 2000, 2000, 2000, 0, 2000, false};
    t.route_events_lost = i == 2 ? 3 : 0;
    b.trials.push_back(t);
  }
  out.push_back(b);
  return out;
}

RunResult header() {
  RunResult r;
  r.netlab_version = "0.1.0";
  r.kernel_release = "6.1.0";
  r.frr_version = "8.4.4";
  r.lab = "lt";
  r.topology = "tests/data/lab/small.toml";
  r.seed = 42;
  r.bringup_ms = 1500;
  return r;
}

ScenarioResult judged(const Scn& s, const std::vector<Trial>& trials) {
  ScenarioResult r;
  r.name = s.name;
  r.fault = "cut core";
  r.hold_s = 2;
  r.trials = trials;
  if (s.name == "core-cut") r.cover = PathCover{{"r1: core", "r1: core2"}, {}, ""};
  evaluate(s.expect, r);
  return r;
}

RunResult unsharded() {
  RunResult r = header();
  for (const auto& s : scenarios()) r.scenarios.push_back(judged(s, s.trials));
  return r;
}

// Shard K of N as `netlab run --shard K/N` writes it.
// `by_scenario`: as `netlab sweep --shard` splits, each failure whole.
json shard(int k, int n, uint64_t seed = 42, bool by_scenario = false) {
  RunResult r = header();
  r.shard_by_scenario = by_scenario;
  r.seed = seed;
  r.bringup_ms = 1000 + k;
  r.shard = Shard{k, n}.str();
  r.host = "runner-" + std::to_string(k);
  auto all = scenarios();
  std::vector<int> counts;
  for (const auto& s : all) counts.push_back(static_cast<int>(s.trials.size()));
  auto parts = shard_trials(Shard{k, n}, counts);
  if (by_scenario)
    for (size_t i = 0; i < all.size(); ++i) {
      parts[i].clear();
      if (in_shard(Shard{k, n}, i))
        for (int t = 1; t <= counts[i]; ++t) parts[i].push_back(t);
    }
  for (size_t i = 0; i < all.size(); ++i) {
    r.work.emplace_back(all[i].name, counts[i]);
    if (parts[i].empty()) continue;
    std::vector<Trial> mine;
    for (int t : parts[i]) {
      Trial x = all[i].trials[static_cast<size_t>(t - 1)];
      x.shard = r.shard;
      x.host = r.host;
      mine.push_back(x);
    }
    r.scenarios.push_back(judged(all[i], mine));
  }
  return to_json(r);
}

// A report without what only a sharded run has (shards, hosts, timings).
json comparable(json j) {
  for (const char* k : {"shards", "bringup_ms", "shard", "host", "work", "shard_unit"}) j.erase(k);
  for (auto& s : j["scenarios"])
    for (auto& t : s["trials"]) {
      t.erase("shard");
      t.erase("host");
    }
  return j;
}

std::vector<ShardReport> shards(int n) {
  std::vector<ShardReport> v;
  for (int k = n; k >= 1; --k) v.push_back({"shard" + std::to_string(k) + ".json", shard(k, n)});
  return v;
}

TEST(Merge, EqualsTheUnshardedReportWhateverTheShardCount) {
  const json whole = to_json(unsharded());
  ASSERT_EQ(whole["verdict"], "fail");  // trial 3 misses max_outage_ms: judged over the merged trials
  for (int n = 1; n <= 6; ++n) {
    auto m = merge_shards(shards(n));
    EXPECT_EQ(comparable(m.json), comparable(whole)) << n << " shards";
    EXPECT_EQ(m.result.verdict(), Verdict::Fail);
    EXPECT_EQ(table(m.result), table(unsharded())) << n;
    EXPECT_EQ(junit(m.result), junit(unsharded())) << n;
  }
}

TEST(Merge, KeepsTheGroupsByPathBeforeTheFault) {
  auto m = merge_shards(shards(3));
  const auto& s = m.json["scenarios"][0];
  ASSERT_EQ(s["path_groups"].size(), 2u);
  EXPECT_EQ(s["path_groups"][0]["trials"], json({1, 3}));
  EXPECT_EQ(s["path_groups"][1]["label"], "core2");
  EXPECT_EQ(s["cover_paths"]["alternatives"], json({"r1: core", "r1: core2"}));
  EXPECT_NE(table(m.result).find("before on core2: 700 ms (1 trial)"), std::string::npos) << table(m.result);
}

TEST(Merge, SweepShardsSplitByFailure) {
  const json whole = to_json(unsharded());
  std::vector<ShardReport> v{{"a.json", shard(2, 2, 42, true)}, {"b.json", shard(1, 2, 42, true)}};
  auto m = merge_shards(v);
  EXPECT_EQ(comparable(m.json), comparable(whole));
  for (const auto& t : m.json["scenarios"][1]["trials"]) EXPECT_EQ(t["shard"], "2/2");
  // A report split by trial is not a part of a run split by failure.
  v[0].json = shard(2, 2);
  EXPECT_THROW(merge_shards(v), InputError);
}

TEST(Merge, NamesTheShardAndHostOfEveryTrial) {
  auto m = merge_shards(shards(3));
  ASSERT_EQ(m.json["shards"].size(), 3u);
  EXPECT_EQ(m.json["shards"][0]["shard"], "1/3");
  EXPECT_EQ(m.json["shards"][0]["host"], "runner-1");
  // Serial order: core-cut 1,2,3 then crash 1,2 go to shards 1,2,3,1,2.
  const auto& s0 = m.json["scenarios"][0]["trials"];
  const auto& s1 = m.json["scenarios"][1]["trials"];
  EXPECT_EQ(s0[2]["trial"], 3);
  EXPECT_EQ(s0[2]["shard"], "3/3");
  EXPECT_EQ(s0[2]["host"], "runner-3");
  EXPECT_EQ(s1[0]["shard"], "1/3");
  EXPECT_EQ(s1[1]["shard"], "2/3");
  EXPECT_EQ(s1[1]["trial"], 2);
}

TEST(Merge, ReadsBackEveryFigure) {
  const json whole = to_json(unsharded());
  EXPECT_EQ(to_json(from_json(whole)), whole);
}

// A shard's report and the merged one are report.json documents too.
TEST(Merge, ShardAndMergedReportsFollowTheSchema) {
  for (const json& j : {shard(2, 3), merge_shards(shards(3)).json}) EXPECT_EQ(netlab::testing::schema_errors(j), "");
}

std::string refusal(const std::vector<ShardReport>& v) {
  try {
    merge_shards(v);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(merged)";
}

TEST(Merge, RefusesAMissingShardNamingIt) {
  auto v = shards(3);
  v.erase(v.begin() + 1);  // 2/3
  EXPECT_NE(refusal(v).find("shard 2/3 missing"), std::string::npos) << refusal(v);
  auto w = shards(4);
  w.erase(w.begin(), w.begin() + 2);  // 4/4 and 3/4
  EXPECT_NE(refusal(w).find("shards 3/4, 4/4 missing"), std::string::npos) << refusal(w);
}

TEST(Merge, RefusesADuplicatedShardNamingIt) {
  auto v = shards(3);
  v.push_back({"again.json", shard(2, 3)});
  EXPECT_NE(refusal(v).find("shard 2/3 given twice"), std::string::npos) << refusal(v);
  EXPECT_NE(refusal(v).find("again.json"), std::string::npos);
}

TEST(Merge, RefusesPartsOfDifferentRuns) {
  auto v = shards(2);
  v[0].json = shard(2, 2, 7);  // another seed
  EXPECT_NE(refusal(v).find("not parts of one run"), std::string::npos) << refusal(v);
  auto w = shards(2);
  w.push_back({"other.json", shard(3, 3)});
  EXPECT_NE(refusal(w).find("not parts of one run"), std::string::npos) << refusal(w);
  auto u = shards(2);
  u.push_back({"whole.json", to_json(unsharded())});
  EXPECT_NE(refusal(u).find("whole.json is not the report of a shard"), std::string::npos) << refusal(u);
}

TEST(Merge, RefusesAShardThatLacksATrial) {
  auto v = shards(2);
  v[1].json["scenarios"][0]["trials"].erase(1);  // shard 1/2: core-cut trial 3
  EXPECT_NE(refusal(v).find("lacks trial 3 of scenario core-cut"), std::string::npos) << refusal(v);
}

}  // namespace
}  // namespace netlab::report
