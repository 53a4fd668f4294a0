#include "netlab/tunnel/wireguard_genl.h"

#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/time_types.h>
#include <linux/wireguard.h>
#include <netinet/in.h>

#include <cstring>

#include "netlab/base/error.h"
#include "netlab/plan/keys.h"
#include "netlab/kernel/nl_attr.h"

namespace netlab::tunnel {

namespace {

using kernel::MsgBuilder;

// Every nested array in this API (peers, allowed IPs) numbers its elements
// 0, as wireguard-tools does; the kernel ignores the element type.
constexpr uint16_t kArrayElement = 0;

MsgBuilder genl_message(uint16_t family, uint8_t cmd, uint16_t flags, uint8_t version) {
  MsgBuilder m(family, flags);
  auto* g = m.header<genlmsghdr>();
  g->cmd = cmd;
  g->version = version;
  return m;
}

void put_u16(MsgBuilder& m, uint16_t type, uint16_t v) { m.put(type, &v, sizeof v); }

void put_endpoint(MsgBuilder& m, const WgEndpoint& e) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(e.port);
  sa.sin_addr.s_addr = e.addr.network_order();
  m.put(WGPEER_A_ENDPOINT, &sa, sizeof sa);
}

void put_device(MsgBuilder& m, const WgDevice& d, bool reply) {
  m.put_strz(WGDEVICE_A_IFNAME, d.ifname);
  if (d.private_key) m.put(WGDEVICE_A_PRIVATE_KEY, d.private_key->data(), d.private_key->size());
  if (d.listen_port) put_u16(m, WGDEVICE_A_LISTEN_PORT, *d.listen_port);
  if (d.replace_peers) m.put_u32(WGDEVICE_A_FLAGS, WGDEVICE_F_REPLACE_PEERS);
  if (d.peers.empty()) return;
  nlattr* peers = m.nest_start(WGDEVICE_A_PEERS);
  for (const auto& p : d.peers) {
    nlattr* peer = m.nest_start(kArrayElement);
    m.put(WGPEER_A_PUBLIC_KEY, p.public_key.data(), p.public_key.size());
    uint32_t flags = 0;
    if (p.remove) flags |= WGPEER_F_REMOVE_ME;
    if (p.replace_allowed_ips) flags |= WGPEER_F_REPLACE_ALLOWEDIPS;
    if (flags) m.put_u32(WGPEER_A_FLAGS, flags);
    if (p.endpoint) put_endpoint(m, *p.endpoint);
    if (p.persistent_keepalive_s)
      put_u16(m, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, *p.persistent_keepalive_s);
    if (reply) {
      __kernel_timespec ts{};
      ts.tv_sec = p.last_handshake_ns / 1'000'000'000;
      ts.tv_nsec = p.last_handshake_ns % 1'000'000'000;
      m.put(WGPEER_A_LAST_HANDSHAKE_TIME, &ts, sizeof ts);
      m.put(WGPEER_A_RX_BYTES, &p.rx_bytes, sizeof p.rx_bytes);
      m.put(WGPEER_A_TX_BYTES, &p.tx_bytes, sizeof p.tx_bytes);
    }
    if (!p.allowed_ips.empty()) {
      nlattr* ips = m.nest_start(WGPEER_A_ALLOWEDIPS);
      for (const auto& a : p.allowed_ips) {
        nlattr* ip = m.nest_start(kArrayElement);
        put_u16(m, WGALLOWEDIP_A_FAMILY, AF_INET);
        uint32_t be = a.addr.network_order();
        m.put(WGALLOWEDIP_A_IPADDR, &be, sizeof be);
        m.put_u8(WGALLOWEDIP_A_CIDR_MASK, a.len);
        m.nest_end(ip);
      }
      m.nest_end(ips);
    }
    m.nest_end(peer);
  }
  m.nest_end(peers);
}

[[noreturn]] void bad(const std::string& what) { throw Error("wireguard genetlink: " + what); }

const void* payload_of(const nlattr* a, size_t want, const char* name) {
  if (mnl_attr_get_payload_len(a) < want) bad(std::string(name) + " is too short");
  return mnl_attr_get_payload(a);
}

uint16_t get_u16(const nlattr* a, const char* name) {
  uint16_t v;
  std::memcpy(&v, payload_of(a, sizeof v, name), sizeof v);
  return v;
}
uint32_t get_u32(const nlattr* a, const char* name) {
  uint32_t v;
  std::memcpy(&v, payload_of(a, sizeof v, name), sizeof v);
  return v;
}
uint64_t get_u64(const nlattr* a, const char* name) {
  uint64_t v;
  std::memcpy(&v, payload_of(a, sizeof v, name), sizeof v);
  return v;
}
WgKey get_key(const nlattr* a, const char* name) {
  WgKey k;
  std::memcpy(k.data(), payload_of(a, k.size(), name), k.size());
  return k;
}

Ipv4Prefix decode_allowed_ip(const nlattr* nest) {
  Ipv4Prefix p{};
  uint16_t family = 0;
  kernel::each_nested(nest, [&](const nlattr* a) {
    switch (mnl_attr_get_type(a)) {
      case WGALLOWEDIP_A_FAMILY:
        family = get_u16(a, "allowed ip family");
        break;
      case WGALLOWEDIP_A_IPADDR: {
        uint32_t be;
        std::memcpy(&be, payload_of(a, sizeof be, "allowed ip"), sizeof be);
        p.addr = Ipv4::from_network_order(be);
        break;
      }
      case WGALLOWEDIP_A_CIDR_MASK:
        p.len = mnl_attr_get_u8(a);
        break;
    }
  });
  if (family != AF_INET) bad("allowed ip of family " + std::to_string(family) + " (IPv4 only)");
  return p;
}

WgPeer decode_peer(const nlattr* nest) {
  WgPeer p;
  bool have_key = false;
  kernel::each_nested(nest, [&](const nlattr* a) {
    switch (mnl_attr_get_type(a)) {
      case WGPEER_A_PUBLIC_KEY:
        p.public_key = get_key(a, "peer public key");
        have_key = true;
        break;
      case WGPEER_A_FLAGS: {
        uint32_t f = get_u32(a, "peer flags");
        p.remove = f & WGPEER_F_REMOVE_ME;
        p.replace_allowed_ips = f & WGPEER_F_REPLACE_ALLOWEDIPS;
        break;
      }
      case WGPEER_A_ENDPOINT: {
        sockaddr_in sa{};
        // The kernel sends a sockaddr_in6 for IPv6 peers; only IPv4 here.
        std::memcpy(&sa, payload_of(a, sizeof sa, "endpoint"), sizeof sa);
        if (sa.sin_family != AF_INET) bad("endpoint of family " + std::to_string(sa.sin_family));
        p.endpoint = WgEndpoint{Ipv4::from_network_order(sa.sin_addr.s_addr), ntohs(sa.sin_port)};
        break;
      }
      case WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL:
        p.persistent_keepalive_s = get_u16(a, "persistent keepalive");
        break;
      case WGPEER_A_LAST_HANDSHAKE_TIME: {
        __kernel_timespec ts{};
        std::memcpy(&ts, payload_of(a, sizeof ts, "last handshake"), sizeof ts);
        p.last_handshake_ns = ts.tv_sec * 1'000'000'000 + ts.tv_nsec;
        break;
      }
      case WGPEER_A_RX_BYTES:
        p.rx_bytes = get_u64(a, "rx bytes");
        break;
      case WGPEER_A_TX_BYTES:
        p.tx_bytes = get_u64(a, "tx bytes");
        break;
      case WGPEER_A_ALLOWEDIPS:
        kernel::each_nested(a,
                        [&](const nlattr* ip) { p.allowed_ips.push_back(decode_allowed_ip(ip)); });
        break;
    }
  });
  if (!have_key) bad("peer without a public key");
  return p;
}

}  // namespace

WgKey wg_key_from_base64(const std::string& b64) {
  std::string hex = plan::base64_to_hex(b64);
  WgKey k{};
  for (size_t i = 0; i < k.size(); ++i)
    k[i] = static_cast<uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  return k;
}

MsgBuilder encode_genl_family_request(const std::string& name) {
  MsgBuilder m = genl_message(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, 1);
  m.put_strz(CTRL_ATTR_FAMILY_NAME, name);
  return m;
}

std::optional<uint16_t> decode_genl_family_id(const nlmsghdr* nlh) {
  if (nlh->nlmsg_type != GENL_ID_CTRL) return std::nullopt;
  std::optional<uint16_t> id;
  kernel::each_attr(nlh, sizeof(genlmsghdr), [&](const nlattr* a) {
    if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID) id = get_u16(a, "family id");
  });
  return id;
}

MsgBuilder encode_wg_set_device(uint16_t family, const WgDevice& d) {
  MsgBuilder m = genl_message(family, WG_CMD_SET_DEVICE, 0, WG_GENL_VERSION);
  put_device(m, d, false);
  return m;
}

MsgBuilder encode_wg_get_device(uint16_t family, const std::string& ifname) {
  MsgBuilder m = genl_message(family, WG_CMD_GET_DEVICE, NLM_F_DUMP, WG_GENL_VERSION);
  m.put_strz(WGDEVICE_A_IFNAME, ifname);
  return m;
}

MsgBuilder encode_wg_device_reply(uint16_t family, const WgDevice& d) {
  MsgBuilder m = genl_message(family, WG_CMD_GET_DEVICE, NLM_F_MULTI, WG_GENL_VERSION);
  put_device(m, d, true);
  return m;
}

WgDevice decode_wg_device(const nlmsghdr* nlh) {
  if (mnl_nlmsg_get_payload_len(nlh) < sizeof(genlmsghdr))
    bad("message without a genetlink header");
  WgDevice d;
  kernel::each_attr(nlh, sizeof(genlmsghdr), [&](const nlattr* a) {
    switch (mnl_attr_get_type(a)) {
      case WGDEVICE_A_IFNAME:
        d.ifname = mnl_attr_get_str(a);
        break;
      case WGDEVICE_A_PRIVATE_KEY:
        d.private_key = get_key(a, "private key");
        break;
      case WGDEVICE_A_LISTEN_PORT:
        d.listen_port = get_u16(a, "listen port");
        break;
      case WGDEVICE_A_FLAGS:
        d.replace_peers = get_u32(a, "device flags") & WGDEVICE_F_REPLACE_PEERS;
        break;
      case WGDEVICE_A_PEERS:
        kernel::each_nested(a, [&](const nlattr* p) { d.peers.push_back(decode_peer(p)); });
        break;
    }
  });
  return d;
}

void merge_wg_device(WgDevice& into, WgDevice part) {
  if (into.ifname.empty()) into.ifname = part.ifname;
  if (part.private_key) into.private_key = part.private_key;
  if (part.listen_port) into.listen_port = part.listen_port;
  for (auto& p : part.peers) {
    // A peer split across two messages continues with its allowed IPs.
    if (!into.peers.empty() && into.peers.back().public_key == p.public_key) {
      auto& last = into.peers.back();
      last.allowed_ips.insert(last.allowed_ips.end(), p.allowed_ips.begin(), p.allowed_ips.end());
    } else {
      into.peers.push_back(std::move(p));
    }
  }
}

}  // namespace netlab::tunnel
