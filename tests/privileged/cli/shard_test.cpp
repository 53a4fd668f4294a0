// `--shard K/N` and `netlab report --merge` on real labs: tests/data/lab/small.toml
// with two scenarios of its own, 2 scenarios x 2 trials, run as shards 1/3, 2/3 and
// 3/3 one after another and merged; the merge has the structure of the
// unsharded run (same scenarios in the same order, same trial numbers, each
// trial once, every verdict pass), names each trial's shard and host, and
// refuses a missing shard (exit 2, naming it).
#include <nlohmann/json.hpp>

#include "lifecycle_fixture.h"

namespace netlab::cli::testing {
namespace {

using nlohmann::json;

class ShardTest : public LifecycleTest {
 protected:
  // small.toml as lab `lab` with two scenarios of its own: the backup
  // tunnel taken down for maintenance while the core carries the probe, a
  // fault the probe must not notice (what is split is the work, whatever it
  // measures; the file's own scenario judges failover, not this).
  std::string two_scenarios(const std::string& lab) {
    const std::string file = topology(lab);
    std::string text = read_text(file);
    text.erase(text.find("[[scenarios]]"));
    for (const char* name : {"tunnel-down", "tunnel-down-again"})
      text += std::string("[[scenarios]]\nname = \"") + name +
              "\"\nfault = { maintenance = \"t1\" }\nhold_s = 1\n"
              "expect = { reachable = true, max_outage_ms = 1000 }\n\n";
    std::ofstream(file) << text;
    return file;
  }

  // `netlab run`, again when the bring-up failed by itself (known_flake).
  Result run(const std::vector<std::string>& args) {
    for (int attempt = 1;; ++attempt) {
      Result r = netlab(args, seconds(150));
      if (attempt < 3 && r.status != 0 && known_flake(r.err)) continue;
      return r;
    }
  }

  static json read_json(const std::string& path) {
    std::ifstream in(path);
    return json::parse(in);
  }

  // (scenario, trial) in report order.
  static std::vector<std::pair<std::string, int>> units(const json& r) {
    std::vector<std::pair<std::string, int>> out;
    for (const auto& s : r["scenarios"])
      for (const auto& t : s["trials"]) out.emplace_back(s["name"], t["trial"]);
    return out;
  }
};

TEST_F(ShardTest, ThreeShardsMergeIntoTheUnshardedRunAndAMissingShardIsRefused) {
  const std::string lab = lab_name('s');
  const std::string file = two_scenarios(lab);
  const std::vector<std::string> common{"--trials", "2", "--seed", "7"};

  auto args = [&](std::vector<std::string> a) {
    a.insert(a.end(), common.begin(), common.end());
    return a;
  };
  Result whole = run(args({"run", file, "--jobs", "1", "--out", tmp_ + "/whole"}));
  ASSERT_EQ(whole.status, 0) << whole.out << whole.err;

  std::vector<std::string> reports;
  for (int k = 1; k <= 3; ++k) {
    const std::string out = tmp_ + "/shard" + std::to_string(k);
    Result r = run(args({"run", file, "--shard", std::to_string(k) + "/3", "--out", out, "--junit", out + "/junit.xml"}));
    ASSERT_EQ(r.status, 0) << "shard " << k << "/3\n" << r.out << r.err;
    reports.push_back(out + "/report.json");
    json j = read_json(reports.back());
    EXPECT_EQ(j["shard"], std::to_string(k) + "/3");
    EXPECT_FALSE(j["host"].get<std::string>().empty());
    EXPECT_TRUE(fs::exists(out + "/junit.xml"));
  }
  // 4 trials in serial order: tunnel-down 1 -> 1/3, tunnel-down 2 -> 2/3,
  // tunnel-down-again 1 -> 3/3, tunnel-down-again 2 -> 1/3.
  EXPECT_EQ(units(read_json(reports[0])),
            (std::vector<std::pair<std::string, int>>{{"tunnel-down", 1}, {"tunnel-down-again", 2}}));
  EXPECT_EQ(units(read_json(reports[2])), (std::vector<std::pair<std::string, int>>{{"tunnel-down-again", 1}}));

  Result merge = netlab({"report", "--merge", tmp_ + "/merged", reports[2], reports[0], reports[1]});
  ASSERT_EQ(merge.status, 0) << merge.out << merge.err;
  EXPECT_NE(merge.out.find("all "), std::string::npos) << merge.out;  // the table: "all N targets met"

  const json w = read_json(tmp_ + "/whole/report.json");
  const json m = read_json(tmp_ + "/merged/report.json");
  EXPECT_EQ(units(m), units(w));
  EXPECT_EQ(units(m), (std::vector<std::pair<std::string, int>>{
                          {"tunnel-down", 1}, {"tunnel-down", 2}, {"tunnel-down-again", 1}, {"tunnel-down-again", 2}}));
  EXPECT_EQ(m["verdict"], "pass");
  EXPECT_EQ(m["seed"], w["seed"]);
  EXPECT_EQ(m["shards"].size(), 3u);
  ASSERT_EQ(m["scenarios"].size(), w["scenarios"].size());
  for (size_t i = 0; i < m["scenarios"].size(); ++i) {
    const auto& ms = m["scenarios"][i];
    const auto& ws = w["scenarios"][i];
    EXPECT_EQ(ms["verdict"], "pass") << ms["name"];
    ASSERT_EQ(ms["targets"].size(), ws["targets"].size()) << ms["name"];
    for (size_t t = 0; t < ms["targets"].size(); ++t) {
      EXPECT_EQ(ms["targets"][t]["name"], ws["targets"][t]["name"]);
      EXPECT_EQ(ms["targets"][t]["limit"], ws["targets"][t]["limit"]);
      EXPECT_EQ(ms["targets"][t]["verdict"], ws["targets"][t]["verdict"]);
    }
    for (const auto& t : ms["trials"]) {
      EXPECT_TRUE(t.contains("shard") && t.contains("host")) << ms["name"] << " trial " << t["trial"];
    }
  }
  EXPECT_EQ(m["scenarios"][0]["trials"][1]["shard"], "2/3");
  for (const char* f : {"/junit.xml", "/report.html"}) EXPECT_TRUE(fs::exists(tmp_ + "/merged" + f)) << f;

  // Shard 2/3 left out: refused, and named.
  Result missing = netlab({"report", "--merge", tmp_ + "/partial", reports[0], reports[2]});
  EXPECT_EQ(missing.status, 2) << missing.out << missing.err;
  EXPECT_NE(missing.err.find("shard 2/3 missing"), std::string::npos) << missing.err;
  EXPECT_FALSE(fs::exists(tmp_ + "/partial/report.json"));
}

TEST_F(ShardTest, RunWithTwoJobsGivesTheSerialRunsTrialsAndVerdicts) {
  // `netlab run --jobs 2`: the same 4 trials on two labs side by side, one
  // report in serial order, each trial naming the part that ran it, and
  // nothing of either lab left.
  const std::string lab = lab_name('j');
  const std::string file = two_scenarios(lab);
  Result serial = run({"run", file, "--trials", "2", "--seed", "7", "--jobs", "1", "--out", tmp_ + "/serial"});
  ASSERT_EQ(serial.status, 0) << serial.out << serial.err;
  Result jobs = run({"run", file, "--trials", "2", "--seed", "7", "--jobs", "2", "--out", tmp_ + "/jobs", "--junit",
                     tmp_ + "/jobs/junit.xml"});
  ASSERT_EQ(jobs.status, 0) << jobs.out << jobs.err;
  EXPECT_NE(jobs.out.find("all "), std::string::npos) << jobs.out;

  const json s = read_json(tmp_ + "/serial/report.json");
  const json j = read_json(tmp_ + "/jobs/report.json");
  EXPECT_EQ(units(j), units(s));
  EXPECT_EQ(j["lab"], s["lab"]);
  EXPECT_EQ(j["seed"], s["seed"]);
  EXPECT_EQ(j["verdict"], "pass");
  ASSERT_EQ(j["jobs"].size(), 2u);
  EXPECT_NE(j["jobs"][0]["lab"], j["jobs"][1]["lab"]);
  ASSERT_EQ(j["scenarios"].size(), s["scenarios"].size());
  for (size_t i = 0; i < j["scenarios"].size(); ++i) {
    const auto& js = j["scenarios"][i];
    const auto& ss = s["scenarios"][i];
    ASSERT_EQ(js["targets"].size(), ss["targets"].size()) << js["name"];
    for (size_t t = 0; t < js["targets"].size(); ++t) {
      EXPECT_EQ(js["targets"][t]["name"], ss["targets"][t]["name"]);
      EXPECT_EQ(js["targets"][t]["verdict"], ss["targets"][t]["verdict"]);
    }
    for (const auto& t : js["trials"]) {
      EXPECT_TRUE(t.contains("shard")) << js["name"] << " trial " << t["trial"];
      for (const char* d : {"forward", "reverse"})
        EXPECT_LE(t["outage_ms"][d].get<double>(), 1000) << js["name"] << " trial " << t["trial"] << " " << d;
    }
  }
  // Trial 1 of the first scenario ran on job 1, trial 2 on job 2.
  EXPECT_EQ(j["scenarios"][0]["trials"][0]["shard"], "1/2");
  EXPECT_EQ(j["scenarios"][0]["trials"][1]["shard"], "2/2");
  EXPECT_TRUE(fs::exists(tmp_ + "/jobs/junit.xml"));
  for (const auto& jb : j["jobs"]) expect_gone(jb["lab"].get<std::string>(), {});
}

}  // namespace
}  // namespace netlab::cli::testing
