// The kernel WireGuard's genetlink messages: every encoder decoded back, the
// wire details the kernel checks (command, version, nesting, attribute
// sizes), and GET replies as the kernel sends them.
#include "netlab/tunnel/wireguard_genl.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/wireguard.h>

#include "netlab/base/error.h"
#include "netlab/kernel/nl_attr.h"
#include "netlab/tunnel/wireguard_kernel.h"
#include "tunnel_fixtures.h"

namespace netlab::tunnel {
namespace {

using testing::sample_tunnel;

const genlmsghdr* genl(const kernel::MsgBuilder& m) {
  return static_cast<const genlmsghdr*>(mnl_nlmsg_get_payload(m.nlh()));
}

WgKey key(uint8_t fill) {
  WgKey k;
  k.fill(fill);
  return k;
}

TEST(WgGenl, FamilyRequestAndReply) {
  kernel::MsgBuilder req = encode_genl_family_request("wireguard");
  EXPECT_EQ(req.nlh()->nlmsg_type, GENL_ID_CTRL);
  EXPECT_EQ(genl(req)->cmd, CTRL_CMD_GETFAMILY);
  std::string name;
  kernel::each_attr(req.nlh(), sizeof(genlmsghdr), [&](const nlattr* a) {
    if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_NAME) name = mnl_attr_get_str(a);
  });
  EXPECT_EQ(name, "wireguard");

  // The controller's answer: the id among other attributes.
  kernel::MsgBuilder reply(GENL_ID_CTRL, 0);
  reply.header<genlmsghdr>()->cmd = CTRL_CMD_NEWFAMILY;
  reply.put_strz(CTRL_ATTR_FAMILY_NAME, "wireguard");
  uint16_t id = 0x1b;
  reply.put(CTRL_ATTR_FAMILY_ID, &id, sizeof id);
  EXPECT_EQ(decode_genl_family_id(reply.nlh()), 0x1b);
  kernel::MsgBuilder other(0x20, 0);
  other.header<genlmsghdr>();
  EXPECT_EQ(decode_genl_family_id(other.nlh()), std::nullopt);
}

TEST(WgGenl, SetDeviceOfATunnelEndRoundTrips) {
  auto t = sample_tunnel(topology::TunnelType::Wireguard);
  WgDevice d = wg_device_config(t, t.a, t.b);
  EXPECT_EQ(d.ifname, "vpn1-t1");
  EXPECT_EQ(*d.private_key, wg_key_from_base64(t.a.keys.private_key));
  EXPECT_EQ(d.listen_port, 51820);
  EXPECT_TRUE(d.replace_peers);
  ASSERT_EQ(d.peers.size(), 1u);
  EXPECT_EQ(d.peers[0].public_key, wg_key_from_base64(t.b.keys.public_key));
  EXPECT_EQ(d.peers[0].endpoint, (WgEndpoint{*Ipv4::parse("198.51.100.1"), 51820}));
  EXPECT_EQ(d.peers[0].persistent_keepalive_s, 10);  // the DPD interval
  EXPECT_EQ(d.peers[0].allowed_ips, std::vector<Ipv4Prefix>{*Ipv4Prefix::parse("0.0.0.0/0")});

  kernel::MsgBuilder m = encode_wg_set_device(0x1b, d);
  EXPECT_EQ(m.nlh()->nlmsg_type, 0x1b);
  EXPECT_EQ(genl(m)->cmd, WG_CMD_SET_DEVICE);
  EXPECT_EQ(genl(m)->version, WG_GENL_VERSION);
  EXPECT_EQ(decode_wg_device(m.nlh()), d);
}

TEST(WgGenl, RemoveAndReAddWithoutEndpointRoundTrips) {
  WgDevice d;
  d.ifname = "vpn1-t2";
  WgPeer gone;
  gone.public_key = key(7);
  gone.remove = true;
  WgPeer again;
  again.public_key = key(7);
  again.persistent_keepalive_s = 10;
  again.replace_allowed_ips = true;
  again.allowed_ips = {*Ipv4Prefix::parse("0.0.0.0/0"), *Ipv4Prefix::parse("10.1.2.0/24")};
  d.peers = {gone, again};
  kernel::MsgBuilder m = encode_wg_set_device(0x1b, d);
  WgDevice back = decode_wg_device(m.nlh());
  EXPECT_EQ(back, d);
  EXPECT_FALSE(back.private_key);
  EXPECT_FALSE(back.listen_port);
  EXPECT_FALSE(back.peers[1].endpoint);
}

TEST(WgGenl, WireLayoutIsWhatTheKernelParses) {
  WgDevice d;
  d.ifname = "wg0";
  d.listen_port = 51821;
  WgPeer p;
  p.public_key = key(1);
  p.endpoint = WgEndpoint{*Ipv4::parse("192.0.2.7"), 51821};
  p.allowed_ips = {*Ipv4Prefix::parse("0.0.0.0/0")};
  d.peers = {p};
  kernel::MsgBuilder m = encode_wg_set_device(0x1b, d);
  // WGDEVICE_A_PEERS > element 0 > WGPEER_A_ENDPOINT is a sockaddr_in in
  // network byte order; the listen port a host-order u16.
  bool saw_port = false, saw_endpoint = false;
  kernel::each_attr(m.nlh(), sizeof(genlmsghdr), [&](const nlattr* a) {
    if (mnl_attr_get_type(a) == WGDEVICE_A_LISTEN_PORT) {
      EXPECT_EQ(mnl_attr_get_payload_len(a), 2u);
      EXPECT_EQ(mnl_attr_get_u16(a), 51821);
      saw_port = true;
    }
    if (mnl_attr_get_type(a) != WGDEVICE_A_PEERS) return;
    kernel::each_nested(a, [&](const nlattr* peer) {
      EXPECT_EQ(mnl_attr_get_type(peer), 0);
      kernel::each_nested(peer, [&](const nlattr* q) {
        if (mnl_attr_get_type(q) != WGPEER_A_ENDPOINT) return;
        ASSERT_EQ(mnl_attr_get_payload_len(q), sizeof(sockaddr_in));
        auto* sa = static_cast<const sockaddr_in*>(mnl_attr_get_payload(q));
        EXPECT_EQ(sa->sin_family, AF_INET);
        EXPECT_EQ(ntohs(sa->sin_port), 51821);
        EXPECT_EQ(sa->sin_addr.s_addr, inet_addr("192.0.2.7"));
        saw_endpoint = true;
      });
    });
  });
  EXPECT_TRUE(saw_port);
  EXPECT_TRUE(saw_endpoint);
}

TEST(WgGenl, GetRequestIsADumpNamingTheDevice) {
  kernel::MsgBuilder m = encode_wg_get_device(0x1b, "vpn1-t1");
  EXPECT_EQ(m.nlh()->nlmsg_flags & NLM_F_DUMP, NLM_F_DUMP);
  EXPECT_EQ(genl(m)->cmd, WG_CMD_GET_DEVICE);
  EXPECT_EQ(decode_wg_device(m.nlh()).ifname, "vpn1-t1");
}

TEST(WgGenl, GetReplyCarriesHandshakeAndCountersAndMergesSplitPeers) {
  WgDevice d;
  d.ifname = "vpn1-t1";
  d.listen_port = 51820;
  WgPeer p;
  p.public_key = key(9);
  p.endpoint = WgEndpoint{*Ipv4::parse("198.51.100.1"), 51820};
  p.persistent_keepalive_s = 10;
  p.last_handshake_ns = 1'700'000'123'456'789'000;
  p.rx_bytes = 123456789012;
  p.tx_bytes = 42;
  p.allowed_ips = {*Ipv4Prefix::parse("0.0.0.0/0")};
  d.peers = {p};
  EXPECT_EQ(decode_wg_device(encode_wg_device_reply(0x1b, d).nlh()), d);

  // The kernel continues a long allowed-IP list in the next message.
  WgDevice first = d, second;
  second.ifname = "vpn1-t1";
  WgPeer cont;
  cont.public_key = key(9);
  cont.allowed_ips = {*Ipv4Prefix::parse("10.0.0.0/8")};
  second.peers = {cont};
  WgDevice merged;
  merge_wg_device(merged, decode_wg_device(encode_wg_device_reply(0x1b, first).nlh()));
  merge_wg_device(merged, decode_wg_device(encode_wg_device_reply(0x1b, second).nlh()));
  ASSERT_EQ(merged.peers.size(), 1u);
  EXPECT_EQ(merged.peers[0].allowed_ips.size(), 2u);
  EXPECT_EQ(merged.peers[0].rx_bytes, 123456789012u);
}

TEST(WgGenl, MalformedMessagesAreRefused) {
  kernel::MsgBuilder m(0x1b, 0);
  m.header<genlmsghdr>();
  nlattr* peers = m.nest_start(WGDEVICE_A_PEERS);
  nlattr* peer = m.nest_start(0);
  uint16_t ka = 5;
  m.put(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, &ka, sizeof ka);  // no public key
  m.nest_end(peer);
  m.nest_end(peers);
  EXPECT_THROW(decode_wg_device(m.nlh()), Error);
  kernel::MsgBuilder bare(0x1b, 0);
  EXPECT_THROW(decode_wg_device(bare.nlh()), Error);
}

TEST(WgGenl, KeysFromBase64) {
  WgKey k = wg_key_from_base64(testing::key_b64(1));
  for (int i = 0; i < 32; ++i) EXPECT_EQ(k[i], 1 + i);
  EXPECT_THROW(wg_key_from_base64("not base64"), Error);
}

}  // namespace
}  // namespace netlab::tunnel
