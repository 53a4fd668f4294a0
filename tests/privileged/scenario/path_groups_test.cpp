// Path-dependent outcomes on a real lab: two equal tunnels where the path
// before a fault is whichever BGP session is older (tests/data/scenario/
// two-paths.toml). Plain trials that start on different tunnels are
// reported per starting path; cover_paths makes each tunnel the active one
// by resetting the other session, as history would.
#include <gtest/gtest.h>

#include <algorithm>

#include "lab_fixture.h"
#include "netlab/scenario/paths.h"

namespace netlab::scenario {
namespace {

using netlab::testing::RealLab;

bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

class PathGroupsLab : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    lab_ = new RealLab(std::string(NETLAB_TEST_DATA) + "/scenario/two-paths.toml");
    skip_ = lab_->skip_reason();
  }
  static void TearDownTestSuite() {
    delete lab_;
    lab_ = nullptr;
  }
  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
  }
  static const topology::Scenario& scenario(const std::string& name) { return *lab_->topo().scenario(name); }

  static inline std::string skip_;
  static inline RealLab* lab_ = nullptr;
};

TEST_F(PathGroupsLab, TrialsThatStartOnDifferentTunnelsAreReportedPerTunnel) {
  // History first puts the probe on t1 (its session made the older one);
  // the maintenance of t1 resets t1's session, so every later trial starts
  // on t2: the trials start on different paths, as in a network that lives.
  auto control = lab::make_control(lab_->lab());
  const auto survey = settled_survey(*control, lab_->plan(), *lab_->topo().lab.probe, std::chrono::seconds(60));
  ASSERT_EQ(survey.starts(), 2u) << "cgw and vpn each hold t1 and t2 at equal preference; "
                                 << (survey.notes.empty() ? "" : survey.notes.front());
  ASSERT_EQ(make_active(*control, survey, 0, std::chrono::seconds(60)), "");

  const ScenarioResult r = lab_->runner().run(scenario("t1-maintenance"));
  ASSERT_EQ(r.error, "");
  ASSERT_EQ(r.trials.size(), 3u);
  EXPECT_TRUE(has(r.trials[0].path_before, "t1")) << "trial 1 starts where the test put the probe";
  EXPECT_TRUE(has(r.trials[1].path_before, "t2")) << "t1's session is the younger one after its maintenance";
  const auto groups = r.path_groups();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].trials, std::vector<int>{1});
  EXPECT_EQ(groups[1].trials, (std::vector<int>{2, 3}));
  EXPECT_NE(path_groups_line(r).find("(2 trials)"), std::string::npos) << path_groups_line(r);
  EXPECT_TRUE(r.pass()) << path_groups_line(r);
}

TEST_F(PathGroupsLab, CoverPathsStartsTrialsOnEachTunnel) {
  const ScenarioResult r = lab_->runner().run(scenario("t1-maintenance-covered"));
  ASSERT_EQ(r.error, "");
  ASSERT_TRUE(r.cover);
  EXPECT_EQ(r.cover->alternatives, (std::vector<std::string>{"cgw: t1, vpn: t1", "cgw: t2, vpn: t2"})) << r.cover->note;
  EXPECT_TRUE(r.cover->not_active.empty()) << r.cover->not_active.front().second;
  ASSERT_EQ(r.trials.size(), 2u);
  // Each trial started on its tunnel, in both directions (the other one not
  // at all), whatever the lab's history was.
  EXPECT_TRUE(has(r.trials[0].path_before, "t1") && !has(r.trials[0].path_before, "t2")) << r.trials[0].path_before.size();
  EXPECT_TRUE(has(r.trials[1].path_before, "t2") && !has(r.trials[1].path_before, "t1")) << r.trials[1].path_before.size();
  const auto groups = r.path_groups();
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].label, "t1");
  EXPECT_EQ(groups[1].label, "t2");
  EXPECT_TRUE(r.pass());
}

}  // namespace
}  // namespace netlab::scenario
