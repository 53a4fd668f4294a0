// The Impairer with recording fakes: the exact objects, commands and
// processes it plans, the order it applies and removes them in, and what it
// does when a step fails.
#include <gtest/gtest.h>

#include <cmath>

#include "netlab/base/error.h"
#include "netlab/impair/impair.h"
#include "support/fake_kernel.h"
#include "support/fake_processes.h"
#include "support/fake_tc.h"

namespace netlab::impair {
namespace {

using testing::FakeCapabilityProbe;

class ImpairerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    nl.netns_create("nl-t-a");
    nl.netns_create("nl-t-b");
    nl.veth_create({"nl-t-a", "eth1", "nl-t-b", "eth1", 1500});  // index 2 at both ends
    nl.ops.clear();
  }

  Impairer make(bool netem) {
    auto caps = netem ? FakeCapabilityProbe::full() : FakeCapabilityProbe::this_machine();
    return Impairer({nl, nft, tc, queues, procs, clock}, select_backends(caps, true),
                    {.delayer_path = "/opt/netlab/netlab-delay"});
  }

  testing::FakeNetlink nl;
  testing::FakeNft nft{&nl};
  testing::FakeTc tc;
  testing::FakePacketQueues queues;
  testing::FakeProcesses procs;
  testing::FakeClock clock;
  Direction a_to_b{{"a", "nl-t-a", "eth1"}, {"b", "nl-t-b", "eth1"}};
};

// --- plans ---

TEST_F(ImpairerTest, FallbackPlanOnAHostWithoutNetem) {
  Impairer imp = make(false);
  DirectionPlan p =
      imp.plan(a_to_b, Impairment{10, 2, 1.5, 100}, 77, "/run/netlab/x/nodes/b/delay-eth1.log");
  // Rate on the sender's egress, with 100 ms of buffer under it.
  ASSERT_EQ(p.tc.size(), 3u);
  EXPECT_EQ(p.tc[0].str(), "qdisc htb 1: root default 1");
  EXPECT_EQ(p.tc[1].str(),
            "class htb 1:1 parent 1: rate 100Mbit ceil 100Mbit burst 12500b cburst 12500b quantum "
            "200000");
  EXPECT_EQ(p.tc[2].str(), "qdisc bfifo 10: parent 1:1 limit 1250000b");
  // Loss on the receiver's ingress, 1.5% = 150 in 10000; idempotent.
  EXPECT_EQ(
      testing::FakeNft::one_line(p.loss_nft),
      "add table netdev nl_loss_eth1; "
      "add chain netdev nl_loss_eth1 c { type filter hook ingress device \"eth1\" priority -400; "
      "policy accept; }; flush chain netdev nl_loss_eth1 c; "
      "add rule netdev nl_loss_eth1 c numgen random mod 10000 < 150 counter drop");
  EXPECT_EQ(p.loss_table, "nl_loss_eth1");
  // Delay: the delayer in the receiver's namespace, on queue = ifindex.
  ASSERT_TRUE(p.delayer);
  EXPECT_EQ(p.delayer->ns, "nl-t-b");
  EXPECT_EQ(p.delayer->argv,
            (std::vector<std::string>{"/opt/netlab/netlab-delay", "--queue", "2", "--delay-us",
                                      "10000", "--jitter-us", "2000", "--seed", "77", "--limit",
                                      "10000", "--rt"}));
  EXPECT_EQ(p.delayer->log_path, "/run/netlab/x/nodes/b/delay-eth1.log");
  ASSERT_TRUE(p.steer);
  EXPECT_EQ(*p.steer, (kernel::QueueSteer{"eth1", 2, false}));  // fail-closed: no bypass
  EXPECT_EQ(p.process_name(), "delay-eth1");
  EXPECT_EQ(p.str(),
            "a:eth1 -> b:eth1: delay 10ms jitter 2ms loss 1.5% rate 100Mbit\n"
            "  nl-t-a eth1: tc qdisc htb 1: root default 1\n"
            "  nl-t-a eth1: tc class htb 1:1 parent 1: rate 100Mbit ceil 100Mbit burst 12500b "
            "cburst 12500b quantum 200000\n"
            "  nl-t-a eth1: tc qdisc bfifo 10: parent 1:1 limit 1250000b\n"
            "  nl-t-b eth1: nft table netdev nl_loss_eth1 (numgen random mod 10000 < 150 drop)\n"
            "  [nl-t-b] /opt/netlab/netlab-delay --queue 2 --delay-us 10000 --jitter-us 2000 "
            "--seed 77 --limit 10000 --rt\n"
            "  nl-t-b: nft table ip nl_delay_eth1 iifname eth1 -> queue 2\n");
  EXPECT_TRUE(tc.ops.empty());  // planning touches nothing
  EXPECT_TRUE(nft.ops.empty());
}

TEST_F(ImpairerTest, NetemPlanPutsEverythingOnTheSender) {
  Impairer imp = make(true);
  DirectionPlan p = imp.plan(a_to_b, Impairment{10, 2, 1.5, 100}, 77);
  ASSERT_EQ(p.tc.size(), 3u);
  // netem is the class's queue: 112 ms at 100 Mbit/s = 1.4 MB = 925 frames.
  EXPECT_EQ(p.tc[2].str(),
            "qdisc netem 10: parent 1:1 delay 10ms jitter 2ms loss 1.5% limit 925 seed 77");
  EXPECT_TRUE(p.loss_nft.empty());
  EXPECT_FALSE(p.delayer);
  EXPECT_FALSE(p.steer);

  DirectionPlan only_netem = imp.plan(a_to_b, Impairment{5, 0, 0, 0}, 3);
  ASSERT_EQ(only_netem.tc.size(), 1u);
  EXPECT_EQ(only_netem.tc[0].str(),
            "qdisc netem 1: root delay 5ms jitter 0ms loss 0% limit 10000 seed 3");
}

TEST_F(ImpairerTest, SmallRatesKeepAtLeastTwoFramesOfBurst) {
  Impairer imp = make(false);
  DirectionPlan p = imp.plan(a_to_b, Impairment{0, 0, 0, 10}, 1);
  ASSERT_EQ(p.tc.size(), 3u);
  const auto& c = std::get<kernel::HtbClass>(p.tc[1].options);
  EXPECT_EQ(c.rate_bytes, 1'250'000u);
  EXPECT_EQ(c.burst_bytes, 3028u);  // 1 ms would be 1250 B: less than a frame
  EXPECT_EQ(c.quantum, 125'000u);
  EXPECT_EQ(std::get<kernel::FifoQdisc>(p.tc[2].options).limit_bytes, 125'000u);  // 100 ms
  DirectionPlan slow = imp.plan(a_to_b, Impairment{0, 0, 0, 0.1}, 1);
  EXPECT_EQ(std::get<kernel::FifoQdisc>(slow.tc[2].options).limit_bytes, 15'140u);  // ten frames
}

TEST_F(ImpairerTest, LossOnlyOrJitterOnly) {
  Impairer imp = make(false);
  DirectionPlan loss = imp.plan(a_to_b, Impairment{0, 0, 50, 0}, 1);
  EXPECT_TRUE(loss.tc.empty());
  EXPECT_FALSE(loss.delayer);
  EXPECT_NE(loss.loss_nft.find("numgen random mod 10000 < 5000 counter drop"), std::string::npos);
  DirectionPlan jitter = imp.plan(a_to_b, Impairment{0, 3, 0, 0}, 1);
  ASSERT_TRUE(jitter.delayer);
  EXPECT_EQ(jitter.delayer->argv[4], "0");
  EXPECT_EQ(jitter.delayer->argv[6], "3000");
}

TEST_F(ImpairerTest, InvalidValuesAreInputErrors) {
  Impairer imp = make(false);
  EXPECT_THROW(imp.plan(a_to_b, Impairment{-1, 0, 0, 0}, 1), InputError);
  EXPECT_THROW(imp.plan(a_to_b, Impairment{0, 0, 101, 0}, 1), InputError);
  EXPECT_THROW(imp.plan(a_to_b, Impairment{0, 0, 0, 0.001}, 1), InputError);
  EXPECT_THROW(imp.plan(a_to_b, Impairment{std::nan(""), 0, 0, 0}, 1), InputError);
}

TEST_F(ImpairerTest, MissingReceiverInterfaceIsAKernelError) {
  Impairer imp = make(false);
  Direction d = a_to_b;
  d.to.ifname = "eth9";
  EXPECT_THROW(imp.plan(d, Impairment{10, 0, 0, 0}, 1), KernelError);
}

TEST_F(ImpairerTest, NoDelayerBinaryNoDelay) {
  Impairer imp({nl, nft, tc, queues, procs, clock},
               select_backends(FakeCapabilityProbe::this_machine(), true), {.delayer_path = ""});
  EXPECT_THROW(imp.plan(a_to_b, Impairment{10, 0, 0, 0}, 1), EnvironmentError);
}

// --- apply and remove ---

TEST_F(ImpairerTest, ApplyInstallsThenSteersOnceTheDelayerIsBound) {
  Impairer imp = make(false);
  DirectionPlan p = imp.plan(a_to_b, Impairment{10, 0, 1, 100}, 5);
  auto pid = procs.spawn(*p.delayer);
  queues.bind_after("nl-t-b", 2, 3);  // three polls say "not yet"
  const int64_t before = clock.now_ns();
  const int64_t started = imp.apply(p, pid);
  EXPECT_EQ(started, before + 3'000'000);  // once bound, before the first qdisc
  EXPECT_EQ(tc.ops,
            (std::vector<std::string>{
                "tc nl-t-a eth1 replace qdisc htb 1: root default 1",
                "tc nl-t-a eth1 replace class htb 1:1 parent 1: rate 100Mbit ceil 100Mbit burst "
                "12500b cburst 12500b quantum 200000",
                "tc nl-t-a eth1 replace qdisc bfifo 10: parent 1:1 limit 1250000b"}));
  ASSERT_EQ(nft.ops.size(), 1u);
  EXPECT_EQ(nft.ops[0].rfind("nft nl-t-b add table netdev nl_loss_eth1;", 0), 0u);
  EXPECT_EQ(queues.ops, (std::vector<std::string>{"steer nl-t-b iifname eth1 -> queue 2"}));
  EXPECT_EQ(queues.stats_calls, 4);
  EXPECT_EQ(clock.sleeps(), (std::vector<int64_t>{1'000'000, 1'000'000, 1'000'000}));
}

TEST_F(ImpairerTest, ApplyWithoutTheDelayerIsRefused) {
  Impairer imp = make(false);
  DirectionPlan p = imp.plan(a_to_b, Impairment{10, 0, 0, 0}, 5);
  EXPECT_THROW(imp.apply(p), Error);
  EXPECT_TRUE(queues.ops.empty());
}

TEST_F(ImpairerTest, ADelayerThatDiesBeforeBindingFailsAndRollsBack) {
  Impairer imp = make(false);
  DirectionPlan p = imp.plan(a_to_b, Impairment{10, 0, 1, 100}, 5, "/tmp/d.log");
  auto pid = procs.spawn(*p.delayer);
  procs.crash(pid, {.code = 1, .signal = 0});
  try {
    imp.apply(p, pid);
    FAIL() << "apply succeeded";
  } catch (const Error& e) {
    EXPECT_STREQ(
        e.what(),
        "netlab-delay for a:eth1 -> b:eth1 exited 1 before binding queue 2; see /tmp/d.log");
  }
  // The delayer is waited for before anything is installed: nothing to undo.
  EXPECT_TRUE(queues.ops.empty());
  EXPECT_TRUE(nft.ops.empty());
  EXPECT_TRUE(tc.ops.empty());
}

TEST_F(ImpairerTest, ADelayerThatNeverBindsTimesOut) {
  Impairer imp({nl, nft, tc, queues, procs, clock},
               select_backends(FakeCapabilityProbe::this_machine(), true),
               {.delayer_path = "/x/netlab-delay", .bind_timeout = std::chrono::milliseconds(50)});
  DirectionPlan p = imp.plan(a_to_b, Impairment{10, 0, 0, 0}, 5);
  auto pid = procs.spawn(*p.delayer);
  EXPECT_THROW(imp.apply(p, pid), Error);
  EXPECT_GE(clock.sleeps().size(), 50u);
  EXPECT_LE(clock.sleeps().size(), 52u);
  EXPECT_TRUE(queues.steered.empty());
}

TEST_F(ImpairerTest, AFailedSteerRollsBackEverything) {
  Impairer imp = make(false);
  DirectionPlan p = imp.plan(a_to_b, Impairment{10, 0, 1, 100}, 5);
  auto pid = procs.spawn(*p.delayer);
  queues.bind_after("nl-t-b", 2, 0);
  queues.fail_nth("steer", 1, ENOENT);
  EXPECT_THROW(imp.apply(p, pid), KernelError);
  EXPECT_EQ(queues.ops, (std::vector<std::string>{"steer nl-t-b iifname eth1 -> queue 2 -> ENOENT",
                                                  "unsteer nl-t-b eth1"}));
  // Emptied, not deleted (a deleted hook would flush every queue of nl-t-b).
  EXPECT_EQ(
      nft.ops.back(),
      "nft nl-t-b add table netdev nl_loss_eth1; add chain netdev nl_loss_eth1 c { type filter "
      "hook "
      "ingress device \"eth1\" priority -400; policy accept; }; flush chain netdev nl_loss_eth1 c");
  EXPECT_EQ(tc.ops.back(), "tc nl-t-a eth1 delete root");
  EXPECT_TRUE(tc.objects.empty());
}

TEST_F(ImpairerTest, CheckNeedsNoKernel) {
  Impairer imp({nl, nft, tc, queues, procs, clock},
               Backends{DelayBackend::None, LossBackend::NftIngress, RateBackend::None},
               {.delayer_path = ""});
  EXPECT_NO_THROW(imp.check(Impairment{0, 0, 5, 0}, "link x"));
  try {
    imp.check(Impairment{10, 0, 0, 0}, "link dx1");
    FAIL();
  } catch (const EnvironmentError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("link dx1: delay/jitter needs tc netem", 0), 0u)
        << e.what();
  }
  EXPECT_THROW(imp.check(Impairment{0, 0, 0, 10}, "link x"), EnvironmentError);
  EXPECT_THROW(imp.check(Impairment{0, 0, 200, 0}, "link x"), InputError);
  EXPECT_TRUE(nl.ops.empty());
}

TEST_F(ImpairerTest, AFailedQdiscRollsBackWhatWasMade) {
  Impairer imp = make(false);
  DirectionPlan p = imp.plan(a_to_b, Impairment{0, 0, 1, 100}, 5);
  tc.fail_nth("replace", 2, EINVAL);  // the class
  EXPECT_THROW(imp.apply(p), KernelError);
  EXPECT_EQ(tc.ops.back(), "tc nl-t-a eth1 delete root");
  EXPECT_TRUE(nft.ops.empty());  // loss was not reached
}

TEST_F(ImpairerTest, RemoveUnsteersFirstAndTriesEveryStep) {
  Impairer imp = make(false);
  DirectionPlan p = imp.plan(a_to_b, Impairment{10, 0, 1, 100}, 5);
  auto pid = procs.spawn(*p.delayer);
  queues.bind_after("nl-t-b", 2, 0);
  imp.apply(p, pid);
  nft.ops.clear();
  tc.ops.clear();
  queues.ops.clear();
  nft.fail_nth("run", 1, EPERM);
  EXPECT_THROW(imp.remove(p), KernelError);
  EXPECT_EQ(queues.ops, (std::vector<std::string>{"unsteer nl-t-b eth1"}));
  EXPECT_EQ(nft.ops.size(), 1u);
  EXPECT_EQ(tc.ops, (std::vector<std::string>{"tc nl-t-a eth1 delete root"}));  // still tried
  // Removing twice is harmless.
  EXPECT_NO_THROW(imp.remove(p));
}

TEST_F(ImpairerTest, ScopedImpairmentSpawnsAppliesAndUndoes) {
  Impairer imp = make(false);
  queues.bind_after("nl-t-b", 2, 0);
  {
    ScopedImpairment s(imp, procs, a_to_b, Impairment{10, 0, 0, 0}, 9);
    ASSERT_TRUE(s.delayer());
    EXPECT_EQ(queues.steered.size(), 1u);
  }
  EXPECT_TRUE(queues.steered.empty());
  auto actions = procs.actions();
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[0].rfind("spawn [nl-t-b] /opt/netlab/netlab-delay --queue 2", 0), 0u);
  EXPECT_EQ(actions[1].rfind("stop ", 0), 0u);
  EXPECT_TRUE(procs.running().empty());
}

TEST_F(ImpairerTest, EmptyImpairmentDoesNothing) {
  Impairer imp = make(false);
  DirectionPlan p = imp.plan(a_to_b, Impairment{}, 5);
  EXPECT_TRUE(p.empty());
  imp.apply(p);
  imp.remove(p);
  EXPECT_TRUE(tc.ops.empty());
  EXPECT_TRUE(nft.ops.empty());
  EXPECT_TRUE(queues.ops.empty());
}

// --- seeds and combinations ---

TEST(Seeds, DirectionSeedIsStableAndPerDirection) {
  Direction ab{{"a", "nl-x-a", "eth1"}, {"b", "nl-x-b", "eth1"}};
  Direction ba{{"b", "nl-x-b", "eth1"}, {"a", "nl-x-a", "eth1"}};
  EXPECT_EQ(direction_seed(1, ab), direction_seed(1, ab));
  EXPECT_NE(direction_seed(1, ab), direction_seed(1, ba));
  EXPECT_NE(direction_seed(1, ab), direction_seed(2, ab));
  // The lab's name (in the namespace) does not change the numbers.
  Direction renamed{{"a", "nl-y-a", "eth1"}, {"b", "nl-y-b", "eth1"}};
  EXPECT_EQ(direction_seed(1, ab), direction_seed(1, renamed));
  // A fixed value: the same seed draws the same numbers in every version.
  EXPECT_EQ(direction_seed(0, ab), 0xebf5bcbdac9b03c6ull) << std::hex << direction_seed(0, ab);
}

TEST(Combine, DegradeOnAnImpairedLink) {
  Impairment base{10, 1, 1, 100};
  Impairment fault{20, 0, 10, 0};
  Impairment c = combine(base, fault);
  EXPECT_DOUBLE_EQ(c.delay_ms, 30);
  EXPECT_DOUBLE_EQ(c.jitter_ms, 1);
  EXPECT_NEAR(c.loss_pct, 10.9, 1e-9);  // 1 - 0.99 * 0.9
  EXPECT_DOUBLE_EQ(c.rate_mbit, 100);
  EXPECT_DOUBLE_EQ(combine(Impairment{0, 0, 0, 100}, Impairment{0, 0, 0, 10}).rate_mbit, 10);
  EXPECT_EQ(combine(Impairment{}, Impairment{}), Impairment{});
  EXPECT_EQ(Impairment{}.str(), "none");
  EXPECT_EQ(c.str(), "delay 30ms jitter 1ms loss 10.9% rate 100Mbit");
}

}  // namespace
}  // namespace netlab::impair
