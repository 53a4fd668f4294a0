// Every fault kind on the recording Control, over the plan of the default
// topology (tests/data/scenario/hybrid.toml): the exact operations of its
// injection and of its repair, the instants it logs (a FakeClock on which
// every operation costs 1 ms), and what a failing operation leaves behind
// once the fault is repaired.
#include <gtest/gtest.h>

#include "netlab/fault/fault.h"
#include "netlab/fault/kinds.h"
#include "netlab/lab/lab.h"
#include "support/fake_control.h"
#include "support/test_plan.h"

namespace netlab::fault {
namespace {

using netlab::testing::FakeClock;
using netlab::testing::FakeControl;
using topology::FaultKind;
using Ops = std::vector<std::string>;

constexpr int64_t kT0 = 1'000'000'000;  // the FakeClock's start
constexpr int64_t kMs = 1'000'000;

topology::Fault fault_of(FaultKind k, const std::string& target) {
  topology::Fault f;
  f.kind = k;
  f.target = target;
  return f;
}

class FaultTest : public ::testing::Test {
 protected:
  std::unique_ptr<Fault> make(const topology::Fault& f) { return make_fault(f, plan_, control_); }
  // Injects and returns the operations of the injection (and clears them).
  Ops inject(Fault& f) {
    f.inject();
    return take();
  }
  Ops repair(Fault& f) {
    f.repair();
    return take();
  }
  Ops take() {
    Ops o = control_.ops();
    control_.clear();
    return o;
  }

  topology::Topology topo_ = netlab::testing::test_topology("scenario/hybrid.toml");
  plan::Plan plan_ = netlab::testing::test_plan(topo_);
  FakeClock clock_{kT0};
  FakeControl control_{clock_};
};

// --- the table ---------------------------------------------------------------

TEST(FaultKinds, EveryKindOfTheTopologyHasOneRowUnderItsName) {
  for (auto k : topology::all_fault_kinds()) {
    const KindInfo& row = kind_info(k);
    EXPECT_EQ(row.name, topology::to_string(k));
    EXPECT_FALSE(row.description.empty()) << row.name;
    EXPECT_EQ(find_kind(row.name), &row);
  }
  EXPECT_EQ(std::size(kKinds), topology::all_fault_kinds().size());
  EXPECT_EQ(find_kind("meteor"), nullptr);
}

// --- cut ------------------------------------------------------------------------

TEST_F(FaultTest, CutDropsAtBothEndsAndRepairLetsThrough) {
  auto f = make(fault_of(FaultKind::Cut, "dx1"));
  EXPECT_EQ(f->inject(), kT0);
  EXPECT_EQ(take(), (Ops{"cut cgw:dx1 cut", "cut dx-ny5:dx1 cut"}));
  EXPECT_EQ(f->actions(), (std::vector<Action>{{kT0, "cgw", "cut", "dx1"},
                                               {kT0 + kMs, "dx-ny5", "cut", "dx1"}}));
  EXPECT_TRUE(f->injected());
  EXPECT_EQ(f->repair(), kT0 + 2 * kMs);
  EXPECT_EQ(take(), (Ops{"uncut cgw:dx1 cut", "uncut dx-ny5:dx1 cut"}));
  EXPECT_FALSE(f->injected());
  EXPECT_TRUE(control_.pristine());
  EXPECT_EQ(f->actions().back(), (Action{kT0 + 3 * kMs, "dx-ny5", "uncut", "dx1"}));
}

TEST_F(FaultTest, CutOfATunnelCutsItsInterfaces) {
  auto f = make(fault_of(FaultKind::Cut, "vpn1-t2"));
  EXPECT_EQ(inject(*f), (Ops{"cut cgw:vpn1-t2 cut", "cut vpn-az2:vpn1-t2 cut"}));
}

TEST_F(FaultTest, ACutFailingHalfWayIsRepairedWhole) {
  auto f = make(fault_of(FaultKind::Cut, "dx1"));
  control_.fail("cut", 2);
  EXPECT_THROW(f->inject(), KernelError);
  EXPECT_TRUE(f->injected());
  EXPECT_EQ(control_.cut_ends, (std::set<std::string>{"cgw:dx1 cut"}));
  EXPECT_EQ(take(), (Ops{"cut cgw:dx1 cut", "cut dx-ny5:dx1 cut -> failed"}));
  EXPECT_EQ(repair(*f), (Ops{"uncut cgw:dx1 cut", "uncut dx-ny5:dx1 cut"}));
  EXPECT_TRUE(control_.pristine());
}

TEST_F(FaultTest, ANameThePlanLacksIsRefusedWhenTheFaultIsMade) {
  EXPECT_THROW(make(fault_of(FaultKind::Cut, "dx9")), InputError);
  EXPECT_TRUE(control_.calls().empty());
}

// --- oneway ---------------------------------------------------------------------

TEST_F(FaultTest, OnewayDropsAtTheFarEndOfFrom) {
  auto f = fault_of(FaultKind::Oneway, "dx1");
  f.from = "cgw";
  auto a = make(f);
  EXPECT_EQ(inject(*a), (Ops{"cut dx-ny5:dx1 oneway"}));
  EXPECT_EQ(repair(*a), (Ops{"uncut dx-ny5:dx1 oneway"}));
  f.from = "dx-ny5";
  auto b = make(f);
  EXPECT_EQ(inject(*b), (Ops{"cut cgw:dx1 oneway"}));
  EXPECT_EQ(b->actions(), (std::vector<Action>{{kT0 + 2 * kMs, "cgw", "cut", "dx1"}}));
}

// --- down -----------------------------------------------------------------------

TEST_F(FaultTest, DownDropsTheCarrierAndRepairReappliesTheRoutesOfBothEnds) {
  auto f = make(fault_of(FaultKind::Down, "server-cgw"));
  EXPECT_EQ(inject(*f), (Ops{"link-down server:eth1", "link-down cgw:eth1"}));
  EXPECT_EQ(repair(*f), (Ops{"link-up server:eth1", "link-up cgw:eth1", "reapply-routes cgw",
                             "reapply-routes server"}));
  EXPECT_EQ(f->actions(), (std::vector<Action>{{kT0, "server", "link-down", "eth1"},
                                               {kT0 + kMs, "cgw", "link-down", "eth1"},
                                               {kT0 + 2 * kMs, "server", "link-up", "eth1"},
                                               {kT0 + 3 * kMs, "cgw", "link-up", "eth1"}}));
  EXPECT_TRUE(control_.pristine());
}

TEST_F(FaultTest, ADownFailingHalfWayIsRepairedWhole) {
  auto f = make(fault_of(FaultKind::Down, "dx1"));
  control_.fail("link-down", 2);
  EXPECT_THROW(f->inject(), KernelError);
  EXPECT_EQ(control_.down_ends, (std::set<std::string>{"cgw:dx1"}));
  f->repair();
  EXPECT_TRUE(control_.pristine());
}

// --- flap -----------------------------------------------------------------------

TEST_F(FaultTest, FlapGoesDownAndUpOnItsScheduleAndEndsUp) {
  auto spec = fault_of(FaultKind::Flap, "dx1");
  spec.period_ms = 1000;
  spec.count = 2;
  auto f = make(spec);
  EXPECT_EQ(inject(*f), (Ops{"link-down cgw:dx1", "link-down dx-ny5:dx1", "link-up cgw:dx1",
                             "link-up dx-ny5:dx1", "link-down cgw:dx1", "link-down dx-ny5:dx1",
                             "link-up cgw:dx1", "link-up dx-ny5:dx1", "reapply-routes cgw",
                             "reapply-routes dx-ny5"}));
  std::vector<int64_t> at;
  for (const auto& a : f->actions()) at.push_back(a.t_ns - kT0);
  // Each half period from the first instant, not from the previous action.
  EXPECT_EQ(at, (std::vector<int64_t>{0, kMs, 500 * kMs, 501 * kMs, 1000 * kMs, 1001 * kMs,
                                      1500 * kMs, 1501 * kMs}));
  EXPECT_TRUE(control_.pristine());
  EXPECT_EQ(repair(*f), (Ops{"link-up cgw:dx1", "link-up dx-ny5:dx1", "reapply-routes cgw",
                             "reapply-routes dx-ny5"}));
}

TEST_F(FaultTest, AFlapStoppedWhileDownIsRepairedUp) {
  auto spec = fault_of(FaultKind::Flap, "dx1");
  spec.period_ms = 1000;
  auto f = make(spec);
  control_.on_call = [&](const std::string& line) {
    if (line == "link-down dx-ny5:dx1") control_.stop_requested = true;
  };
  EXPECT_THROW(f->inject(), lab::Interrupted);
  EXPECT_EQ(control_.down_ends.size(), 2u);
  f->repair();
  EXPECT_TRUE(control_.pristine());
}

// --- degrade --------------------------------------------------------------------

TEST_F(FaultTest, DegradeImpairsTheLinkAndRepairRestoresIt) {
  auto spec = fault_of(FaultKind::Degrade, "dx1");
  spec.loss_pct = 5;
  spec.delay_ms = 10;
  auto f = make(spec);
  EXPECT_EQ(inject(*f), (Ops{"impair dx1 delay 10ms loss 5%"}));
  // Both ends at the instant the impairment took effect.
  EXPECT_EQ(f->actions(), (std::vector<Action>{{kT0, "cgw", "degrade", "dx1 delay 10ms loss 5%"},
                                               {kT0, "dx-ny5", "degrade", "dx1 delay 10ms loss 5%"}}));
  EXPECT_EQ(repair(*f), (Ops{"restore dx1"}));
  EXPECT_EQ(f->actions().back(), (Action{kT0 + kMs, "dx-ny5", "degrade-repaired", "dx1"}));
  EXPECT_TRUE(control_.pristine());
}

TEST_F(FaultTest, DegradeAddsToTheLinksOwnImpairment) {
  for (auto& l : plan_.links)
    if (l.name == "dx1") l.impair.delay_ms = 20, l.impair.loss_pct = 10;
  auto spec = fault_of(FaultKind::Degrade, "dx1");
  spec.loss_pct = 10;
  auto f = make(spec);
  EXPECT_EQ(inject(*f), (Ops{"impair dx1 delay 20ms loss 19%"}));
  // The timeline names the fault's own share.
  EXPECT_EQ(f->actions().front().detail, "dx1 loss 10%");
}

TEST_F(FaultTest, DegradeOnATunnelKeepsItsRateAndPacketLimits) {
  // AWS's per-tunnel limits are the tunnel's own impairment: a degrade adds
  // its delay and loss and keeps them.
  ASSERT_TRUE(plan_.tunnel("vpn1-t1"));
  EXPECT_EQ(plan_.tunnel("vpn1-t1")->impair.rate_mbit, 1250);
  EXPECT_EQ(plan_.tunnel("vpn1-t1")->impair.pps, 140000);
  auto spec = fault_of(FaultKind::Degrade, "vpn1-t1");
  spec.loss_pct = 10;
  auto f = make(spec);
  EXPECT_EQ(inject(*f), (Ops{"impair vpn1-t1 loss 10% rate 1250Mbit pps 140000"}));
  // The repair brings the tunnel back to its limits, not to nothing.
  EXPECT_EQ(repair(*f), (Ops{"restore vpn1-t1"}));
}

TEST_F(FaultTest, ADegradeThatFailsIsRestored) {
  auto spec = fault_of(FaultKind::Degrade, "dx1");
  spec.loss_pct = 5;
  auto f = make(spec);
  control_.fail("impair");
  EXPECT_THROW(f->inject(), KernelError);
  EXPECT_TRUE(f->injected());
  take();
  EXPECT_EQ(repair(*f), (Ops{"restore dx1"}));
}

// --- crash ----------------------------------------------------------------------

TEST_F(FaultTest, CrashKillsTheDaemonsAndRepairStartsThemOnlyWhenDown) {
  auto f = make(fault_of(FaultKind::Crash, "dx-ny5"));
  EXPECT_EQ(inject(*f), (Ops{"kill-daemons dx-ny5"}));
  EXPECT_EQ(f->actions(), (std::vector<Action>{{kT0, "dx-ny5", "daemons-killed", "zebra bgpd bfdd staticd"}}));
  f->repair();
  EXPECT_EQ(control_.calls(), (Ops{"daemons-running dx-ny5", "start-daemons dx-ny5"}));
  EXPECT_EQ(f->actions().back(), (Action{kT0 + 2 * kMs, "dx-ny5", "daemons-started", "zebra bgpd bfdd staticd"}));
  EXPECT_TRUE(control_.pristine());
}

TEST_F(FaultTest, ACrashWhoseKillFailedStartsNothing) {
  auto f = make(fault_of(FaultKind::Crash, "dx-ny5"));
  control_.fail("kill-daemons");
  EXPECT_THROW(f->inject(), KernelError);
  take();
  f->repair();
  EXPECT_EQ(control_.calls(), Ops{"daemons-running dx-ny5"});
}

// --- poweroff -------------------------------------------------------------------

TEST_F(FaultTest, PoweroffDownsEveryLinkOfTheNodeFirstThenKillsItsDaemons) {
  auto f = make(fault_of(FaultKind::Poweroff, "dx-ny5"));
  EXPECT_EQ(inject(*f), (Ops{"link-down dx-ny5:dx1", "link-down dx-ny5:eth1", "kill-daemons dx-ny5"}));
  EXPECT_EQ(repair(*f), (Ops{"link-up dx-ny5:dx1", "link-up dx-ny5:eth1", "reapply-routes dx-ny5",
                             "start-daemons dx-ny5"}));
  EXPECT_TRUE(control_.pristine());
}

TEST_F(FaultTest, PoweroffOfAHostKillsNoDaemons) {
  auto f = make(fault_of(FaultKind::Poweroff, "server"));
  EXPECT_EQ(inject(*f), (Ops{"link-down server:eth1"}));
  EXPECT_EQ(repair(*f), (Ops{"link-up server:eth1", "reapply-routes server"}));
}

TEST_F(FaultTest, APoweroffFailingAtTheDaemonsBringsTheLinksBack) {
  auto f = make(fault_of(FaultKind::Poweroff, "vgw"));
  control_.fail("kill-daemons");
  EXPECT_THROW(f->inject(), KernelError);
  EXPECT_EQ(control_.down_ends.size(), 4u);
  f->repair();
  EXPECT_TRUE(control_.pristine());
  // The daemons were never killed: nothing to start.
  EXPECT_EQ(control_.ops().back(), "reapply-routes vgw");
}

// --- domain ---------------------------------------------------------------------

TEST_F(FaultTest, ADomainTakesDownItsNodesAndItsLinksAtOneInstant) {
  // dx1 is tagged location=ny5 beside dx-ny5 itself; with dx-ny5 untagged
  // only the link is in the domain.
  for (auto& n : plan_.nodes)
    if (n.name == "dx-ny5") n.domains.location.reset();
  auto spec = fault_of(FaultKind::Domain, "");
  spec.domain_type = topology::DomainType::Location;
  spec.domain_value = "ny5";
  auto f = make(spec);
  EXPECT_EQ(inject(*f), (Ops{"link-down cgw:dx1", "link-down dx-ny5:dx1"}));
  EXPECT_EQ(repair(*f), (Ops{"link-up cgw:dx1", "link-up dx-ny5:dx1", "reapply-routes cgw",
                             "reapply-routes dx-ny5"}));
}

TEST_F(FaultTest, ADomainsNodeTakesItsOwnLinksOnce) {
  auto spec = fault_of(FaultKind::Domain, "");
  spec.domain_type = topology::DomainType::Location;
  spec.domain_value = "ny5";
  auto f = make(spec);
  // As a poweroff of dx-ny5: dx1 goes with its node, not a second time.
  EXPECT_EQ(inject(*f), (Ops{"link-down dx-ny5:dx1", "link-down dx-ny5:eth1", "kill-daemons dx-ny5"}));
}

TEST_F(FaultTest, ADomainNothingIsTaggedWithIsRefused) {
  auto spec = fault_of(FaultKind::Domain, "");
  spec.domain_type = topology::DomainType::Location;
  spec.domain_value = "atlantis";
  EXPECT_THROW(make(spec), InputError);
}

// --- bgp_down -------------------------------------------------------------------

TEST_F(FaultTest, BgpDownShutsThePeeringAtTheAwsEnd) {
  auto f = make(fault_of(FaultKind::BgpDown, "dx1"));
  EXPECT_EQ(inject(*f), (Ops{"bgp-shutdown dx-ny5 169.254.10.1"}));
  EXPECT_EQ(f->actions(), (std::vector<Action>{{kT0, "dx-ny5", "bgp-shutdown", "169.254.10.1"}}));
  EXPECT_EQ(repair(*f), (Ops{"bgp-no-shutdown dx-ny5 169.254.10.1"}));
  EXPECT_TRUE(control_.pristine());
}

TEST_F(FaultTest, BgpDownOverALinkWithoutASessionIsRefused) {
  EXPECT_THROW(make(fault_of(FaultKind::BgpDown, "server-cgw")), InputError);
}

// --- maintenance ----------------------------------------------------------------

TEST_F(FaultTest, MaintenanceMovesTheTrafficFirstThenDrainsShutsAndCuts) {
  auto f = make(fault_of(FaultKind::Maintenance, "vpn1-t1"));
  EXPECT_EQ(inject(*f), (Ops{"bgp-set-med vpn-az2 TO-vpn1-t2 metric 50 169.254.21.1",
                             "bgp-graceful-shutdown vpn-az1", "bgp-shutdown vpn-az1 169.254.20.1",
                             "cut cgw:vpn1-t1 maint", "cut vpn-az1:vpn1-t1 maint"}));
  std::vector<int64_t> at;
  for (const auto& a : f->actions()) at.push_back(a.t_ns - kT0);
  // 2 s for the MED to settle, 1 s to drain.
  // The preparation's steps are events of their own, before the fault instant.
  EXPECT_EQ(at, (std::vector<int64_t>{0, 1 * kMs, 2001 * kMs, 2002 * kMs, 3002 * kMs, 3003 * kMs, 3004 * kMs}));
  EXPECT_EQ(f->actions()[1].kind, "med-settle");
  EXPECT_EQ(f->actions()[3].kind, "drain");
  EXPECT_EQ(f->actions().front(), (Action{kT0, "vpn-az2", "med-lowered", "TO-vpn1-t2 metric 50"}));
  EXPECT_EQ(repair(*f), (Ops{"uncut cgw:vpn1-t1 maint", "uncut vpn-az1:vpn1-t1 maint",
                             "bgp-no-shutdown vpn-az1 169.254.20.1", "bgp-graceful-shutdown-off vpn-az1",
                             "bgp-set-med vpn-az2 TO-vpn1-t2 metric 100 169.254.21.1"}));
  EXPECT_EQ(f->actions().back().kind, "med-restored");
  EXPECT_TRUE(control_.pristine());
  EXPECT_EQ(control_.meds, (std::map<std::string, uint32_t>{{"vpn-az2 TO-vpn1-t2", 100}}));
}

TEST_F(FaultTest, AMaintenancesFaultInstantIsWhenTheEndpointGoesAway) {
  auto f = make(fault_of(FaultKind::Maintenance, "vpn1-t1"));
  // Not when the MED is lowered: the data plane is touched 3 s later.
  EXPECT_EQ(f->inject(), kT0 + 3002 * kMs);
  EXPECT_EQ(f->prepared_at(), kT0);
  f->repair();
}

TEST_F(FaultTest, ADegradesFaultInstantIsWhenTheImpairmentTakesEffect) {
  auto spec = fault_of(FaultKind::Degrade, "dx1");
  spec.delay_ms = 10;
  auto f = make(spec);
  control_.impair_setup_ns = 40 * kMs;  // the delayers starting
  EXPECT_EQ(f->inject(), kT0 + 40 * kMs);
  EXPECT_EQ(f->actions().front(), (Action{kT0, "", "degrade-prepare", "dx1"}));
  f->repair();
}

TEST_F(FaultTest, AMaintenanceStoppedWhileDrainingIsRepairedWhole) {
  auto f = make(fault_of(FaultKind::Maintenance, "vpn1-t1"));
  control_.on_call = [&](const std::string& line) {
    if (line.starts_with("bgp-graceful-shutdown ")) control_.stop_requested = true;
  };
  EXPECT_THROW(f->inject(), lab::Interrupted);
  control_.stop_requested = false;
  f->repair();
  EXPECT_TRUE(control_.pristine());
  EXPECT_EQ(control_.meds.at("vpn-az2 TO-vpn1-t2"), 100u);
}

TEST_F(FaultTest, MaintenanceOfALinkIsRefused) {
  EXPECT_THROW(make(fault_of(FaultKind::Maintenance, "dx1")), InputError);
}

}  // namespace
}  // namespace netlab::fault
