// wireguard-go's text API: what netlab sends, and what it reads back from a
// `get=1` reply (shaped as wireguard-go 0.0.20220316 answers, captured here).
#include "netlab/tunnel/wireguard_uapi.h"

#include <gtest/gtest.h>

#include "tunnel_fixtures.h"

namespace netlab::tunnel {
namespace {

using testing::sample_tunnel;

const std::string kPeer = "e54de864cb2deeb439a8a4514ef7a3a67dc02dda28423775a8cdf4c776f86550";

std::string get_reply(const std::string& peer, const std::string& hs_sec, const std::string& rx) {
  return "private_key=386e9e7a439ed1a97a06e73b47dfd43e311cfb96b7cfaf2b38333a5ba8eb9978\n"
         "listen_port=51830\n"
         "public_key=" +
         peer +
         "\n"
         "preshared_key=0000000000000000000000000000000000000000000000000000000000000000\n"
         "protocol_version=1\n"
         "endpoint=198.51.100.2:51830\n"
         "last_handshake_time_sec=" +
         hs_sec +
         "\n"
         "last_handshake_time_nsec=856485409\n"
         "tx_bytes=272\n"
         "rx_bytes=" +
         rx +
         "\n"
         "persistent_keepalive_interval=10\n"
         "allowed_ip=0.0.0.0/0\n"
         "errno=0\n\n";
}

TEST(Uapi, SetRequestConfiguresKeysPortPeerAndKeepalive) {
  auto t = sample_tunnel(topology::TunnelType::Wireguard);
  t.dpd.interval_s = 7;
  std::string r = uapi_set_request(t, t.a, t.b);
  EXPECT_TRUE(r.starts_with("set=1\n"));
  EXPECT_TRUE(r.ends_with("\n\n"));
  EXPECT_NE(r.find("private_key=" + plan::base64_to_hex(t.a.keys.private_key) + "\n"),
            std::string::npos);
  EXPECT_NE(r.find("listen_port=51820\n"), std::string::npos);
  EXPECT_NE(r.find("public_key=" + plan::base64_to_hex(t.b.keys.public_key) + "\n"),
            std::string::npos);
  EXPECT_NE(r.find("endpoint=198.51.100.1:51820\n"), std::string::npos);
  EXPECT_NE(r.find("persistent_keepalive_interval=7\n"), std::string::npos);
  EXPECT_NE(r.find("allowed_ip=0.0.0.0/0\n"), std::string::npos);
  // The peer's settings follow its public_key line.
  EXPECT_LT(r.find("public_key="), r.find("endpoint="));
}

TEST(Uapi, PeerResetRemovesThenAddsWithOrWithoutEndpoint) {
  std::string clear = uapi_peer_reset_request(kPeer, std::nullopt, 10);
  EXPECT_EQ(
      clear,
      "set=1\npublic_key=" + kPeer + "\nremove=true\npublic_key=" + kPeer +
          "\npersistent_keepalive_interval=10\nreplace_allowed_ips=true\nallowed_ip=0.0.0.0/0\n\n");
  std::string restart = uapi_peer_reset_request(kPeer, std::string("198.51.100.1:51820"), 10);
  EXPECT_NE(restart.find("remove=true\npublic_key=" + kPeer + "\nendpoint=198.51.100.1:51820\n"),
            std::string::npos);
}

TEST(Uapi, ErrnoOfCompleteRepliesOnly) {
  EXPECT_EQ(uapi_parse_errno("errno=0\n\n"), 0);
  EXPECT_EQ(uapi_parse_errno("errno=22\n\n"), 22);
  EXPECT_EQ(uapi_parse_errno("errno=0\n"), std::nullopt);
  EXPECT_EQ(uapi_parse_errno("listen_port=1\n\n"), std::nullopt);
}

TEST(Uapi, ReadingOfThePeer) {
  WgReading r = uapi_parse_reading(get_reply(kPeer, "1795293185", "180"), kPeer);
  EXPECT_TRUE(r.peer_present);
  EXPECT_EQ(r.rx_bytes, 180u);
  EXPECT_EQ(r.last_handshake_ns, 1795293185LL * 1'000'000'000 + 856485409);
}

TEST(Uapi, ReadingWithoutThatPeerOrOfAFailedReplyIsAbsent) {
  EXPECT_FALSE(uapi_parse_reading(get_reply(std::string(64, 'a'), "1", "2"), kPeer).peer_present);
  EXPECT_FALSE(uapi_parse_reading("errno=2\n\n", kPeer).peer_present);
  EXPECT_FALSE(uapi_parse_reading(get_reply(kPeer, "1", "2").substr(0, 100), kPeer).peer_present);
  // Never handshaked: present, time 0.
  WgReading r = uapi_parse_reading(get_reply(kPeer, "0", "0"), kPeer);
  EXPECT_TRUE(r.peer_present);
  EXPECT_EQ(r.last_handshake_ns, 856485409);  // nsec alone; compared only with itself
}

TEST(Uapi, ReadingStopsAtTheNextPeer) {
  std::string two = get_reply(kPeer, "5", "100");
  two.insert(two.find("errno="), "public_key=" + std::string(64, 'b') + "\nrx_bytes=999\n");
  EXPECT_EQ(uapi_parse_reading(two, kPeer).rx_bytes, 100u);
}

}  // namespace
}  // namespace netlab::tunnel
