// WireGuard tunnels for real, with their DPD watcher: wireguard-go where the
// kernel has no WireGuard (this machine), the kernel's where it has.
// Behaviour checked: traffic between inside addresses, and on a silent peer
// AWS's end forgets the peer's session and endpoint (clear), the customer's
// end re-initiates (restart), and the tunnel returns after the repair.
#include <gtest/gtest.h>

#include <cstdio>

#include "netlab/tunnel/wireguard_go.h"
#include "netlab/tunnel/wireguard_kernel.h"
#include "netlab/tunnel/wireguard_uapi.h"
#include "tunnel_fixture.h"

namespace netlab::tunnel::testing {
namespace {

using topology::TunnelType;

class WireguardGoLab : public TunnelLab {
 protected:
  void SetUp() override {
    TunnelLab::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (caps_.wireguard_go.empty()) GTEST_SKIP() << "wireguard-go is not installed";
    if (!caps_.tun) GTEST_SKIP() << "no /dev/net/tun for wireguard-go";
  }
  std::string uapi_get(const plan::TunnelEnd& e) {
    return wireguard_uapi_exchange(WireguardGo::socket_path(e), uapi_get_request());
  }
};

TEST_F(WireguardGoLab, DpdClearForgetsThePeerRestartReinitiatesAndTheTunnelReturns) {
  node("cgw");
  node("aws");
  link("cgw", "eth1", "aws", "eth1", 1);
  auto t = tunnel("vpn1-t1", TunnelType::Wireguard,
                  end("cgw", "10.1.0.1", "169.254.20.1/30", "vpn1-t1", 51820, true),
                  end("aws", "10.1.0.2", "169.254.20.2/30", "vpn1-t1", 51820, true),
                  {1, 3, topology::DpdAction::Clear});
  WireguardGo b(caps_.wireguard_go, opts_);
  bring_up(b, t);
  ASSERT_TRUE(udp_crosses(t.a, t.b));
  ASSERT_TRUE(udp_crosses(t.b, t.a));
  EXPECT_TRUE(udp_crosses(t.a, t.b, 40001, 1420 - 28));  // a datagram filling wireguard-go's MTU
  EXPECT_NE(uapi_get(t.b).find("endpoint=10.1.0.1:51820"), std::string::npos);

  const int64_t cut_at = mono_ns();
  cut("aws", "eth1");
  cut("cgw", "eth1");
  // AWS's end (clear): the peer's roamed endpoint is forgotten.
  ASSERT_TRUE(wait_until([&] { return uapi_get(t.b).find("endpoint=") == std::string::npos; },
                         std::chrono::seconds(15)))
      << uapi_get(t.b);
  std::printf("[ figures  ] DPD 1 s/3 s: AWS's end cleared %.0f ms after the cut\n",
              (mono_ns() - cut_at) / 1e6);
  // The customer's end (restart) keeps its endpoint and tries again.
  EXPECT_NE(uapi_get(t.a).find("endpoint=10.1.0.2:51820"), std::string::npos);
  // Both ends act on their DPD timeout (3 s) at about the same instant, and
  // each action takes its link down and up again around the reset: up again
  // within the poll that follows, not necessarily at this very moment.
  EXPECT_TRUE(wait_until([&] { return link_up(t.a) && link_up(t.b); }, std::chrono::seconds(2)))
      << "a: " << link_up(t.a) << ", b: " << link_up(t.b);

  uncut("aws");
  uncut("cgw");
  const int64_t repaired = mono_ns();
  ASSERT_TRUE(
      wait_until([&] { return uapi_get(t.b).find("endpoint=10.1.0.1:51820") != std::string::npos; },
                 std::chrono::seconds(30)))
      << "the customer's end did not contact AWS's end again";
  std::printf("[ figures  ] the customer re-initiated %.0f ms after the repair\n",
              (mono_ns() - repaired) / 1e6);
  EXPECT_TRUE(udp_crosses(t.b, t.a));
}

class WireguardKernelLab : public TunnelLab {
 protected:
  void SetUp() override {
    TunnelLab::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    if (!caps_.wireguard_kernel)
      GTEST_SKIP() << "the kernel has no WireGuard (netlab uses wireguard-go here)";
  }
};

TEST_F(WireguardKernelLab, GenetlinkConfiguredDevicesCarryTrafficAndDpdClears) {
  node("cgw");
  node("aws");
  link("cgw", "eth1", "aws", "eth1", 1);
  auto t = tunnel("vpn1-t1", TunnelType::Wireguard,
                  end("cgw", "10.1.0.1", "169.254.20.1/30", "vpn1-t1", 51820, true),
                  end("aws", "10.1.0.2", "169.254.20.2/30", "vpn1-t1", 51820, true),
                  {1, 3, topology::DpdAction::Clear});
  WireguardKernel b(opts_);
  bring_up(b, t);
  ASSERT_TRUE(udp_crosses(t.a, t.b));
  auto k = make_tunnel_kernel();
  WgDevice d = k->wg_get(t.b.ns, t.b.ifname);
  ASSERT_EQ(d.peers.size(), 1u);
  EXPECT_EQ(d.listen_port, 51820);
  EXPECT_GT(d.peers[0].rx_bytes, 0u);
  EXPECT_NE(d.peers[0].last_handshake_ns, 0);
  cut("aws", "eth1");
  cut("cgw", "eth1");
  ASSERT_TRUE(wait_until([&] { return !k->wg_get(t.b.ns, t.b.ifname).peers.at(0).endpoint; },
                         std::chrono::seconds(15)));
  uncut("aws");
  uncut("cgw");
  ASSERT_TRUE(
      wait_until([&] { return k->wg_get(t.b.ns, t.b.ifname).peers.at(0).endpoint.has_value(); },
                 std::chrono::seconds(30)));
  EXPECT_TRUE(udp_crosses(t.b, t.a));
}

}  // namespace
}  // namespace netlab::tunnel::testing
