#include "netlab/tunnel/link_codec.h"

#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include "netlab/base/error.h"
#include "netlab/kernel/nl_attr.h"

namespace netlab::tunnel {

namespace {

using kernel::MsgBuilder;

MsgBuilder newlink(uint16_t flags) {
  MsgBuilder m(RTM_NEWLINK, flags);
  m.header<ifinfomsg>()->ifi_family = AF_UNSPEC;
  return m;
}

}  // namespace

MsgBuilder encode_wireguard_create(const std::string& ifname, uint32_t mtu) {
  MsgBuilder m = newlink(NLM_F_CREATE | NLM_F_EXCL);
  m.put_strz(IFLA_IFNAME, ifname);
  m.put_u32(IFLA_MTU, mtu);
  nlattr* li = m.nest_start(IFLA_LINKINFO);
  m.put_strz(IFLA_INFO_KIND, "wireguard");
  m.nest_end(li);
  return m;
}

MsgBuilder encode_xfrm_create(const std::string& ifname, uint32_t if_id, uint32_t underlay_index,
                              uint32_t mtu) {
  // The kernel refuses if_id 0 ("if_id must be non zero"); say so before.
  if (if_id == 0)
    throw KernelError("encode", "xfrm interface " + ifname, EINVAL, "if_id must be non zero");
  MsgBuilder m = newlink(NLM_F_CREATE | NLM_F_EXCL);
  m.put_strz(IFLA_IFNAME, ifname);
  m.put_u32(IFLA_MTU, mtu);
  nlattr* li = m.nest_start(IFLA_LINKINFO);
  m.put_strz(IFLA_INFO_KIND, "xfrm");
  nlattr* data = m.nest_start(IFLA_INFO_DATA);
  m.put_u32(IFLA_XFRM_IF_ID, if_id);
  if (underlay_index) m.put_u32(IFLA_XFRM_LINK, underlay_index);
  m.nest_end(data);
  m.nest_end(li);
  return m;
}

MsgBuilder encode_link_rename(int ifindex, const std::string& new_name) {
  MsgBuilder m = newlink(0);
  static_cast<ifinfomsg*>(mnl_nlmsg_get_payload(m.nlh()))->ifi_index = ifindex;
  m.put_strz(IFLA_IFNAME, new_name);
  return m;
}

MsgBuilder encode_link_mtu(const std::string& ifname, uint32_t mtu) {
  MsgBuilder m = newlink(0);
  m.put_strz(IFLA_IFNAME, ifname);
  m.put_u32(IFLA_MTU, mtu);
  return m;
}

LinkRequest decode_link_request(const nlmsghdr* nlh) {
  if (mnl_nlmsg_get_payload_len(nlh) < sizeof(ifinfomsg))
    throw Error("link request without ifinfomsg");
  LinkRequest r;
  r.type = nlh->nlmsg_type;
  r.flags = nlh->nlmsg_flags;
  r.index = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh))->ifi_index;
  kernel::each_attr(nlh, sizeof(ifinfomsg), [&](const nlattr* a) {
    switch (mnl_attr_get_type(a)) {
      case IFLA_IFNAME:
        r.ifname = mnl_attr_get_str(a);
        break;
      case IFLA_MTU:
        r.mtu = mnl_attr_get_u32(a);
        break;
      case IFLA_LINKINFO:
        kernel::each_nested(a, [&](const nlattr* li) {
          if (mnl_attr_get_type(li) == IFLA_INFO_KIND) r.kind = mnl_attr_get_str(li);
          if (mnl_attr_get_type(li) != IFLA_INFO_DATA) return;
          kernel::each_nested(li, [&](const nlattr* d) {
            if (mnl_attr_get_type(d) == IFLA_XFRM_IF_ID) r.xfrm_if_id = mnl_attr_get_u32(d);
            if (mnl_attr_get_type(d) == IFLA_XFRM_LINK) r.xfrm_link = mnl_attr_get_u32(d);
          });
        });
        break;
    }
  });
  return r;
}

MsgBuilder encode_rule_delete(uint8_t family, uint32_t table) {
  MsgBuilder m(RTM_DELRULE, 0);
  auto* h = m.header<fib_rule_hdr>();
  h->family = family;
  // Tables above 255 travel only in FRA_TABLE; the header says "unspec".
  h->table = table < 256 ? static_cast<uint8_t>(table) : static_cast<uint8_t>(RT_TABLE_UNSPEC);
  m.put_u32(FRA_TABLE, table);
  return m;
}

RuleRequest decode_rule_request(const nlmsghdr* nlh) {
  if (mnl_nlmsg_get_payload_len(nlh) < sizeof(fib_rule_hdr))
    throw Error("rule request without fib_rule_hdr");
  const auto* h = static_cast<const fib_rule_hdr*>(mnl_nlmsg_get_payload(nlh));
  RuleRequest r{nlh->nlmsg_type, h->family, h->table};
  kernel::each_attr(nlh, sizeof(fib_rule_hdr), [&](const nlattr* a) {
    if (mnl_attr_get_type(a) == FRA_TABLE) r.table = mnl_attr_get_u32(a);
  });
  return r;
}

}  // namespace netlab::tunnel
