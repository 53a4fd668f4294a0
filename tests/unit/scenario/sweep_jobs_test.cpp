// `netlab sweep --jobs N` in the scenario layer: the failures split over N
// labs as shards K/N, and the jobs' results merged back (merge_jobs) into the
// rows the serial sweep gives, in the same order, with the same verdicts and
// the same classification. Each lab is a set of fakes as in trial_test.cpp:
// a cut of dx1 blackholes the probe for 300 ms, the probe runs over DX
// unless dx1 is down. Also the jobs' lab names and seeds.
#include <gtest/gtest.h>

#include <memory>

#include "netlab/scenario/runner.h"
#include "netlab/scenario/shard.h"
#include "netlab/scenario/sweep.h"
#include "netlab/topology/names.h"
#include "support/fake_dx_cut_lab.h"
#include "support/test_plan.h"

namespace netlab::scenario {
namespace {

// One lab of fakes with its runner; every lab behaves the same way (the
// probe moves to the VPN while dx1 is cut).
struct FakeLab {
  FakeLab(const topology::Topology& topo, const plan::Plan& plan)
      : lab(plan, /*moves_to_vpn=*/true),
        runner(std::make_unique<Runner>(lab.control, lab.flows, plan, topo, lab.routes, RunnerOptions{})) {}
  netlab::testing::FakeDxCutLab lab;
  std::unique_ptr<Runner> runner;
};

class SweepJobsTest : public ::testing::Test {
 protected:
  SweepResult serial(SweepOnly only = SweepOnly::All) {
    FakeLab lab(topo_, plan_);
    return run_sweep(*lab.runner, topo_, plan_, 1, 1, Shard{}, only);
  }
  // Each job a lab of its own running shard K/N; the results merged.
  SweepResult jobs(int n, std::vector<std::vector<std::string>>* ran = nullptr, SweepOnly only = SweepOnly::All) {
    std::vector<std::vector<ScenarioResult>> per_job;
    for (int k = 1; k <= n; ++k) {
      FakeLab lab(topo_, plan_);
      auto part = run_sweep(*lab.runner, topo_, plan_, 1, 1, Shard{k, n}, only);
      per_job.emplace_back();
      if (ran) ran->emplace_back();
      for (auto& row : part.rows) {
        if (ran) ran->back().push_back(row.result.name);
        per_job.back().push_back(std::move(row.result));
      }
    }
    return merge_jobs(plan_, select_failures(sweep_failures(topo_, plan_, 1), only), per_job);
  }

  topology::Topology topo_ = netlab::testing::test_topology("scenario/hybrid.toml");
  plan::Plan plan_ = netlab::testing::test_plan(topo_);
};

TEST_F(SweepJobsTest, MergedJobsAreTheSerialSweepInOrderWithItsVerdicts) {
  const SweepResult one = serial();
  ASSERT_GT(one.rows.size(), 5u);
  for (int n : {2, 3}) {
    std::vector<std::vector<std::string>> ran;
    const SweepResult many = jobs(n, &ran);
    ASSERT_EQ(many.rows.size(), one.rows.size()) << n << " jobs";
    for (size_t i = 0; i < one.rows.size(); ++i) {
      const auto& a = one.rows[i];
      const auto& b = many.rows[i];
      EXPECT_EQ(b.result.name, a.result.name) << "row " << i;
      EXPECT_EQ(b.failure.kind, a.failure.kind);
      EXPECT_EQ(b.failure.name, a.failure.name);
      EXPECT_EQ(b.failure.predicted_reachable, a.failure.predicted_reachable) << a.result.name;
      EXPECT_EQ(b.reachable(), a.reachable()) << a.result.name;
      EXPECT_EQ(b.over_dx, a.over_dx) << a.result.name;
      EXPECT_EQ(b.result.verdict(), a.result.verdict()) << a.result.name;
      EXPECT_EQ(b.result.trials.size(), a.result.trials.size()) << a.result.name;
      // Failure i ran on job in_shard(i): every N-th from the K-th.
      const auto& mine = ran[i % static_cast<size_t>(n)];
      EXPECT_NE(std::find(mine.begin(), mine.end(), a.result.name), mine.end())
          << a.result.name << " not on job " << i % n + 1;
    }
    EXPECT_EQ(many.dx.model, one.dx.model);
    EXPECT_EQ(many.dx.layout, one.dx.layout);
    EXPECT_EQ(many.dx.verdict, one.dx.verdict);
    EXPECT_EQ(many.dx.reason(), one.dx.reason());
    EXPECT_EQ(many.verdict(), one.verdict());
    EXPECT_EQ(sweep_table(many), sweep_table(one));
  }
  // The fakes do make rows differ: the dx1 cut's outage, and failures the
  // graph predicts fatal that the fakes survive.
  std::set<Verdict> verdicts;
  for (const auto& r : one.rows) verdicts.insert(r.result.verdict());
  EXPECT_GT(verdicts.size(), 1u);
}

TEST_F(SweepJobsTest, OnlyDxRunsTheClassesFailuresSerialSplitOrSharded) {
  const auto all = sweep_failures(topo_, plan_, 1);
  const auto dx = select_failures(all, SweepOnly::Dx);
  ASSERT_GE(dx.size(), 3u);
  ASSERT_LT(dx.size(), all.size());
  const SweepResult one = serial(SweepOnly::Dx);
  ASSERT_EQ(one.rows.size(), dx.size());
  for (size_t i = 0; i < dx.size(); ++i) EXPECT_EQ(one.rows[i].result.name, dx[i].kind + " " + dx[i].name);
  EXPECT_EQ(one.only, SweepOnly::Dx);
  EXPECT_EQ(one.all_failures, all.size());
  EXPECT_EQ(one.selected_failures, dx.size());
  // The class is judged from these rows alone: none is missing.
  EXPECT_NE(one.dx.verdict, Verdict::Error) << one.dx.reason();
  EXPECT_EQ(one.dx.reason().find("no row"), std::string::npos) << one.dx.reason();
  EXPECT_EQ(one.dx.reason(), serial().dx.reason());

  // --jobs N: shards of the selected failures, merged back in their order.
  std::vector<std::vector<std::string>> ran;
  const SweepResult two = jobs(2, &ran, SweepOnly::Dx);
  ASSERT_EQ(two.rows.size(), one.rows.size());
  for (size_t i = 0; i < one.rows.size(); ++i) {
    EXPECT_EQ(two.rows[i].result.name, one.rows[i].result.name);
    EXPECT_EQ(ran[i % 2][i / 2], one.rows[i].result.name);
  }
  EXPECT_EQ(ran[0].size() + ran[1].size(), dx.size());
  EXPECT_EQ(two.dx.reason(), one.dx.reason());
  EXPECT_EQ(two.verdict(), one.verdict());

  // --shard K/N: a part of the selected failures, knowing how many there are.
  FakeLab lab(topo_, plan_);
  const SweepResult part = run_sweep(*lab.runner, topo_, plan_, 1, 1, Shard{2, 2}, SweepOnly::Dx);
  ASSERT_EQ(part.rows.size(), dx.size() / 2);
  EXPECT_EQ(part.rows[0].result.name, dx[1].kind + " " + dx[1].name);
  EXPECT_EQ(part.selected_failures, dx.size());
}

TEST_F(SweepJobsTest, AJobMissingOrOutOfOrderIsRefusedNamingIt) {
  const auto failures = sweep_failures(topo_, plan_, 1);
  ASSERT_GE(failures.size(), 4u);
  auto named = [&](size_t i) {
    ScenarioResult r;
    r.name = failures[i].kind + " " + failures[i].name;
    return r;
  };
  std::vector<std::vector<ScenarioResult>> per_job(2);
  for (size_t i = 0; i < failures.size(); ++i) per_job[i % 2].push_back(named(i));
  EXPECT_EQ(merge_jobs(plan_, failures, per_job).rows.size(), failures.size());

  auto missing = per_job;
  missing[1].pop_back();
  try {
    merge_jobs(plan_, failures, missing);
    FAIL() << "a job without its last failure was merged";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("job 2 of 2 has no result"), std::string::npos) << e.what();
  }
  auto swapped = per_job;
  std::swap(swapped[0][0], swapped[0][1]);
  EXPECT_THROW(merge_jobs(plan_, failures, swapped), Error);
  auto extra = per_job;
  extra[0].push_back(named(1));
  EXPECT_THROW(merge_jobs(plan_, failures, extra), Error);
}

TEST(JobNames, ValidDistinctAndOfTheLab) {
  for (const std::string lab : {"a", "hybrid", "lt12345", "abcdefgh"}) {
    std::set<std::string> names;
    for (int k = 1; k <= kMaxJobs; ++k) {
      const std::string n = job_lab_name(lab, k);
      EXPECT_TRUE(topology::valid_lab_name(n)) << n;
      EXPECT_NE(n, lab);
      EXPECT_EQ(n.substr(0, 1), lab.substr(0, 1));
      names.insert(n);
    }
    EXPECT_EQ(names.size(), static_cast<size_t>(kMaxJobs)) << lab;
  }
  EXPECT_EQ(job_lab_name("hybrid", 1), "hybridj1");
  EXPECT_EQ(job_lab_name("lt12345", 2), "lt1234j2");
  EXPECT_EQ(job_lab_name("abcdefgh", 12), "abcdej12");
}

TEST(JobSeeds, DerivedFromTheRunSeedOnlyAndDistinct) {
  std::set<uint64_t> seeds;
  for (int k = 1; k <= kMaxJobs; ++k) {
    EXPECT_EQ(job_seed(7, k), job_seed(7, k));
    seeds.insert(job_seed(7, k));
  }
  EXPECT_EQ(seeds.size(), static_cast<size_t>(kMaxJobs));
  EXPECT_NE(job_seed(7, 1), job_seed(8, 1));
  EXPECT_NE(job_seed(7, 1), 7u);
}

}  // namespace
}  // namespace netlab::scenario
