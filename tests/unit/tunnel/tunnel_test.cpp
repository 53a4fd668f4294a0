// Backend selection for every combination of the kernel features and
// programs it depends on: the backend chosen, or the EnvironmentError that
// says what to install.
#include <gtest/gtest.h>

#include "netlab/base/error.h"
#include "netlab/tunnel/tunnel.h"
#include "tunnel_fixtures.h"

namespace netlab::tunnel {
namespace {

using topology::TunnelType;

kernel::Capabilities caps(bool wg_kernel, bool wg_go, bool esp, bool charon, bool tun) {
  kernel::Capabilities c;
  c.root = c.netns = c.veth = true;
  c.wireguard_kernel = wg_kernel;
  c.wireguard_go = wg_go ? "/usr/bin/wireguard-go" : "";
  c.xfrm_esp = esp;
  c.charon = charon ? "/usr/sbin/charon-systemd" : "";
  c.swanctl = charon ? "/usr/sbin/swanctl" : "";
  c.tun = tun;
  return c;
}

std::string outcome(TunnelType type, const kernel::Capabilities& c) {
  try {
    return select_backend(type, c)->name();
  } catch (const EnvironmentError& e) {
    return std::string("error: ") + e.what();
  }
}

struct Row {
  bool kernel, program, tun;
  const char* want;  // a backend name, or text the error must contain
};

TEST(SelectBackend, WireguardEveryCombination) {
  const Row rows[] = {
      {true, true, true, "wireguard-kernel"},
      {true, true, false, "wireguard-kernel"},
      {true, false, true, "wireguard-kernel"},
      {true, false, false, "wireguard-kernel"},
      {false, true, true, "wireguard-go"},
      {false, true, false, "modprobe tun"},
      {false, false, true, "apt-get install wireguard-go"},
      {false, false, false, "neither WireGuard nor TUN"},
  };
  for (const Row& r : rows) {
    std::string got =
        outcome(TunnelType::Wireguard, caps(r.kernel, r.program, false, false, r.tun));
    SCOPED_TRACE(std::string("kernel=") + (r.kernel ? "y" : "n") +
                 " wireguard-go=" + (r.program ? "y" : "n") + " tun=" + (r.tun ? "y" : "n"));
    if (std::string(r.want).find("wireguard-") == 0)
      EXPECT_EQ(got, r.want);
    else
      EXPECT_NE(got.find(r.want), std::string::npos) << got;
    BackendChoice c =
        choose_backend(TunnelType::Wireguard, caps(r.kernel, r.program, false, false, r.tun));
    EXPECT_EQ(c.available, got.find("error") != 0);
    EXPECT_FALSE(c.detail.empty());
  }
}

TEST(SelectBackend, IpsecEveryCombination) {
  const Row rows[] = {
      {true, true, true, "ipsec-kernel"},
      {true, true, false, "ipsec-kernel"},
      {true, false, true, "apt-get install charon-systemd"},
      {true, false, false, "apt-get install charon-systemd"},
      {false, true, true, "ipsec-libipsec"},
      {false, true, false, "modprobe tun"},
      {false, false, true,
       "apt-get install charon-systemd strongswan-swanctl libcharon-extra-plugins"},
      {false, false, false, "modprobe tun"},
  };
  for (const Row& r : rows) {
    std::string got = outcome(TunnelType::Ipsec, caps(false, false, r.kernel, r.program, r.tun));
    SCOPED_TRACE(std::string("esp=") + (r.kernel ? "y" : "n") +
                 " charon=" + (r.program ? "y" : "n") + " tun=" + (r.tun ? "y" : "n"));
    if (std::string(r.want).find("ipsec-") == 0)
      EXPECT_EQ(got, r.want);
    else
      EXPECT_NE(got.find(r.want), std::string::npos) << got;
  }
}

TEST(SelectBackend, TheOtherTypesFeaturesDoNotMatter) {
  // WireGuard ignores ESP and charon; IPsec ignores WireGuard.
  EXPECT_EQ(outcome(TunnelType::Wireguard, caps(false, true, true, true, true)), "wireguard-go");
  EXPECT_EQ(outcome(TunnelType::Ipsec, caps(true, true, false, true, true)), "ipsec-libipsec");
}

TEST(SelectBackend, ThisMachinesChoiceIsWhatEnvironmentMdSays) {
  // docs/kernel-notes.md: no kernel WireGuard, no ESP, TUN, wireguard-go, charon.
  kernel::Capabilities here = caps(false, true, false, true, true);
  EXPECT_EQ(choose_backend(TunnelType::Wireguard, here).detail,
            "wireguard-go (/usr/bin/wireguard-go), the kernel has no WireGuard");
  EXPECT_EQ(choose_backend(TunnelType::Ipsec, here).detail,
            "strongSwan kernel-libipsec (userspace ESP over TUN), the kernel has no ESP");
}

TEST(Roles, FirstEndpointIsTheCustomerGateway) {
  auto t = testing::sample_tunnel();
  EXPECT_TRUE(is_initiator(t, t.a));
  EXPECT_FALSE(is_initiator(t, t.b));
  EXPECT_EQ(&peer_of(t, t.a), &t.b);
  EXPECT_EQ(&peer_of(t, t.b), &t.a);
  plan::TunnelEnd copy = t.b;  // by identity, not by address
  EXPECT_EQ(&peer_of(t, copy), &t.a);
  for (auto a :
       {topology::DpdAction::Clear, topology::DpdAction::None, topology::DpdAction::Restart}) {
    t.dpd.action = a;
    EXPECT_EQ(dpd_action_of(t, t.b), a);
    EXPECT_EQ(dpd_action_of(t, t.a), topology::DpdAction::Restart);
  }
}

TEST(Watcher, MissingBinaryIsAnEnvironmentError) {
  BackendOptions o;
  o.watcher = "/nonexistent/netlab-tunnel-watch";
  EXPECT_THROW(watcher_binary(o), EnvironmentError);
  o.watcher = "/bin/true";
  EXPECT_EQ(watcher_binary(o), "/bin/true");
}

}  // namespace
}  // namespace netlab::tunnel
