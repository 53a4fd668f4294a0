// A probe to an anycast service through the runner, on a real lab: two
// instances behind a router that spreads flows over both. Losing one must
// take it out of rotation, cost only the flows that were on it, and leave
// the service reachable; the figures are the anycast ones (probe.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lab_fixture.h"

namespace netlab::testing {
namespace {

TEST(AnycastLab, ALostInstanceLeavesTheRotationAndCostsOnlyItsFlows) {
  RealLab lab(scenario_data("anycast.toml"));
  if (!lab.skip_reason().empty()) GTEST_SKIP() << lab.skip_reason();
  // The instance's host loses power: its router withdraws the address.
  topology::Scenario sc;
  sc.name = "instance-lost";
  sc.fault.kind = topology::FaultKind::Poweroff;
  sc.fault.target = "app-a";
  sc.hold_s = 3;
  sc.expect.serving = {"app-b"};
  auto r = lab.runner().run(sc);
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_EQ(r.trials.size(), 1u);
  const scenario::Trial& t = r.trials[0];
  std::printf("  served before %lu/%lu, during %lu/%lu; %zu of %zu flows lost probes; outage %.0f/%.0f ms\n",
              (unsigned long)t.served_before.at("app-a"), (unsigned long)t.served_before.at("app-b"),
              (unsigned long)t.served.at("app-a"), (unsigned long)t.served.at("app-b"), t.flows_affected(),
              t.flow_count(), t.forward.outage_ms, t.reverse.outage_ms);
  // Both served before (8 flows over two paths); only app-b while it held.
  EXPECT_GT(t.served_before.at("app-a"), 0u);
  EXPECT_GT(t.served_before.at("app-b"), 0u);
  EXPECT_EQ(t.served.at("app-a"), 0u);
  EXPECT_THAT(t.serving, ::testing::ElementsAre("app-b"));
  EXPECT_TRUE(t.reachable);
  // Carrier loss is seen at once: well under BFD's 900 ms.
  EXPECT_LT(t.outage_ms(), 900);
  EXPECT_TRUE(t.forward.recovered && t.reverse.recovered);
  EXPECT_LT(t.flows_affected(), t.flow_count());
  EXPECT_TRUE(r.pass()) << r.targets.back().detail;
}

}  // namespace
}  // namespace netlab::testing
