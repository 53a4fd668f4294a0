// Backend selection for every combination of the capabilities it reads, and
// what each selection plans for a link impaired in every respect.
#include <gtest/gtest.h>

#include "netlab/base/error.h"
#include "netlab/impair/impair.h"
#include "support/fake_kernel.h"
#include "support/fake_processes.h"
#include "support/fake_tc.h"

namespace netlab::impair {
namespace {

using testing::FakeCapabilityProbe;

struct Combo {
  bool netem, nfqueue, nft, htb, delayer;
  std::string str() const {
    return std::string("netem=") + (netem ? "1" : "0") + " nfqueue=" + (nfqueue ? "1" : "0") +
           " nft=" + (nft ? "1" : "0") + " htb=" + (htb ? "1" : "0") +
           " delayer=" + (delayer ? "1" : "0");
  }
};

std::vector<Combo> all_combos() {
  std::vector<Combo> out;
  for (int m = 0; m < 32; ++m)
    out.push_back(Combo{(m & 1) != 0, (m & 2) != 0, (m & 4) != 0, (m & 8) != 0, (m & 16) != 0});
  return out;
}

kernel::Capabilities caps_of(const Combo& c) {
  kernel::Capabilities k = FakeCapabilityProbe::this_machine();
  k.netem = c.netem;
  k.nfqueue = c.nfqueue;
  k.nft_netdev = c.nft;
  k.htb = c.htb;
  return k;
}

// The table in impair.h, written out once more.
Backends expected(const Combo& c) {
  Backends b;
  b.delay = c.netem
                ? DelayBackend::Netem
                : (c.nfqueue && c.nft && c.delayer ? DelayBackend::Delayer : DelayBackend::None);
  b.loss = c.netem ? LossBackend::Netem : (c.nft ? LossBackend::NftIngress : LossBackend::None);
  b.rate = c.htb ? RateBackend::Htb : RateBackend::None;
  b.pps = c.nft ? PpsBackend::NftIngress : PpsBackend::None;  // with or without netem
  return b;
}

TEST(SelectBackends, EveryCapabilityCombination) {
  for (const Combo& c : all_combos()) {
    SCOPED_TRACE(c.str());
    EXPECT_EQ(select_backends(caps_of(c), c.delayer), expected(c));
  }
}

TEST(SelectBackends, ThisMachineAndAFullHost) {
  Backends here = select_backends(FakeCapabilityProbe::this_machine(), true);
  EXPECT_EQ(here, (Backends{DelayBackend::Delayer, LossBackend::NftIngress, RateBackend::Htb,
                            PpsBackend::NftIngress}));
  EXPECT_EQ(here.describe(),
            "delay/jitter: netlab-delay (NFQUEUE; no netem); loss: nftables netdev ingress numgen "
            "(no netem); rate: tc htb; pps: nftables netdev ingress limit");
  EXPECT_EQ(here.entries().at("delay"), "netlab-delay (NFQUEUE; no netem)");
  Backends full = select_backends(FakeCapabilityProbe::full(), true);
  EXPECT_EQ(full, (Backends{DelayBackend::Netem, LossBackend::Netem, RateBackend::Htb,
                            PpsBackend::NftIngress}));
  EXPECT_EQ(full.describe(),
            "delay/jitter: tc netem; loss: tc netem; rate: tc htb; pps: nftables netdev ingress "
            "limit");
  // netlab-delay missing: no delay backend without netem, and doctor says none.
  Backends bare = select_backends(FakeCapabilityProbe::this_machine(), false);
  EXPECT_EQ(bare.delay, DelayBackend::None);
  EXPECT_EQ(bare.entries().at("delay"), "none");
}

// What each selection makes of a link with delay, jitter, loss and rate:
// either the objects of exactly the chosen backends, or EnvironmentError
// before anything is touched when a feature has none.
TEST(SelectBackends, PlansFollowTheSelection) {
  for (const Combo& c : all_combos()) {
    SCOPED_TRACE(c.str());
    testing::FakeNetlink nl;
    testing::FakeNft nft(&nl);
    testing::FakeTc tc;
    testing::FakePacketQueues queues;
    testing::FakeProcesses procs;
    testing::FakeClock clock;
    nl.netns_create("nl-t-a");
    nl.netns_create("nl-t-b");
    nl.veth_create({"nl-t-a", "eth1", "nl-t-b", "eth1", 1500});
    Backends b = select_backends(caps_of(c), c.delayer);
    Impairer imp({nl, nft, tc, queues, procs, clock}, b, {.delayer_path = "/opt/netlab-delay"});
    Direction d{{"a", "nl-t-a", "eth1"}, {"b", "nl-t-b", "eth1"}};
    Impairment all{10, 1, 2, 100};
    bool possible =
        b.delay != DelayBackend::None && b.loss != LossBackend::None && b.rate != RateBackend::None;
    if (!possible) {
      EXPECT_THROW(imp.plan(d, all, 1), EnvironmentError);
      EXPECT_TRUE(tc.ops.empty());
      EXPECT_TRUE(nft.ops.empty());
      continue;
    }
    DirectionPlan p = imp.plan(d, all, 1);
    bool has_netem = false, has_htb = false;
    for (const auto& o : p.tc) {
      has_netem = has_netem || o.kind() == "netem";
      has_htb = has_htb || o.kind() == "htb";
    }
    EXPECT_EQ(has_netem, c.netem);
    EXPECT_TRUE(has_htb);
    EXPECT_EQ(!p.loss_nft.empty(), b.loss == LossBackend::NftIngress);
    EXPECT_EQ(p.delayer.has_value(), b.delay == DelayBackend::Delayer);
    EXPECT_EQ(p.steer.has_value(), b.delay == DelayBackend::Delayer);
    // Features that are not asked for need no backend.
    EXPECT_NO_THROW(imp.plan(d, Impairment{}, 1));
  }
}

}  // namespace
}  // namespace netlab::impair
