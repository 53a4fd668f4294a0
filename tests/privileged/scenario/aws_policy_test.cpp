// AWS's routing rules on running labs (real FRR), where the unit tests
// (tests/unit/plan/aws_policy_test.cpp) only read the rendered configs:
//  - a Direct Connect gateway joins two sites only when both VIFs have
//    SiteLink, never two gateway associations, and picks the shortest
//    AS_PATH between two SiteLink VIFs of one site;
//  - its markers never reach a customer;
//  - a VIF accepts 100 routes and goes Idle at the 101st (FRR needs
//    `maximum-prefix 99` for that: plan/frr_config.h).
// The expected routes (what must be there) are checked by the lab's own
// convergence; these tests check what must NOT be there, which it cannot.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

#include "lab_fixture.h"

namespace netlab::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::set<std::string> fib(RealLab& lab, const std::string& node) {
  std::set<std::string> out;
  for (const auto& r : lab.lab().host().netlink.route_list(lab.plan().node(node)->ns))
    out.insert(r.dst.normalized().str());
  return out;
}

std::string vtysh(RealLab& lab, const std::string& node, const std::string& cmd) {
  return lab.lab().host().frr.vtysh(*lab.plan().node(node), {cmd});
}

class AwsPolicyLab : public SharedLab<AwsPolicyLab> {
 public:
  static constexpr const char* kTopology = "aws-policy.toml";
};

TEST_F(AwsPolicyLab, SiteLinkSitesReachEachOtherAndNoOtherSite) {
  auto c1 = fib(*lab_, "c1"), c2 = fib(*lab_, "c2"), c3 = fib(*lab_, "c3");
  EXPECT_TRUE(c1.count("10.2.0.0/24"));
  EXPECT_TRUE(c2.count("10.1.0.0/24"));
  // c3's VIF has no SiteLink: neither way.
  EXPECT_FALSE(c3.count("10.1.0.0/24"));
  EXPECT_FALSE(c3.count("10.2.0.0/24"));
  EXPECT_FALSE(c1.count("10.3.0.0/24"));
  EXPECT_FALSE(c2.count("10.3.0.0/24"));
  // Every site reaches both VPCs.
  for (const auto* f : {&c1, &c2, &c3}) {
    EXPECT_TRUE(f->count("10.101.0.0/16"));
    EXPECT_TRUE(f->count("10.102.0.0/16"));
  }
}

TEST_F(AwsPolicyLab, NoTransitBetweenTheGatewayAssociations) {
  EXPECT_FALSE(fib(*lab_, "vgw1").count("10.102.0.0/16"));
  EXPECT_FALSE(fib(*lab_, "vgw2").count("10.101.0.0/16"));
  EXPECT_TRUE(fib(*lab_, "vgw1").count("10.3.0.0/24"));  // but every VIF's routes
}

TEST_F(AwsPolicyLab, TheShortestAsPathWinsBetweenTwoSiteLinkVifs) {
  // c1 prepends twice on vif1b: the DXGW, and so c2, reach c1 over vif1.
  const std::string vif1_peer = lab_->plan().node("dxgw")->iface_on("vif1")->peer_address.str();
  std::string best = vtysh(*lab_, "dxgw", "show ip bgp 10.1.0.0/24 bestpath");
  EXPECT_THAT(best, HasSubstr(vif1_peer)) << best;
  EXPECT_THAT(vtysh(*lab_, "c2", "show ip bgp 10.1.0.0/24"), HasSubstr("64512 65001"));
}

TEST_F(AwsPolicyLab, NetlabsMarkersNeverReachACustomer) {
  for (const char* c : {"c1", "c2", "c3"}) {
    std::string table = vtysh(*lab_, c, "show ip bgp detail");
    EXPECT_THAT(table, Not(HasSubstr("7224:6500"))) << c;
  }
  // Inside AWS they are there: the DXGW marked c2's route at its VIF.
  EXPECT_THAT(vtysh(*lab_, "vgw1", "show ip bgp 10.2.0.0/24"), HasSubstr("7224:65001 7224:65002"));
}

// --- the prefix limit -------------------------------------------------------

// A customer announcing exactly 100 routes over its VIF.
class PrefixLimit : public ::testing::Test {
 protected:
  void SetUp() override {
    lab_ = std::make_unique<RealLab>(scenario_data("prefix-limit-100.toml"));
    if (!lab_->skip_reason().empty()) GTEST_SKIP() << lab_->skip_reason();
  }
  // The state dx's summary gives for its session with cgw.
  std::string state() {
    std::string json = vtysh(*lab_, "dx", "show bgp summary json");
    auto at = json.find("\"state\":");
    if (at == std::string::npos) return json;
    auto q1 = json.find('"', at + 8), q2 = json.find('"', q1 + 1);
    return json.substr(q1 + 1, q2 - q1 - 1);
  }
  std::unique_ptr<RealLab> lab_;
};

TEST_F(PrefixLimit, OneHundredRoutesOnAVifAreAcceptedAndThe101stPutsTheSessionIntoIdle) {
  // Converged: the session is up with all 100 routes.
  EXPECT_EQ(state(), "Established");
  EXPECT_EQ(fib(*lab_, "dx").count("10.1.99.0/24"), 1u);
  // One more route from the customer.
  lab_->lab().host().frr.vtysh(*lab_->plan().node("cgw"),
                               {"configure terminal", "router bgp 65001", "address-family ipv4 unicast",
                                "network 10.1.100.0/24", "end"});
  std::string st;
  for (int i = 0; i < 50 && (st = state()) != "Idle (PfxCt)"; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(st, "Idle (PfxCt)");
  const std::string nbr = vtysh(*lab_, "dx", "show bgp neighbor json");
  EXPECT_THAT(nbr, HasSubstr("Maximum Number of Prefixes Reached"));  // the Cease AWS's end sent
  EXPECT_THAT(nbr, HasSubstr("\"prefixesConfigExceedMax\":true"));
}

}  // namespace
}  // namespace netlab::testing
