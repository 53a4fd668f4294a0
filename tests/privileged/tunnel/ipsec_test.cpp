// IPsec tunnels for real: strongSwan's charon in namespaces this test makes,
// libipsec where the kernel has no ESP (this machine), the kernel's XFRM
// where it has. What is checked is behaviour: traffic crosses the tunnel
// between inside addresses, two tunnels on one node stay apart, charon
// leaves no table-220 trap, and DPD takes the interface down and the tunnel
// comes back after the underlay is repaired. Timings are printed, not
// asserted (bench/README.md has the figures).
#include "netlab/tunnel/ipsec.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "netlab/process/command.h"
#include "tunnel_fixture.h"

namespace netlab::tunnel::testing {
namespace {

using topology::TunnelType;

class IpsecLibipsec : public TunnelLab {
 protected:
  void SetUp() override {
    TunnelLab::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (caps_.charon.empty()) GTEST_SKIP() << "strongSwan's charon-systemd is not installed";
    if (!caps_.tun) GTEST_SKIP() << "no /dev/net/tun for libipsec";
    if (::access((opts_.charon_plugin_dir + "/libstrongswan-kernel-libipsec.so").c_str(), R_OK) !=
        0)
      GTEST_SKIP() << "strongSwan's kernel-libipsec plugin is not installed";
  }
  std::unique_ptr<Ipsec> backend() {
    return std::make_unique<Ipsec>(IpsecFlavor::Libipsec, caps_.charon, opts_);
  }
};

TEST_F(IpsecLibipsec, CarriesTrafficBetweenInsideAddressesWithoutTheTable220Trap) {
  node("cgw");
  node("aws");
  link("cgw", "eth1", "aws", "eth1", 1);
  auto t = tunnel("vpn1-t1", TunnelType::Ipsec,
                  end("cgw", "10.1.0.1", "169.254.20.1/30", "vpn1-t1", 51820, false),
                  end("aws", "10.1.0.2", "169.254.20.2/30", "vpn1-t1", 51820, false));
  auto b = backend();
  const int64_t t0 = mono_ns();
  bring_up(*b, t);
  const int64_t configured = mono_ns();
  ASSERT_TRUE(wait_until([&] { return link_up(t.a) && link_up(t.b); }, std::chrono::seconds(10)))
      << "the watchers did not raise the interfaces (see " << run_root_
      << "/nodes/*/tunnel-watch-*.log)";
  std::printf("[ figures  ] IKE setup %.1f ms; charon start to both interfaces up %.1f ms\n",
              b->last_ike_setup_ns() / 1e6, (mono_ns() - t0) / 1e6);
  (void)configured;
  EXPECT_TRUE(udp_crosses(t.a, t.b));
  EXPECT_TRUE(udp_crosses(t.b, t.a));
  // A datagram filling the interface's MTU crosses whole.
  EXPECT_TRUE(udp_crosses(t.a, t.b, 40001, kLibipsecMaxMtu - 28));
  // The ESP went over the underlay as UDP: its counters moved.
  EXPECT_GT(nl_->link_stats(t.a.ns, "eth1").tx_packets, 4u);
  for (const auto* e : {&t.a, &t.b}) {
    auto rules = process::run_command({"/usr/bin/ip", "-n", e->ns, "rule", "show"});
    EXPECT_EQ(rules.out.find("220"), std::string::npos) << rules.out;
    auto routes =
        process::run_command({"/usr/bin/ip", "-n", e->ns, "route", "show", "table", "220"});
    EXPECT_EQ(routes.out, "");
    // The planned name, not charon's ipsecN, at libipsec's MTU.
    auto l = nl_->link_get(e->ns, e->ifname);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->mtu, kLibipsecMaxMtu);
  }
}

TEST_F(IpsecLibipsec, ANodeWithTwoTunnelsKeepsThemApart) {
  node("cgw");
  node("az1");
  node("az2");
  link("cgw", "eth1", "az1", "eth1", 1);
  link("cgw", "eth2", "az2", "eth1", 2);
  auto t1 = tunnel("vpn1-t1", TunnelType::Ipsec,
                   end("cgw", "10.1.0.1", "169.254.20.1/30", "vpn1-t1", 51820, false),
                   end("az1", "10.1.0.2", "169.254.20.2/30", "vpn1-t1", 51820, false));
  auto t2 = tunnel("vpn1-t2", TunnelType::Ipsec,
                   end("cgw", "10.2.0.1", "169.254.21.1/30", "vpn1-t2", 51821, false),
                   end("az2", "10.2.0.2", "169.254.21.2/30", "vpn1-t2", 51821, false));
  // One backend per tunnel, as the lab makes them.
  auto b1 = backend();
  auto b2 = backend();
  bring_up(*b1, t1);
  bring_up(*b2, t2);
  ASSERT_TRUE(
      wait_until([&] { return link_up(t1.a) && link_up(t1.b) && link_up(t2.a) && link_up(t2.b); },
                 std::chrono::seconds(10)));
  EXPECT_TRUE(udp_crosses(t1.a, t1.b));
  EXPECT_TRUE(udp_crosses(t2.a, t2.b));
  EXPECT_TRUE(udp_crosses(t2.b, t2.a));
  EXPECT_TRUE(udp_crosses(t1.b, t1.a));
  // Each tunnel's ESP took its own underlay.
  EXPECT_GT(nl_->link_stats(ns("az1"), "eth1").rx_packets, 4u);
  EXPECT_GT(nl_->link_stats(ns("az2"), "eth1").rx_packets, 4u);
}

TEST_F(IpsecLibipsec, DpdClearTakesTheInterfaceDownAndTheCustomerBringsItBack) {
  node("cgw");
  node("aws");
  link("cgw", "eth1", "aws", "eth1", 1);
  // Short timers (the mapping is the same as AWS's 10/30): probe after 1 s
  // idle, dead 3 s after the last packet.
  auto t = tunnel("vpn1-t1", TunnelType::Ipsec,
                  end("cgw", "10.1.0.1", "169.254.20.1/30", "vpn1-t1", 51820, false),
                  end("aws", "10.1.0.2", "169.254.20.2/30", "vpn1-t1", 51820, false),
                  {1, 3, topology::DpdAction::Clear});
  auto b = backend();
  bring_up(*b, t);
  ASSERT_TRUE(wait_until([&] { return link_up(t.a) && link_up(t.b); }, std::chrono::seconds(10)));
  ASSERT_TRUE(udp_crosses(t.a, t.b));
  const int64_t cut_at = mono_ns();
  cut("aws", "eth1");
  cut("cgw", "eth1");
  ASSERT_TRUE(wait_until([&] { return !link_up(t.b); }, std::chrono::seconds(15)))
      << "AWS's end kept its interface up after DPD";
  const int64_t aws_down = mono_ns();
  ASSERT_TRUE(wait_until([&] { return !link_up(t.a); }, std::chrono::seconds(15)));
  const int64_t cgw_down = mono_ns();
  std::printf(
      "[ figures  ] DPD 1 s/3 s: interface down at AWS's end %.0f ms, at the customer's %.0f ms "
      "after the cut\n",
      (aws_down - cut_at) / 1e6, (cgw_down - cut_at) / 1e6);
  uncut("aws");
  uncut("cgw");
  const int64_t repaired = mono_ns();
  ASSERT_TRUE(wait_until([&] { return link_up(t.a) && link_up(t.b); }, std::chrono::seconds(30)))
      << "the customer gateway did not re-establish the tunnel";
  std::printf("[ figures  ] re-established %.0f ms after the repair\n",
              (mono_ns() - repaired) / 1e6);
  EXPECT_TRUE(udp_crosses(t.a, t.b));
}

class IpsecKernel : public TunnelLab {
 protected:
  void SetUp() override {
    TunnelLab::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (!caps_.xfrm_esp)
      GTEST_SKIP() << "the kernel has no XFRM with ESP (netlab uses libipsec here)";
    if (caps_.charon.empty()) GTEST_SKIP() << "strongSwan's charon-systemd is not installed";
  }
};

TEST_F(IpsecKernel, XfrmInterfacesCarryTrafficForTwoTunnelsOfOneNode) {
  node("cgw");
  node("az1");
  node("az2");
  link("cgw", "eth1", "az1", "eth1", 1);
  link("cgw", "eth2", "az2", "eth1", 2);
  auto t1 = tunnel("vpn1-t1", TunnelType::Ipsec,
                   end("cgw", "10.1.0.1", "169.254.20.1/30", "vpn1-t1", 51820, false),
                   end("az1", "10.1.0.2", "169.254.20.2/30", "vpn1-t1", 51820, false));
  auto t2 = tunnel("vpn1-t2", TunnelType::Ipsec,
                   end("cgw", "10.2.0.1", "169.254.21.1/30", "vpn1-t2", 51821, false),
                   end("az2", "10.2.0.2", "169.254.21.2/30", "vpn1-t2", 51821, false));
  Ipsec b1(IpsecFlavor::Kernel, caps_.charon, opts_), b2(IpsecFlavor::Kernel, caps_.charon, opts_);
  bring_up(b1, t1);
  bring_up(b2, t2);
  ASSERT_TRUE(
      wait_until([&] { return link_up(t1.a) && link_up(t1.b) && link_up(t2.a) && link_up(t2.b); },
                 std::chrono::seconds(10)));
  EXPECT_TRUE(udp_crosses(t1.a, t1.b));
  EXPECT_TRUE(udp_crosses(t2.b, t2.a));
}

}  // namespace
}  // namespace netlab::tunnel::testing
