// rtnetlink requests for tunnel interfaces, decoded back.
#include "netlab/tunnel/link_codec.h"

#include <gtest/gtest.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "netlab/base/error.h"

namespace netlab::tunnel {
namespace {

TEST(LinkCodec, WireguardLinkIsCreatedExclusivelyWithItsKindAndMtu) {
  LinkRequest r = decode_link_request(encode_wireguard_create("vpn1-t1", 1420).nlh());
  EXPECT_EQ(r.type, RTM_NEWLINK);
  EXPECT_EQ(r.flags, NLM_F_CREATE | NLM_F_EXCL);
  EXPECT_EQ(r.ifname, "vpn1-t1");
  EXPECT_EQ(r.kind, "wireguard");
  EXPECT_EQ(r.mtu, 1420u);
  EXPECT_FALSE(r.xfrm_if_id);
}

TEST(LinkCodec, XfrmInterfaceCarriesItsIfIdAndUnderlay) {
  LinkRequest r = decode_link_request(encode_xfrm_create("vpn1-t1", 51820, 3, 1420).nlh());
  EXPECT_EQ(r.kind, "xfrm");
  EXPECT_EQ(r.xfrm_if_id, 51820u);
  EXPECT_EQ(r.xfrm_link, 3u);
  EXPECT_EQ(r.mtu, 1420u);
  // Without an underlay the attribute is left out, not sent as 0.
  LinkRequest r2 = decode_link_request(encode_xfrm_create("x", 7, 0, 1400).nlh());
  EXPECT_FALSE(r2.xfrm_link);
  // The kernel refuses if_id 0; so does the encoder, before it is sent.
  EXPECT_THROW(encode_xfrm_create("x", 0, 0, 1400), KernelError);
}

TEST(LinkCodec, RenameAddressesTheLinkByIndex) {
  LinkRequest r = decode_link_request(encode_link_rename(7, "vpn1-t2").nlh());
  EXPECT_EQ(r.type, RTM_NEWLINK);
  EXPECT_EQ(r.flags, 0);
  EXPECT_EQ(r.index, 7);
  EXPECT_EQ(r.ifname, "vpn1-t2");
  EXPECT_EQ(r.kind, "");
}

TEST(LinkCodec, MtuChangeNamesTheLink) {
  LinkRequest r = decode_link_request(encode_link_mtu("ipsec0", 1420).nlh());
  EXPECT_EQ(r.index, 0);
  EXPECT_EQ(r.ifname, "ipsec0");
  EXPECT_EQ(r.mtu, 1420u);
}

TEST(LinkCodec, RuleDeleteNamesTheTableForBothFamilies) {
  RuleRequest r = decode_rule_request(encode_rule_delete(AF_INET, 51820).nlh());
  EXPECT_EQ(r, (RuleRequest{RTM_DELRULE, AF_INET, 51820}));
  EXPECT_EQ(decode_rule_request(encode_rule_delete(AF_INET6, 220).nlh()),
            (RuleRequest{RTM_DELRULE, AF_INET6, 220}));
}

}  // namespace
}  // namespace netlab::tunnel
