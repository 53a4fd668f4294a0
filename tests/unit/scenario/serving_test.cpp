// The `serving` target of anycast scenarios: every trial's set of serving
// instances must be exactly the expected one.
#include <gtest/gtest.h>

#include "netlab/scenario/results.h"

namespace netlab::scenario {
namespace {

ScenarioResult with_trials(std::vector<std::vector<std::string>> serving) {
  ScenarioResult r;
  r.name = "az-lost";
  int i = 0;
  for (auto& s : serving) {
    Trial t;
    t.index = ++i;
    t.serving = s;
    r.trials.push_back(t);
  }
  return r;
}

const Target* target(const ScenarioResult& r, const std::string& name) {
  for (const auto& t : r.targets)
    if (t.name == name) return &t;
  return nullptr;
}

TEST(ServingTarget, PassesWhenEveryTrialServedFromExactlyTheListedInstances) {
  topology::Expect e;
  e.serving = {"app-az3", "app-az2"};
  ScenarioResult r = with_trials({{"app-az2", "app-az3"}, {"app-az3", "app-az2"}});
  evaluate(e, r);
  const Target* t = target(r, "serving");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->pass());
  EXPECT_EQ(t->limit, "app-az2,app-az3");
  EXPECT_EQ(t->measured, "app-az2,app-az3");
}

TEST(ServingTarget, AnInstanceStillServingWasNotTakenOutOfRotation) {
  topology::Expect e;
  e.serving = {"app-az2", "app-az3"};
  ScenarioResult r = with_trials({{"app-az2", "app-az3"}, {"app-az1", "app-az2", "app-az3"}});
  evaluate(e, r);
  const Target* t = target(r, "serving");
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->pass());
  EXPECT_EQ(t->detail, "trial 2: app-az1,app-az2,app-az3");
  EXPECT_EQ(t->measured, "app-az2,app-az3 | app-az1,app-az2,app-az3");
}

TEST(ServingTarget, ASilentInstanceIsNotServing) {
  topology::Expect e;
  e.serving = {"app-az2", "app-az3"};
  ScenarioResult r = with_trials({{"app-az2"}, {}});
  evaluate(e, r);
  const Target* t = target(r, "serving");
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->pass());
  EXPECT_EQ(t->detail, "trial 1: app-az2; trial 2: none");
}

TEST(ServingTarget, OnlyWhenAsked) {
  ScenarioResult r = with_trials({{"a"}});
  evaluate({}, r);
  EXPECT_EQ(target(r, "serving"), nullptr);
}

}  // namespace
}  // namespace netlab::scenario
