// rtnetlink requests for tunnel interfaces that kernel::Netlink does not
// make: a `wireguard` link, an XFRM interface (kind "xfrm" with an if_id),
// renaming a link (libipsec's TUN) and setting its MTU, and deleting the
// routing rule charon adds. Pure encoders, and decoders of those same
// requests so tests (and the fake) read them back.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <optional>
#include <string>

#include "netlab/kernel/rtnl.h"

namespace netlab::tunnel {

// RTM_NEWLINK, NLM_F_CREATE|NLM_F_EXCL: a WireGuard device.
kernel::MsgBuilder encode_wireguard_create(const std::string& ifname, uint32_t mtu);
// RTM_NEWLINK, NLM_F_CREATE|NLM_F_EXCL: an XFRM interface whose SAs and
// policies carry `if_id`; `underlay_index` (0: none) is the device its ESP
// packets leave by (IFLA_XFRM_LINK).
kernel::MsgBuilder encode_xfrm_create(const std::string& ifname, uint32_t if_id,
                                      uint32_t underlay_index, uint32_t mtu);
// RTM_NEWLINK on an existing link (by index): a new name. The kernel only
// renames a link that is down.
kernel::MsgBuilder encode_link_rename(int ifindex, const std::string& new_name);
// RTM_NEWLINK on an existing link (by name): its MTU.
kernel::MsgBuilder encode_link_mtu(const std::string& ifname, uint32_t mtu);

// What one of the requests above asks for.
struct LinkRequest {
  uint16_t type = 0;
  uint16_t flags = 0;
  int index = 0;
  std::string ifname;
  std::optional<uint32_t> mtu;
  std::string kind;  // IFLA_INFO_KIND, "" when absent
  std::optional<uint32_t> xfrm_if_id, xfrm_link;
  bool operator==(const LinkRequest&) const = default;
};
LinkRequest decode_link_request(const nlmsghdr* nlh);

// RTM_DELRULE for the first rule of `family` (AF_INET, AF_INET6) that looks
// up `table`.
kernel::MsgBuilder encode_rule_delete(uint8_t family, uint32_t table);
struct RuleRequest {
  uint16_t type = 0;
  uint8_t family = 0;
  uint32_t table = 0;  // FRA_TABLE (the header's 8-bit field for small ids)
  bool operator==(const RuleRequest&) const = default;
};
RuleRequest decode_rule_request(const nlmsghdr* nlh);

}  // namespace netlab::tunnel
