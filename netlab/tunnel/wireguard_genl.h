// The kernel WireGuard's generic netlink API (include/uapi/linux/wireguard.h):
// resolving the "wireguard" family, WG_CMD_SET_DEVICE and WG_CMD_GET_DEVICE.
// Pure: messages are built into kernel::MsgBuilder and read back from
// nlmsghdr; sending is TunnelKernel's job (tunnel_kernel.h). One decoder
// reads both a SET request and a GET reply (they share the attribute
// layout), so every encoder is tested by decoding its output back.
//
// IPv4 only, like the rest of netlab. Errors: encoders throw
// KernelError("encode", ...) when a message would not fit; decoders throw
// Error on a malformed message.
#pragma once

#include <linux/netlink.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "netlab/base/ip.h"
#include "netlab/kernel/rtnl.h"

namespace netlab::tunnel {

using WgKey = std::array<uint8_t, 32>;
// A base64 key (as `wg genkey` prints and plan::KeyPair holds) as bytes;
// throws Error when it is not 32 bytes of base64.
WgKey wg_key_from_base64(const std::string& b64);

struct WgEndpoint {
  Ipv4 addr;
  uint16_t port = 0;
  bool operator==(const WgEndpoint&) const = default;
  std::string str() const { return addr.str() + ":" + std::to_string(port); }
};

struct WgPeer {
  WgKey public_key{};
  // Request flags (SET): WGPEER_F_REMOVE_ME, WGPEER_F_REPLACE_ALLOWEDIPS.
  bool remove = false;
  bool replace_allowed_ips = false;
  std::optional<WgEndpoint> endpoint;
  std::optional<uint16_t> persistent_keepalive_s;
  std::vector<Ipv4Prefix> allowed_ips;
  // State (GET replies only).
  int64_t last_handshake_ns = 0;  // CLOCK_REALTIME; 0: never
  uint64_t rx_bytes = 0, tx_bytes = 0;
  bool operator==(const WgPeer&) const = default;
};

struct WgDevice {
  std::string ifname;
  std::optional<WgKey> private_key;
  std::optional<uint16_t> listen_port;
  bool replace_peers = false;  // WGDEVICE_F_REPLACE_PEERS
  std::vector<WgPeer> peers;
  bool operator==(const WgDevice&) const = default;
};

// CTRL_CMD_GETFAMILY for `name`, and the family id in its reply (nullopt
// when the reply carries none).
kernel::MsgBuilder encode_genl_family_request(const std::string& name);
std::optional<uint16_t> decode_genl_family_id(const nlmsghdr* nlh);

// WG_CMD_SET_DEVICE naming the device by ifname.
kernel::MsgBuilder encode_wg_set_device(uint16_t family, const WgDevice& d);
// WG_CMD_GET_DEVICE (a dump request, as the kernel requires) for `ifname`.
kernel::MsgBuilder encode_wg_get_device(uint16_t family, const std::string& ifname);
// A SET request or one part of a GET reply. A GET reply may be split over
// several messages (large peer lists); merge_wg_device() joins the parts.
WgDevice decode_wg_device(const nlmsghdr* nlh);
void merge_wg_device(WgDevice& into, WgDevice part);

// For tests and fakes: a GET reply message as the kernel sends it.
kernel::MsgBuilder encode_wg_device_reply(uint16_t family, const WgDevice& d);

}  // namespace netlab::tunnel
