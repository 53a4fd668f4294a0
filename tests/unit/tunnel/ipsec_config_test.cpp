// What each charon instance is told: its strongswan.conf, and the vici
// messages of its secret and connection, for both ends and both flavours.
#include "netlab/tunnel/ipsec_config.h"

#include <gtest/gtest.h>

#include "netlab/plan/keys.h"
#include "netlab/tunnel/tunnel.h"
#include "tunnel_fixtures.h"

namespace netlab::tunnel {
namespace {

using testing::sample_tunnel;
using topology::DpdAction;

bool has(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

const ViciMessage& child_of(const ViciMessage& conn) {
  return *conn.find_section("vpn1-t1")->find_section("children")->find_section("vpn1-t1");
}

TEST(CharonPaths, PrivateDirectoryPerTunnelEndAndLogBesideTheNode) {
  auto t = sample_tunnel();
  CharonPaths p = charon_paths(t.a);
  EXPECT_EQ(p.dir, "/run/netlab/x/nodes/cgw/run/ipsec-vpn1-t1");
  EXPECT_EQ(p.conf, p.dir + "/strongswan.conf");
  EXPECT_EQ(p.vici, p.dir + "/charon.vici");
  EXPECT_EQ(p.log, "/run/netlab/x/nodes/cgw/run/../charon-vpn1-t1.log");
}

TEST(DpdRetransmits, FailTheProbeTimeoutMinusIntervalAfterItIsSent) {
  // AWS's defaults: probe after 10 s idle, dead 30 s after the last packet.
  Retransmits r = dpd_retransmits({10, 30, DpdAction::Clear});
  EXPECT_EQ(r, (Retransmits{1, 10.0, 1.0}));
  EXPECT_DOUBLE_EQ(r.give_up_s(), 20.0);
  // The current guide's 40 s.
  EXPECT_EQ(dpd_retransmits({10, 40, DpdAction::Clear}), (Retransmits{2, 10.0, 1.0}));
  // Not a multiple of the interval: equal waits, none longer than it.
  Retransmits odd = dpd_retransmits({10, 35, DpdAction::Clear});
  EXPECT_EQ(odd.tries, 2u);
  EXPECT_NEAR(odd.timeout_s, 25.0 / 3, 1e-9);
  EXPECT_NEAR(odd.give_up_s(), 25.0, 1e-9);
  // Degenerate: a timeout no longer than the interval still gives up.
  EXPECT_GT(dpd_retransmits({10, 10, DpdAction::Clear}).give_up_s(), 0);
  // charon's defaults, for the record: 4 s * 1.8^n, 5 retransmits = 165 s.
  EXPECT_NEAR((Retransmits{5, 4.0, 1.8}).give_up_s(), 165.06, 0.01);
}

TEST(StrongswanConf, LibipsecInstanceIsSelfContained) {
  auto t = sample_tunnel();
  std::string c = render_strongswan_conf(t, t.a, IpsecFlavor::Libipsec);
  EXPECT_TRUE(
      has(c,
          "  load = random nonce openssl aes sha1 sha2 hmac kdf gmp curve25519 pem pkcs1 x509 "
          "pubkey kernel-libipsec kernel-netlink socket-default vici\n"));
  EXPECT_TRUE(has(c, "  port = 0\n"));
  EXPECT_TRUE(has(c, "  port_nat_t = 51820\n"));
  EXPECT_TRUE(has(c, "  install_routes = no\n"));
  // Its own table (the tunnel's port), never 220 and never 0 (= main).
  EXPECT_TRUE(has(c, "  routing_table = 51820\n"));
  EXPECT_TRUE(has(c, "  routing_table_prio = 51820\n"));
  EXPECT_EQ(charon_routing_table(t.a), 51820u);
  EXPECT_TRUE(has(c, "  retransmit_tries = 1\n"));
  EXPECT_TRUE(has(c, "  retransmit_timeout = 10.000\n"));
  EXPECT_TRUE(has(c, "  retransmit_base = 1.000\n"));
  EXPECT_TRUE(
      has(c, "      socket = unix:///run/netlab/x/nodes/cgw/run/ipsec-vpn1-t1/charon.vici\n"));
  EXPECT_TRUE(has(c, "      path = /run/netlab/x/nodes/cgw/run/../charon-vpn1-t1.log\n"));
  EXPECT_TRUE(has(c, "      roam_events = no\n"));
  // Braces balance: charon refuses the whole file otherwise.
  EXPECT_EQ(std::count(c.begin(), c.end(), '{'), std::count(c.begin(), c.end(), '}'));
}

TEST(StrongswanConf, KernelFlavourLoadsNoLibipsec) {
  auto t = sample_tunnel();
  std::string c = render_strongswan_conf(t, t.b, IpsecFlavor::Kernel);
  EXPECT_FALSE(has(c, "kernel-libipsec"));
  EXPECT_TRUE(has(c, " kernel-netlink socket-default vici\n"));
  EXPECT_TRUE(has(c, "nodes/vpn-az1/run/ipsec-vpn1-t1/charon.vici"));
  EXPECT_TRUE(has(c, "  routing_table = 0\n"));  // no rule at all
  EXPECT_TRUE(has(c, "  install_routes = no\n"));
}

TEST(LoadShared, ThePskAsRawBytesOwnedByBothIdentities) {
  auto t = sample_tunnel();
  ViciMessage m = load_shared_message(t, t.a, t.b);
  EXPECT_EQ(*m.value("type"), "IKE");
  std::string raw = *m.value("data");
  ASSERT_EQ(raw.size(), 32u);
  EXPECT_EQ(plan::base64_encode(reinterpret_cast<const unsigned char*>(raw.data()), raw.size()),
            t.psk);
  EXPECT_EQ(*m.list_items("owners"), (std::vector<std::string>{"203.0.113.1", "198.51.100.1"}));
  // And it survives the wire.
  EXPECT_EQ(decode_vici_message(encode_vici_message(m)), m);
}

TEST(LoadConn, CustomerGatewayInitiatesRetriesAndRestarts) {
  auto t = sample_tunnel();
  ViciMessage m = load_conn_message(t, t.a, t.b, IpsecFlavor::Libipsec);
  const ViciMessage& c = *m.find_section("vpn1-t1");
  EXPECT_EQ(*c.value("version"), "2");
  EXPECT_EQ(*c.list_items("local_addrs"), std::vector<std::string>{"203.0.113.1"});
  EXPECT_EQ(*c.list_items("remote_addrs"), std::vector<std::string>{"198.51.100.1"});
  EXPECT_EQ(*c.value("local_port"), "51820");
  EXPECT_EQ(*c.value("remote_port"), "51820");
  EXPECT_EQ(*c.value("encap"), "yes");  // libipsec: ESP in UDP only
  EXPECT_EQ(*c.value("dpd_delay"), "10s");
  EXPECT_EQ(*c.value("keyingtries"), "0");
  EXPECT_EQ(*c.path("local-psk.id"), "203.0.113.1");
  EXPECT_EQ(*c.path("remote-psk.id"), "198.51.100.1");
  EXPECT_EQ(*c.path("local-psk.auth"), "psk");
  const ViciMessage& ch = child_of(m);
  EXPECT_EQ(*ch.list_items("local_ts"), std::vector<std::string>{"0.0.0.0/0"});
  EXPECT_EQ(*ch.list_items("remote_ts"), std::vector<std::string>{"0.0.0.0/0"});
  EXPECT_EQ(*ch.value("dpd_action"), "restart");
  EXPECT_EQ(*ch.value("close_action"), "start");
  EXPECT_EQ(*ch.value("start_action"), "none");  // netlab initiates once both ends are loaded
  EXPECT_EQ(ch.value("if_id_in"), nullptr);
}

TEST(LoadConn, AwsEndAppliesTheFilesDpdAction) {
  auto t = sample_tunnel();
  for (auto [action, dpd_delay, charon_action] : {std::tuple{DpdAction::Clear, "10s", "clear"},
                                                  std::tuple{DpdAction::Restart, "10s", "restart"},
                                                  std::tuple{DpdAction::None, "0s", "clear"}}) {
    t.dpd.action = action;
    ViciMessage m = load_conn_message(t, t.b, t.a, IpsecFlavor::Libipsec);
    EXPECT_EQ(*m.path("vpn1-t1.dpd_delay"), dpd_delay);
    EXPECT_EQ(*m.path("vpn1-t1.keyingtries"), "1");
    EXPECT_EQ(*child_of(m).value("dpd_action"), charon_action);
    EXPECT_EQ(*child_of(m).value("close_action"), "none");
  }
}

TEST(LoadConn, LifetimesAreAwsDefaultsRekeyedInTheMargin) {
  auto t = sample_tunnel();
  ViciMessage m = load_conn_message(t, t.b, t.a, IpsecFlavor::Libipsec);
  EXPECT_EQ(*m.path("vpn1-t1.rekey_time"), "28530s");
  EXPECT_EQ(*m.path("vpn1-t1.over_time"), "270s");  // expires at 28800 s at the latest
  EXPECT_EQ(*m.path("vpn1-t1.rand_time"), "270s");  // fuzz 100 % of the margin
  EXPECT_EQ(*child_of(m).value("life_time"), "3600s");
  EXPECT_EQ(*child_of(m).value("rekey_time"), "3330s");
  EXPECT_EQ(*child_of(m).value("rand_time"), "270s");
}

TEST(LoadConn, KernelFlavourBindsTheSasToTheXfrmInterface) {
  auto t = sample_tunnel();
  t.a.listen_port = t.b.listen_port = 51823;
  ViciMessage m = load_conn_message(t, t.a, t.b, IpsecFlavor::Kernel);
  EXPECT_EQ(*m.path("vpn1-t1.encap"), "no");
  EXPECT_EQ(*child_of(m).value("if_id_in"), "51823");
  EXPECT_EQ(*child_of(m).value("if_id_out"), "51823");
  EXPECT_EQ(*child_of(m).value("reqid"), "51823");
  EXPECT_EQ(xfrm_if_id(t.a), 51823u);
}

TEST(Initiate, NamesTheChildAndWaits) {
  auto t = sample_tunnel();
  ViciMessage m = initiate_message(t, 10000);
  EXPECT_EQ(*m.value("child"), "vpn1-t1");
  EXPECT_EQ(*m.value("ike"), "vpn1-t1");
  EXPECT_EQ(*m.value("timeout"), "10000");
}

}  // namespace
}  // namespace netlab::tunnel
