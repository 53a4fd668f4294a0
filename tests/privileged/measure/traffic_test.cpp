// netlab-traffic end to end, through the same seam a trial uses
// (make_lab_traffic_io over a Control whose processes are real): two
// namespaces of this test ("nl-tr<pid>-a" and "-b", deleted at the end
// whatever happens) joined by a veth a0 <-> b0.
//   - a rate limit of 20 Mbit/s (the impairment layer's htb on a0) under
//     30 Mbit/s of UDP: offered within 5 % of 30, delivered within 20 +- 10 %;
//     TCP through the same limit gets a goodput of the same order;
//   - a veth of MTU 1400: 1500-byte DF datagrams are refused at the sender
//     (EMSGSIZE, path MTU 1400) and none delivered, 1300-byte ones all
//     delivered, and 1500-byte ones without DF delivered (fragmented).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <thread>

#include "netlab/base/error.h"
#include "netlab/impair/impair.h"
#include "netlab/kernel/capabilities.h"
#include "netlab/kernel/netlink.h"
#include "netlab/kernel/nft.h"
#include "netlab/kernel/tc.h"
#include "netlab/measure/traffic_io.h"
#include "netlab/process/processes.h"
#include "support/fake_control.h"
#include "support/test_util.h"

namespace netlab::measure {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr int64_t kS = 1'000'000'000;

// A Control whose helper processes are real (the rest is the recording fake).
class ProcessControl : public testing::FakeControl {
 public:
  ProcessControl(testing::FakeClock& fake, process::Processes& p) : FakeControl(fake), p_(p) {}
  kernel::Clock& clock() override { return kernel::system_clock(); }
  void start_process(const std::string& node, const std::string& name,
                     const process::ProcessSpec& spec) override {
    FakeControl::start_process(node, name, spec);
    ids_[node + " " + name] = p_.spawn(spec);
  }
  bool stop_process(const std::string& node, const std::string& name) override {
    FakeControl::stop_process(node, name);
    auto it = ids_.find(node + " " + name);
    if (it == ids_.end()) return true;
    const bool gone = p_.stop(it->second, milliseconds(3000));
    ids_.erase(it);
    return gone;
  }
  void stop_all() {
    for (auto& [k, id] : ids_) p_.stop(id, milliseconds(3000));
    ids_.clear();
  }

 private:
  process::Processes& p_;
  std::map<std::string, process::ProcessId> ids_;
};

class TrafficTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces)";
    if (!fs::exists(NETLAB_TRAFFIC_BINARY)) GTEST_SKIP() << NETLAB_TRAFFIC_BINARY << " not built";
    nl_ = kernel::make_netlink();
    procs_ = process::make_processes();
    const std::string prefix = "nl-tr" + std::to_string(::getpid()) + "-";
    a_ = prefix + "a";
    b_ = prefix + "b";
    char tmpl[] = "/tmp/nl-tr-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    tmp_ = tmpl;
    control_ = std::make_unique<ProcessControl>(fake_clock_, *procs_);
    io_ = make_lab_traffic_io(*control_, NETLAB_TRAFFIC_BINARY);
  }

  void make_link(uint32_t mtu) {
    for (const auto& ns : {a_, b_}) {
      nl_->netns_create(ns);
      created_.push_back(ns);
    }
    nl_->veth_create({a_, "a0", b_, "b0", mtu});
    nl_->address_add({a_, "a0", *Ipv4Prefix::parse("10.78.0.1/30")});
    nl_->address_add({b_, "b0", *Ipv4Prefix::parse("10.78.0.2/30")});
    nl_->link_set_up(a_, "a0", true);
    nl_->link_set_up(b_, "b0", true);
  }

  void TearDown() override {
    if (control_) control_->stop_all();
    scoped_.reset();
    impairer_.reset();
    for (const auto& ns : created_) {
      try {
        if (nft_) nft_->forget(ns);
        if (nl_->netns_id(ns)) nl_->netns_delete(ns);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "cleanup of " << ns << ": " << e.what();
      }
    }
    if (!tmp_.empty() && !::testing::Test::HasFailure()) fs::remove_all(tmp_);
  }

  // htb of `mbit` on a0's egress, through the impairment layer.
  void limit_rate(double mbit) {
    nft_ = kernel::make_nft();
    tc_ = kernel::make_tc();
    queues_ = kernel::make_packet_queues();
    impairer_ = std::make_unique<impair::Impairer>(
        impair::Seams{*nl_, *nft_, *tc_, *queues_, *procs_, kernel::system_clock()},
        impair::select_backends(kernel::make_capability_probe()->probe(), false),
        impair::ImpairerOptions{});
    impair::Impairment imp;
    imp.rate_mbit = mbit;
    scoped_ = std::make_unique<impair::ScopedImpairment>(
        *impairer_, *procs_, impair::Direction{{"a", a_, "a0"}, {"b", b_, "b0"}}, imp, 1);
  }

  TrafficSpec spec(const std::string& name, uint16_t port) const {
    return {.name = name,
            .from_node = "a",
            .from_ns = a_,
            .to_node = "b",
            .to_ns = b_,
            .from_addr = *Ipv4::parse("10.78.0.1"),
            .to_addr = *Ipv4::parse("10.78.0.2"),
            .port = port};
  }

  // Runs `specs` for `seconds` and returns the window [start + 1 s, end - 0.2 s].
  std::vector<TrafficWindow> run(const std::vector<TrafficSpec>& specs, double seconds) {
    const int64_t start = kernel::system_clock().now_ns();
    io_->start(specs, tmp_ + "/traffic");
    std::this_thread::sleep_for(milliseconds(static_cast<int64_t>(seconds * 1000)));
    const int64_t end = kernel::system_clock().now_ns();
    io_->stop();
    std::vector<TrafficWindow> out;
    for (size_t i = 0; i < specs.size(); ++i)
      out.push_back(io_->window(i, start + kS, end - kS / 5));
    return out;
  }

  testing::FakeClock fake_clock_;
  std::unique_ptr<kernel::Netlink> nl_;
  std::unique_ptr<kernel::Nft> nft_;
  std::unique_ptr<kernel::Tc> tc_;
  std::unique_ptr<kernel::PacketQueues> queues_;
  std::unique_ptr<process::Processes> procs_;
  std::unique_ptr<impair::Impairer> impairer_;
  std::unique_ptr<impair::ScopedImpairment> scoped_;
  std::unique_ptr<ProcessControl> control_;
  std::unique_ptr<TrafficIo> io_;
  std::string a_, b_, tmp_;
  std::vector<std::string> created_;
};

TEST_F(TrafficTest, RateLimitDeliversItsRateOfWhatIsOffered) {
  make_link(1500);
  limit_rate(20);
  TrafficSpec udp = spec("udp 30 over 20", 5000);
  udp.rate_mbit = 30;
  const TrafficWindow w = run({udp}, 5)[0];
  ASSERT_TRUE(w.measured) << w.why_not;
  std::printf("offered %.2f Mbit/s (%.0f pps), delivered %.2f Mbit/s (%.1f %%), loss %.1f %%\n",
              w.offered_mbit, w.offered_pps, w.delivered_mbit, w.delivered_pct, w.loss_pct);
  EXPECT_NEAR(w.offered_mbit, 30, 1.5);
  EXPECT_NEAR(w.delivered_mbit, 20, 2);
  EXPECT_NEAR(w.delivered_pct, 100.0 * w.delivered_mbit / w.offered_mbit, 0.5);
  EXPECT_NEAR(w.loss_pct, 100 - w.delivered_pct, 3);
  EXPECT_EQ(w.emsgsize, 0u);
  EXPECT_EQ(w.path_mtu, 1500u);
  EXPECT_THAT(
      control_->calls(),
      ::testing::IsSupersetOf({"start-process b traffic-0-recv", "start-process a traffic-0-send",
                               "stop-process a traffic-0-send", "stop-process b traffic-0-recv"}));
}

TEST_F(TrafficTest, TcpGoodputThroughTheLimit) {
  make_link(1500);
  limit_rate(20);
  TrafficSpec tcp = spec("tcp", 5100);
  tcp.protocol = TrafficProtocol::Tcp;
  tcp.flows = 2;
  const TrafficWindow w = run({tcp}, 5)[0];
  ASSERT_TRUE(w.measured) << w.why_not;
  std::printf("tcp goodput %.2f Mbit/s\n", w.delivered_mbit);
  EXPECT_TRUE(w.tcp);
  EXPECT_GT(w.delivered_mbit, 14);
  EXPECT_LT(w.delivered_mbit, 21);
}

TEST_F(TrafficTest, FullSizeDfPacketsAreRefusedOnASmallerMtu) {
  make_link(1400);
  TrafficSpec big = spec("df 1500", 5200), small = spec("df 1300", 5300),
              frag = spec("no df 1500", 5400);
  for (auto* s : {&big, &small, &frag}) s->pps = 500;
  big.size = frag.size = 1500;
  small.size = 1300;
  big.df = small.df = true;
  const auto w = run({big, small, frag}, 3);
  for (const auto& x : w) ASSERT_TRUE(x.measured) << x.why_not;
  std::printf(
      "df 1500: delivered %.1f %%, emsgsize %llu, path mtu %u; df 1300: %.1f %%; "
      "1500 without df: %.1f %%\n",
      w[0].delivered_pct, static_cast<unsigned long long>(w[0].emsgsize), w[0].path_mtu,
      w[1].delivered_pct, w[2].delivered_pct);
  EXPECT_EQ(w[0].received, 0u);
  EXPECT_EQ(w[0].delivered_pct, 0);
  EXPECT_GT(w[0].emsgsize, 500u);
  EXPECT_EQ(w[0].path_mtu, 1400u);
  EXPECT_NEAR(w[0].offered_pps, 500, 25);
  EXPECT_GT(w[1].delivered_pct, 98);
  EXPECT_EQ(w[1].emsgsize, 0u);
  EXPECT_GT(w[2].delivered_pct, 98);
}

}  // namespace
}  // namespace netlab::measure
