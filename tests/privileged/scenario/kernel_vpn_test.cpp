// The kernel's own tunnel paths in a whole lab (tests/data/scenario/
// kernel-vpn.toml): kernel WireGuard configured over generic netlink, and
// IPsec with the kernel's XFRM and ESP keyed by strongSwan's kernel-netlink
// plugin (route-based: an xfrm interface per tunnel end, SAs and policies
// bound to it by if_id). Both carry BGP; a cut of the WireGuard tunnel's
// underlay is seen by DPD and BGP, and the tunnel returns after the repair.
//
// Hosts whose kernel lacks WireGuard or ESP (this project's CI machines) use
// wireguard-go and libipsec, tested elsewhere; there these tests skip, naming
// what is missing. The kernel tier (scripts/test-kernel, docs/kernel-tier.md)
// runs them inside a VM with Debian's full kernel.
#include <gtest/gtest.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <regex>
#include <set>

#include "lab_fixture.h"
#include "netlab/kernel/nft.h"
#include "netlab/lab/frr.h"
#include "netlab/process/command.h"
#include "netlab/tunnel/tunnel.h"
#include "netlab/tunnel/tunnel_kernel.h"
#include "support/test_util.h"

namespace netlab::testing {
namespace {

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const int64_t deadline = mono_ns() + timeout.count() * 1'000'000;
  for (;;) {
    if (done()) return true;
    if (mono_ns() > deadline) return false;
    timespec pause{0, 50'000'000};
    nanosleep(&pause, nullptr);
  }
}

std::string ip(const std::string& ns, std::vector<std::string> args) {
  std::vector<std::string> argv{"/usr/bin/ip", "-n", ns};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = process::run_command(argv);
  return r.out;
}

class KernelVpn : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (::geteuid() != 0) {
      skip_ = "needs root";
      return;
    }
    auto caps = kernel::make_capability_probe()->probe();
    std::string missing;
    if (!caps.wireguard_kernel) missing = "WireGuard";
    if (!caps.xfrm_esp) missing += std::string(missing.empty() ? "" : " and ") + "XFRM with ESP";
    if (!missing.empty()) {
      skip_ = "the kernel has no " + missing +
              " (scripts/test-kernel runs these tests in a VM with a full kernel)";
      return;
    }
    lab_ = new RealLab(scenario_data("kernel-vpn.toml"));
    skip_ = lab_->skip_reason();
  }
  static void TearDownTestSuite() {
    delete lab_;
    lab_ = nullptr;
  }
  void SetUp() override {
    if (!skip_.empty()) GTEST_SKIP() << skip_;
  }

  static const plan::Plan& plan() { return lab_->plan(); }
  static const plan::PlanNode& node(const std::string& n) { return *plan().node(n); }

  // node -> BGP state of its session with the peer at `addr`.
  static std::string bgp_state(const std::string& n, Ipv4 addr) {
    auto states = lab::parse_bgp_summary(
        lab_->lab().host().frr.vtysh(node(n), {"show bgp summary json"}));
    auto it = states.find(addr.str());
    return it == states.end() ? "" : it->second;
  }

  static inline std::string skip_;
  static inline RealLab* lab_ = nullptr;
};

TEST_F(KernelVpn, BothTunnelsAreTheKernelsAndCarryBgp) {
  const auto& backends = lab_->lab().backends();
  EXPECT_EQ(backends.at("tunnel vpn-wg"), "wireguard-kernel");
  EXPECT_EQ(backends.at("tunnel vpn-ipsec"), "ipsec-kernel");
  // Lab::up waited for every session; they are still up, over the tunnels.
  for (const char* name : {"vpn-wg", "vpn-ipsec"}) {
    const auto& t = *plan().tunnel(name);
    EXPECT_EQ(bgp_state(t.a.node, t.b.inside.addr), "Established") << name;
    EXPECT_EQ(bgp_state(t.b.node, t.a.inside.addr), "Established") << name;
  }
  EXPECT_TRUE(wait_until([] { return lab_->lab().check_converged().ok(); }, std::chrono::seconds(30)))
      << [] {
           std::string missing;
           for (const auto& m : lab_->lab().check_converged().missing) missing += m + "\n";
           return missing;
         }();
}

TEST_F(KernelVpn, WireguardDevicesAreConfiguredOverGenetlinkAndHandshake) {
  const auto& t = *plan().tunnel("vpn-wg");
  auto k = tunnel::make_tunnel_kernel();
  for (const auto* e : {&t.a, &t.b}) {
    SCOPED_TRACE(e->node);
    EXPECT_NE(ip(e->ns, {"-d", "link", "show", e->ifname}).find("wireguard"), std::string::npos);
    tunnel::WgDevice d = k->wg_get(e->ns, e->ifname);
    ASSERT_EQ(d.peers.size(), 1u);
    EXPECT_EQ(d.listen_port, e->listen_port);
    EXPECT_NE(d.peers[0].last_handshake_ns, 0);
    EXPECT_GT(d.peers[0].rx_bytes, 0u);
    EXPECT_GT(d.peers[0].tx_bytes, 0u);
  }
}

TEST_F(KernelVpn, XfrmStatesAndPoliciesAfterIkeAreBoundToTheInterfaceId) {
  const auto& t = *plan().tunnel("vpn-ipsec");
  for (const auto* e : {&t.a, &t.b}) {
    SCOPED_TRACE(e->node);
    // The route-based interface: an xfrm interface with the end's if_id.
    std::string link = ip(e->ns, {"-d", "link", "show", e->ifname});
    std::smatch m;
    ASSERT_TRUE(std::regex_search(link, m, std::regex(R"(xfrm if_id (0x[0-9a-f]+))"))) << link;
    const std::string if_id = m[1];
    EXPECT_EQ(std::stoul(if_id, nullptr, 16), e->listen_port);
    // One ESP SA each way, tunnel mode between the outer addresses, on it.
    std::string states = ip(e->ns, {"xfrm", "state"});
    std::set<std::string> seen;
    for (const std::string& dir : {e->outer.str() + " dst " + tunnel::peer_of(t, *e).outer.str(),
                                   tunnel::peer_of(t, *e).outer.str() + " dst " + e->outer.str()}) {
      EXPECT_NE(states.find("src " + dir + "\n\tproto esp"), std::string::npos) << states;
    }
    EXPECT_NE(states.find("mode tunnel"), std::string::npos) << states;
    size_t sas = 0;
    for (size_t at = states.find("if_id " + if_id); at != std::string::npos;
         at = states.find("if_id " + if_id, at + 1))
      ++sas;
    EXPECT_GE(sas, 2u) << states;
    // Policies out and in, bound to the same if_id.
    std::string policies = ip(e->ns, {"xfrm", "policy"});
    for (const char* dir : {"dir out", "dir in"}) {
      EXPECT_NE(policies.find(dir), std::string::npos) << policies;
    }
    EXPECT_NE(policies.find("if_id " + if_id), std::string::npos) << policies;
  }
}

TEST_F(KernelVpn, AnUnderlayCutIsSeenByDpdAndBgpAndTheWireguardTunnelReturns) {
  const auto& t = *plan().tunnel("vpn-wg");
  const auto& cgw = t.a;  // initiator: DPD restarts
  const auto& aws = t.b;  // AWS's end: DPD clears the peer
  const auto& uplink = *plan().link("az2-uplink");
  auto k = tunnel::make_tunnel_kernel();
  auto nft = kernel::make_nft();
  ASSERT_TRUE(k->wg_get(aws.ns, aws.ifname).peers.at(0).endpoint);

  const int64_t cut_at = mono_ns();
  for (const auto* end : {&uplink.a, &uplink.b})
    nft->run(end->ns, "add table netdev nl_kvpn_cut\nadd chain netdev nl_kvpn_cut c { type filter "
                      "hook ingress device \"" +
                          end->ifname + "\" priority -500; policy drop; }\n");
  // DPD (1 s / 3 s) at AWS's end forgets the peer's endpoint.
  EXPECT_TRUE(wait_until([&] { return !k->wg_get(aws.ns, aws.ifname).peers.at(0).endpoint; },
                         std::chrono::seconds(30)))
      << "DPD did not clear the peer at AWS's end";
  const int64_t cleared = mono_ns();
  // BGP (hold 9 s) over the tunnel goes down on the customer's side.
  EXPECT_TRUE(wait_until([&] { return bgp_state(cgw.node, aws.inside.addr) != "Established"; },
                         std::chrono::seconds(30)))
      << "BGP over the cut tunnel stayed Established";
  std::printf("[ figures  ] (not timings under emulation) DPD cleared %.0f ms after the cut\n",
              (cleared - cut_at) / 1e6);

  for (const auto* end : {&uplink.a, &uplink.b}) nft->run(end->ns, "delete table netdev nl_kvpn_cut\n");
  // The customer's end re-initiates; AWS's end learns the endpoint again,
  // BGP returns and the lab is converged as before.
  EXPECT_TRUE(wait_until([&] { return k->wg_get(aws.ns, aws.ifname).peers.at(0).endpoint.has_value(); },
                         std::chrono::seconds(60)))
      << "the customer's end did not contact AWS's end again";
  EXPECT_TRUE(wait_until([&] { return bgp_state(cgw.node, aws.inside.addr) == "Established"; },
                         std::chrono::seconds(90)))
      << "BGP did not return over the tunnel";
  EXPECT_TRUE(wait_until([&] { return lab_->lab().check_converged().ok(); },
                         std::chrono::seconds(30)));
}

}  // namespace
}  // namespace netlab::testing
