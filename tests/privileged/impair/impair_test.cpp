// Impairments measured on this machine's kernel, between two namespaces of
// the test: what a lab link with `impair = {...}` really does to packets.
//   delay 1/10/50 ms: p50 of 1000 one-way delays within 10% + 0.3 ms
//   loss 1/10/50 %:   within 2 points over 5000 probes
//   rate 10/100 Mbit: TCP within 10% (on the wire: payload + headers)
// plus the behaviours the measurements rely on: in-order jitter, a dead
// delayer dropping (fail-closed), SIGTERM letting held packets go, and the
// kernel objects themselves (tc round trip, steering rule).
#include <signal.h>

#include <cstdio>

#include "tests/privileged/impair/impair_fixture.h"

namespace netlab::impair::testing {
namespace {

constexpr int64_t kMs = 1'000'000;

double ms(int64_t ns) { return static_cast<double>(ns) / 1e6; }

// --- the kernel objects ---

TEST_F(ImpairTest, HtbQdiscAndClassRoundTripThroughTheKernel) {
  if (!host_caps().htb) GTEST_SKIP() << "no htb";
  using namespace kernel;
  TcObject root{TcObject::Type::Qdisc, tc_handle(1, 0), kTcRoot, HtbQdisc{1, 10}};
  TcObject cls{TcObject::Type::Class, tc_handle(1, 1), tc_handle(1, 0),
               HtbClass{1'250'000, 1'250'000, 15'000, 15'000, 125'000}};
  TcObject leaf{TcObject::Type::Qdisc, tc_handle(0x10, 0), tc_handle(1, 1), FifoQdisc{125'000}};
  tc_->replace(a_, "a0", root);
  tc_->replace(a_, "a0", cls);
  tc_->replace(a_, "a0", cls);  // replace is idempotent
  tc_->replace(a_, "a0", leaf);
  auto objects = tc_->list(a_, "a0");
  ASSERT_EQ(objects.size(), 3u);  // qdiscs first, in kernel order, then the class
  EXPECT_EQ(objects[0], root);
  EXPECT_EQ(objects[1], leaf);
  EXPECT_EQ(objects[2], cls);
  tc_->delete_root(a_, "a0");
  EXPECT_TRUE(tc_->list(a_, "a0").empty());
  EXPECT_NO_THROW(tc_->delete_root(a_, "a0"));  // none left: not an error
  EXPECT_THROW(tc_->replace(a_, "nope0", root), KernelError);
}

TEST_F(ImpairTest, NetemRoundTripWhereTheKernelHasIt) {
  if (!host_caps().netem) GTEST_SKIP() << "this kernel has no netem (the delayer is used instead)";
  using namespace kernel;
  TcObject n{TcObject::Type::Qdisc, tc_handle(1, 0), kTcRoot,
             NetemQdisc{10 * kMs, kMs, netem_probability(1), 10000, {}}};
  tc_->replace(a_, "a0", n);
  auto objects = tc_->list(a_, "a0");
  ASSERT_EQ(objects.size(), 1u);
  auto back = std::get<NetemQdisc>(objects[0].options);
  back.seed.reset();  // newer kernels report the seed they drew
  EXPECT_EQ(back, std::get<NetemQdisc>(n.options));
}

// Where the kernel has netem, a lab's impairments are netem (delay, loss)
// under htb (rate). What is checked is what each does, with bounds wide
// enough for an emulated CPU (the kernel tier runs this under QEMU's TCG,
// where timings are no figures): nothing arrives before its delay, loss is
// neither none nor all, and the rate caps TCP well below the link's speed.
TEST_F(ImpairTest, NetemDelaysDropsAndLimitsWhereTheKernelHasIt) {
  if (!host_caps().netem) GTEST_SKIP() << "this kernel has no netem (the delayer is used instead)";
  ASSERT_EQ(imp_->backends().delay, DelayBackend::Netem);
  ASSERT_EQ(imp_->backends().loss, LossBackend::Netem);
  {
    auto& s = impair(Impairment{30, 0, 0, 0});
    bool netem_on_a0 = false;
    for (const auto& o : tc_->list(a_, "a0"))
      netem_on_a0 |= std::holds_alternative<kernel::NetemQdisc>(o.options);
    EXPECT_TRUE(netem_on_a0) << "no netem qdisc on the sending interface";
    auto got = udp_stream(a_, b_, 200, 2 * kMs, 500 * kMs);
    s.release();
    ASSERT_GE(got.size(), 190u) << "packets lost under delay alone";
    auto v = owds(got);
    std::printf("[ measure  ] netem delay 30 ms: min %.3f ms, p50 %.3f ms\n",
                ms(percentile(v, 0.0)), ms(percentile(v, 0.5)));
    EXPECT_GE(ms(percentile(v, 0.0)), 30.0 * 0.99);  // never early
    EXPECT_LT(ms(percentile(v, 0.5)), 30.0 + 200.0);
  }
  {
    auto& s = impair(Impairment{0, 0, 30, 0});
    auto got = udp_stream(a_, b_, 1000, 1 * kMs, 200 * kMs);
    s.release();
    double lost = 100.0 * (1.0 - static_cast<double>(got.size()) / 1000.0);
    std::printf("[ measure  ] netem loss 30%%: %.1f%% of 1000 lost\n", lost);
    EXPECT_NEAR(lost, 30.0, 8.0);  // 5.5 standard deviations of 1000 draws
  }
  {
    auto& s = impair(Impairment{0, 0, 0, 5});
    double goodput = tcp_goodput_bps(a_, b_, 1500 * kMs, 300 * kMs);
    s.release();
    std::printf("[ measure  ] rate 5 Mbit: TCP payload %.2f Mbit/s\n", goodput / 1e6);
    EXPECT_GT(goodput, 5e6 * 0.5);
    EXPECT_LT(goodput, 5e6 * 1.1);
  }
  // Released: the link is as it was, no qdisc of netlab's left.
  for (const auto& o : tc_->list(a_, "a0"))
    EXPECT_FALSE(std::holds_alternative<kernel::NetemQdisc>(o.options));
}

TEST_F(ImpairTest, SteeringWithoutAProgramDropsAndUnsteeringRestores) {
  if (!host_caps().nfqueue) GTEST_SKIP() << "no xtables NFQUEUE target";
  queues_->steer(b_, kernel::QueueSteer{"b0", 9, false});
  queues_->steer(b_, kernel::QueueSteer{"b0", 9, false});  // replaces, does not add a rule
  std::string listing = nft_->list_json(b_, "list table ip nl_delay_b0");
  size_t rules = 0;
  for (size_t at = listing.find("\"rule\""); at != std::string::npos;
       at = listing.find("\"rule\"", at + 1))
    ++rules;
  EXPECT_EQ(rules, 1u) << listing;
  EXPECT_FALSE(queues_->stats(b_, 9));  // nobody bound
  // Fail-closed: no bypass, so with no program bound nothing gets through.
  auto dropped = udp_stream(a_, b_, 50, 200'000, 50 * kMs);
  EXPECT_TRUE(dropped.empty());
  queues_->unsteer(b_, "b0");
  EXPECT_NO_THROW(queues_->unsteer(b_, "b0"));
  // The table stays, empty: deleting it would unregister a hook.
  listing = nft_->list_json(b_, "list table ip nl_delay_b0");
  EXPECT_EQ(listing.find("\"rule\""), std::string::npos) << listing;
  auto passed = udp_stream(a_, b_, 50, 200'000, 50 * kMs);
  EXPECT_EQ(passed.size(), 50u);
}

// --- delay ---

TEST_F(ImpairTest, DelayIsWhatWasAskedFor) {
  skip_unless_delay();
  auto base = udp_stream(a_, b_, 300, 500'000, 20 * kMs);
  ASSERT_EQ(base.size(), 300u);
  std::printf("[ measure  ] baseline one-way: p50 %.3f ms, p99 %.3f ms (backend: %s)\n",
              ms(percentile(owds(base), 0.5)), ms(percentile(owds(base), 0.99)),
              imp_->backends().describe().c_str());
  for (double d : {1.0, 10.0, 50.0}) {
    SCOPED_TRACE("delay " + std::to_string(d) + " ms");
    auto& s = impair(Impairment{d, 0, 0, 0});
    auto got = udp_stream(a_, b_, 1000, 500'000, static_cast<int64_t>(d * kMs) + 50 * kMs);
    s.release();
    ASSERT_EQ(got.size(), 1000u) << "packets lost under delay alone";
    EXPECT_EQ(reordered(got), 0u);
    auto v = owds(got);
    double p50 = ms(percentile(v, 0.5));
    std::printf("[ measure  ] delay %5.1f ms: p50 %.3f ms, p1 %.3f, p99 %.3f, max %.3f\n", d, p50,
                ms(percentile(v, 0.01)), ms(percentile(v, 0.99)), ms(percentile(v, 1.0)));
    EXPECT_NEAR(p50, d, 0.1 * d + 0.3);
    EXPECT_GE(ms(percentile(v, 0.0)), d * 0.99);  // never released early
  }
}

TEST_F(ImpairTest, JitterSpreadsDelaysButKeepsOrder) {
  skip_unless_delay();
  if (host_caps().netem)
    GTEST_SKIP() << "netem reorders under jitter by design; this is the delayer's contract";
  // Probes 5 ms apart, jitter +-2 ms: no packet waits for its predecessor,
  // so the delays are the draws: uniform over [8, 12] ms.
  impair(Impairment{10, 2, 0, 0}, 1234);
  auto got = udp_stream(a_, b_, 200, 5 * kMs, 60 * kMs);
  ASSERT_EQ(got.size(), 200u);
  EXPECT_EQ(reordered(got), 0u);
  auto v = owds(got);
  std::printf("[ measure  ] delay 10 jitter 2 ms: p5 %.3f p50 %.3f p95 %.3f min %.3f max %.3f\n",
              ms(percentile(v, 0.05)), ms(percentile(v, 0.5)), ms(percentile(v, 0.95)),
              ms(percentile(v, 0.0)), ms(percentile(v, 1.0)));
  EXPECT_GE(ms(percentile(v, 0.0)), 8.0 * 0.99);
  // p90 of uniform [8, 12] is 11.6; a VM's scheduling hiccups reach the top
  // percent of any delay on a busy host, so the bound is on p90, not max.
  EXPECT_LE(ms(percentile(v, 0.9)), 12.0 + 0.3);
  EXPECT_NEAR(ms(percentile(v, 0.5)), 10.0, 0.8);
  EXPECT_GT(ms(percentile(v, 0.95) - percentile(v, 0.05)), 2.5);  // it does spread

  // A dense stream (0.2 ms apart) under the same jitter: still in order.
  auto dense = udp_stream(a_, b_, 500, 200'000, 60 * kMs);
  ASSERT_EQ(dense.size(), 500u);
  EXPECT_EQ(reordered(dense), 0u);
}

// --- loss ---

TEST_F(ImpairTest, LossIsWhatWasAskedFor) {
  if (!host_caps().netem && !host_caps().nft_netdev) GTEST_SKIP() << "no loss backend";
  for (double p : {1.0, 10.0, 50.0}) {
    SCOPED_TRACE("loss " + std::to_string(p) + "%");
    auto& s = impair(Impairment{0, 0, p, 0});
    auto got = udp_stream(a_, b_, 5000, 50'000, 20 * kMs);
    s.release();
    double measured = 100.0 * (1.0 - static_cast<double>(got.size()) / 5000.0);
    std::printf("[ measure  ] loss %4.1f%%: %.2f%% of 5000 lost\n", p, measured);
    // Within 2 points: at 50% over 5000 that is 2.8 standard deviations of
    // a fair coin (nftables' numgen cannot be seeded: see impair.h).
    EXPECT_NEAR(measured, p, 2.0);
  }
}

// --- rate ---

TEST_F(ImpairTest, RateIsWhatWasAskedFor) {
  if (!host_caps().htb) GTEST_SKIP() << "no htb";
  // htb counts whole frames: at MTU 1500 with TCP timestamps a segment
  // carries 1448 bytes of payload in 1514 bytes on the wire.
  constexpr double kWirePerPayload = 1514.0 / 1448.0;
  for (double r : {10.0, 100.0}) {
    SCOPED_TRACE("rate " + std::to_string(r) + " Mbit");
    auto& s = impair(Impairment{0, 0, 0, r});
    double goodput = tcp_goodput_bps(a_, b_, 1200 * kMs, 200 * kMs);
    s.release();
    double wire_mbit = goodput * kWirePerPayload / 1e6;
    std::printf("[ measure  ] rate %5.1f Mbit: TCP payload %.2f Mbit/s, on the wire %.2f Mbit/s\n",
                r, goodput / 1e6, wire_mbit);
    EXPECT_NEAR(wire_mbit, r, 0.1 * r);
  }
}

// --- the delayer's life ---

TEST_F(ImpairTest, ADeadDelayerDropsInsteadOfPassingUndelayed) {
  skip_unless_delay();
  if (host_caps().netem) GTEST_SKIP() << "netem is used here, not the delayer";
  auto& s = impair(Impairment{5, 0, 0, 0});
  ASSERT_TRUE(s.delayer());
  ASSERT_EQ(udp_stream(a_, b_, 20, kMs, 30 * kMs).size(), 20u);
  procs_->signal(*s.delayer(), SIGKILL);
  ASSERT_TRUE(procs_->wait_gone(*s.delayer(), std::chrono::seconds(2)));
  EXPECT_TRUE(udp_stream(a_, b_, 50, 200'000, 30 * kMs).empty()) << "packets passed a dead delayer";
  s.release();  // steering removed: the link works again, undelayed
  auto after = udp_stream(a_, b_, 50, 200'000, 30 * kMs);
  EXPECT_EQ(after.size(), 50u);
  EXPECT_LT(ms(percentile(owds(after), 0.5)), 1.0);
}

TEST_F(ImpairTest, SigtermReleasesHeldPacketsAndExitsCleanly) {
  skip_unless_delay();
  if (host_caps().netem) GTEST_SKIP() << "netem is used here, not the delayer";
  auto& s = impair(Impairment{2000, 0, 0, 0});  // two seconds
  uint16_t queue = s.plan().steer->queue;
  // Send 20 probes, then end the impairment while they are held.
  UniqueFd rx = socket_in(b_, SOCK_DGRAM);
  sockaddr_in b = sockaddr_of("10.77.0.2", 47300);
  check_errno(::bind(rx.get(), reinterpret_cast<sockaddr*>(&b), sizeof b), "bind", "b");
  UniqueFd tx = socket_in(a_, SOCK_DGRAM);
  for (int i = 0; i < 20; ++i) {
    char c = static_cast<char>(i);
    ::sendto(tx.get(), &c, 1, 0, reinterpret_cast<sockaddr*>(&b), sizeof b);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto held = queues_->stats(b_, queue);
  ASSERT_TRUE(held);
  EXPECT_EQ(held->held, 20u);
  int64_t t0 = mono_ns();
  auto status = s.release();  // unsteer, then SIGTERM
  ASSERT_TRUE(status);
  EXPECT_EQ(*status, (process::ExitStatus{0, 0})) << status->str();
  timeval tv{0, 200'000};
  ::setsockopt(rx.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int n = 0;
  char c;
  while (::recv(rx.get(), &c, 1, 0) == 1) ++n;
  EXPECT_EQ(n, 20);
  EXPECT_LT(mono_ns() - t0, 1000 * kMs);    // long before the 2 s delay
  EXPECT_FALSE(queues_->stats(b_, queue));  // unbound
}

TEST_F(ImpairTest, RemovingAnotherImpairmentKeepsHeldPackets) {
  skip_unless_delay();
  if (host_caps().netem) GTEST_SKIP() << "netem is used here, not the delayer";
  // A second link a1 <-> b1 into the same receiving namespace.
  nl_->veth_create({a_, "a1", b_, "b1", 1500});
  nl_->link_set_up(a_, "a1", true);
  nl_->link_set_up(b_, "b1", true);
  impair(Impairment{300, 0, 0, 0});  // a0 -> b0 held 300 ms
  UniqueFd rx = socket_in(b_, SOCK_DGRAM);
  sockaddr_in b = sockaddr_of("10.77.0.2", 47400);
  check_errno(::bind(rx.get(), reinterpret_cast<sockaddr*>(&b), sizeof b), "bind", "b");
  UniqueFd tx = socket_in(a_, SOCK_DGRAM);
  for (int i = 0; i < 20; ++i) {
    char c = static_cast<char>(i);
    ::sendto(tx.get(), &c, 1, 0, reinterpret_cast<sockaddr*>(&b), sizeof b);
  }
  // While they are held, b1's loss impairment comes and goes (a degrade
  // repaired on another link of the node). Deleting its netdev table would
  // unregister a hook and make the kernel drop all 20; emptying it does not.
  {
    ScopedImpairment other(*imp_, *procs_, Direction{{"a", a_, "a1"}, {"b", b_, "b1"}},
                           Impairment{0, 0, 10, 0}, 1);
    other.release();
  }
  timeval tv{0, 600'000};
  ::setsockopt(rx.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  int n = 0;
  char c;
  while (n < 20 && ::recv(rx.get(), &c, 1, 0) == 1) ++n;
  EXPECT_EQ(n, 20);
}

}  // namespace
}  // namespace netlab::impair::testing
