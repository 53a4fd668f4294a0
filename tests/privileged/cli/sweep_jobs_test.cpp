// `netlab sweep --jobs 2` on real labs: tests/data/lab/small.toml swept with
// a 1 s hold, once on one lab and once split over two labs side by side.
// Both give the same failures in the same order with the same reachability
// and verdicts, the same targets met, the core cut's outage within BFD's
// failover; the split run names its jobs' labs and seeds, and afterwards
// nothing of any of the three labs is left. About 85 s on 2 cores (serial
// ~53 s, --jobs 2 ~30 s).
#include <nlohmann/json.hpp>

#include "lifecycle_fixture.h"
#include "netlab/scenario/shard.h"

namespace netlab::cli::testing {
namespace {

using nlohmann::json;

class SweepJobsTest : public LifecycleTest {
 protected:
  // `netlab sweep`, again when a bring-up failed by itself (known_flake).
  Result sweep(const std::vector<std::string>& args) {
    for (int attempt = 1;; ++attempt) {
      Result r = netlab(args, seconds(180));
      if (attempt < 3 && r.status != 0 && r.status != 1 && known_flake(r.err)) continue;
      return r;
    }
  }
  static json read_json(const std::string& path) {
    std::ifstream in(path);
    return json::parse(in);
  }
};

TEST_F(SweepJobsTest, TwoLabsSideBySideGiveTheSerialSweep) {
  const std::string lab = lab_name('w');
  const std::string file = topology(lab);
  // The jobs' labs are this test's too: taken down and checked at the end.
  for (int k = 1; k <= 2; ++k) used_.insert(scenario::job_lab_name(lab, k));
  const std::vector<std::string> common{"sweep", file, "--hold", "1", "--seed", "7"};
  auto args = [&](std::vector<std::string> extra) {
    std::vector<std::string> a = common;
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };

  const int64_t t0 = mono_ms();
  Result serial = sweep(args({"--jobs", "1", "--out", tmp_ + "/serial"}));
  const int64_t t1 = mono_ms();
  Result jobs = sweep(args({"--jobs", "2", "--out", tmp_ + "/jobs"}));
  const int64_t t2 = mono_ms();
  std::fprintf(stderr, "serial %.1f s, --jobs 2 %.1f s\n", (t1 - t0) / 1e3, (t2 - t1) / 1e3);
  ASSERT_TRUE(serial.status == 0 || serial.status == 1) << serial.out << serial.err;
  EXPECT_EQ(jobs.status, serial.status) << jobs.out << jobs.err;
  // The table's class and verdict lines are the same (its rows hold figures).
  auto tail = [](const std::string& out) {
    auto at = out.find("\nDirect Connect");
    return at == std::string::npos ? out : out.substr(at, out.find("report:") - at);
  };
  EXPECT_EQ(tail(jobs.out), tail(serial.out));

  const json s = read_json(tmp_ + "/serial/sweep.json");
  const json j = read_json(tmp_ + "/jobs/sweep.json");
  ASSERT_GE(s["sweep"].size(), 5u);
  ASSERT_EQ(j["sweep"].size(), s["sweep"].size());
  for (size_t i = 0; i < s["sweep"].size(); ++i) {
    const auto &a = s["sweep"][i], &b = j["sweep"][i];
    EXPECT_EQ(b["failure"], a["failure"]) << "row " << i;
    EXPECT_EQ(b["predicted_reachable"], a["predicted_reachable"]) << a["failure"];
    EXPECT_EQ(b["reachable"], a["reachable"]) << a["failure"];
    EXPECT_EQ(b["verdict"], a["verdict"]) << a["failure"];
  }
  EXPECT_EQ(j["verdict"], s["verdict"]);
  EXPECT_EQ(j["dx_resiliency"]["model"], s["dx_resiliency"]["model"]);
  EXPECT_EQ(j["dx_resiliency"]["verdict"], s["dx_resiliency"]["verdict"]);
  EXPECT_EQ(j["lab"], lab);
  EXPECT_EQ(j["seed"], 7);

  // Every scenario's targets judged the same; the core cut fails over
  // within BFD's detection plus the reroute in both runs.
  ASSERT_EQ(j["scenarios"].size(), s["scenarios"].size());
  for (size_t i = 0; i < s["scenarios"].size(); ++i) {
    const auto &a = s["scenarios"][i], &b = j["scenarios"][i];
    EXPECT_EQ(b["name"], a["name"]);
    ASSERT_EQ(b["targets"].size(), a["targets"].size()) << a["name"];
    for (size_t t = 0; t < a["targets"].size(); ++t) {
      EXPECT_EQ(b["targets"][t]["name"], a["targets"][t]["name"]);
      EXPECT_EQ(b["targets"][t]["verdict"], a["targets"][t]["verdict"]) << a["name"] << " " << a["targets"][t]["name"];
    }
    EXPECT_EQ(b["trials"].size(), a["trials"].size()) << a["name"];
    for (const auto& t : b["trials"]) EXPECT_FALSE(t.contains("shard") && !t["shard"].get<std::string>().empty());
    if (a["name"] == "link cut core")
      for (const auto* run : {&a, &b}) {
        ASSERT_FALSE((*run)["trials"].empty());
        const auto& t = (*run)["trials"][0];
        for (const char* dir : {"forward", "reverse"}) {
          ASSERT_TRUE(t["outage_ms"][dir].is_number()) << t["outage_ms"].dump();
          EXPECT_LT(t["outage_ms"][dir].get<double>(), 1500) << "core cut outage " << dir;
        }
      }
  }

  // The jobs: their labs and seeds, each failure on job (i % 2) + 1.
  ASSERT_EQ(j["jobs"].size(), 2u);
  for (int k = 1; k <= 2; ++k) {
    const auto& jb = j["jobs"][k - 1];
    EXPECT_EQ(jb["job"], k);
    EXPECT_EQ(jb["lab"], scenario::job_lab_name(lab, k));
    EXPECT_EQ(jb["seed"], scenario::job_seed(7, k));
    std::vector<std::string> expected;
    for (size_t i = static_cast<size_t>(k - 1); i < s["sweep"].size(); i += 2)
      expected.push_back(s["sweep"][i]["failure"]);
    EXPECT_EQ(jb["failures"].get<std::vector<std::string>>(), expected);
  }
  for (const auto& l : used_) EXPECT_EQ(lab_namespaces(l), std::vector<std::string>{}) << l;
}

}  // namespace
}  // namespace netlab::cli::testing
