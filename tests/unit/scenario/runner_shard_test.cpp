// The runner's part of `--shard K/N`: it runs only the trials it is given,
// each under its serial number (the trial's message, its probe logs and its
// place in the report), on fakes as in trial_test.cpp: a cut of dx1
// blackholes the probe for 300 ms.
#include <gtest/gtest.h>

#include "netlab/scenario/runner.h"
#include "netlab/scenario/shard.h"
#include "support/fake_control.h"
#include "support/fake_dx_cut_lab.h"
#include "support/fake_flow_io.h"
#include "support/fake_kernel.h"
#include "support/test_plan.h"

namespace netlab::scenario {
namespace {

using netlab::testing::FakeClock;
using netlab::testing::FakeControl;
using netlab::testing::FakeDxCutLab;
using netlab::testing::FakeFlowIo;
using netlab::testing::FakeRouteMonitor;

class RunnerShardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sc_.name = "dx-cut";
    sc_.fault.kind = topology::FaultKind::Cut;
    sc_.fault.target = "dx1";
    sc_.hold_s = 2;
    sc_.trials = 3;
  }

  topology::Topology topo_ = netlab::testing::test_topology("scenario/hybrid.toml");
  plan::Plan plan_ = netlab::testing::test_plan(topo_);
  topology::Scenario sc_;
  RunnerOptions opt_;
  FakeDxCutLab lab_{plan_};
  FakeClock& clock_ = lab_.clock;
  FakeControl& control_ = lab_.control;
  FakeFlowIo& flows_ = lab_.flows;
  FakeRouteMonitor& routes_ = lab_.routes;
};

TEST_F(RunnerShardTest, RunsOnlyTheGivenTrialsUnderTheirSerialNumbers) {
  Runner runner(control_, flows_, plan_, topo_, routes_, opt_);
  EXPECT_EQ(runner.trial_count(sc_), 3);
  // Shard 2/2 of one scenario of 3 trials: trial 2 only.
  auto mine = shard_trials(Shard{2, 2}, {runner.trial_count(sc_)});
  ASSERT_EQ(mine.front(), (std::vector<int>{2}));
  ScenarioResult r = runner.run(sc_, mine.front());
  EXPECT_EQ(r.error, "");
  ASSERT_EQ(r.trials.size(), 1u);
  EXPECT_EQ(r.trials[0].index, 2);
  EXPECT_EQ(control_.said.front(), "scenario dx-cut: trial 2/3");
  EXPECT_EQ(flows_.started.back().options.out, plan_.runtime_dir + "/probe/dx-cut-2-app-0.log");
  EXPECT_EQ(r.verdict(), Verdict::Pass);
}

TEST_F(RunnerShardTest, TheTrialsOverrideCountsAsTheScenariosTrials) {
  opt_.trials_override = 5;
  Runner runner(control_, flows_, plan_, topo_, routes_, opt_);
  EXPECT_EQ(runner.trial_count(sc_), 5);
  ScenarioResult r = runner.run(sc_, {1, 4});
  ASSERT_EQ(r.trials.size(), 2u);
  EXPECT_EQ(r.trials[1].index, 4);
}

}  // namespace
}  // namespace netlab::scenario
