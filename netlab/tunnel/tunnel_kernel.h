// The kernel operations that tunnel backends and the tunnel watcher need
// beyond kernel::Netlink (which creates veths, addresses and routes): kernel
// WireGuard devices (rtnetlink + generic netlink), XFRM interfaces, and
// renaming or resizing a link. Behind an interface so that backends are unit
// tested with a recording fake (tests/unit/tunnel/fake_tunnel_kernel.h).
//
// Namespaces are named as in kernel::Netlink ("" is the caller's own: the
// watcher runs inside its node). The real implementation sends through
// kernel::NetnsSockets, the one per-namespace socket cache.
// Errors: KernelError(op, "<ns> <object>", errno, extack).
// Threads: one TunnelKernel is used by one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "netlab/tunnel/wireguard_genl.h"

namespace netlab::tunnel {

class TunnelKernel {
 public:
  virtual ~TunnelKernel() = default;
  // A kernel WireGuard device, down; EOPNOTSUPP when the kernel has none.
  virtual void wireguard_create(const std::string& ns, const std::string& ifname, uint32_t mtu) = 0;
  // An XFRM interface, down; `underlay` is the device ESP leaves by ("": none).
  virtual void xfrm_create(const std::string& ns, const std::string& ifname, uint32_t if_id,
                           const std::string& underlay, uint32_t mtu) = 0;
  // Renames a link (taking it down first: the kernel refuses EBUSY otherwise).
  virtual void link_rename(const std::string& ns, const std::string& from,
                           const std::string& to) = 0;
  virtual void link_set_mtu(const std::string& ns, const std::string& ifname, uint32_t mtu) = 0;
  // A persistent TUN device nobody reads, down: a stand-in that keeps a name
  // resolvable (libipsec's routes name the TUN it created by that name).
  virtual void tun_placeholder(const std::string& ns, const std::string& ifname) = 0;
  // Deletes every routing rule (IPv4 and IPv6) that looks up `table`.
  virtual void rules_delete(const std::string& ns, uint32_t table) = 0;
  // WG_CMD_SET_DEVICE / WG_CMD_GET_DEVICE (the family id is resolved once per
  // namespace; ENOENT from the resolution means no WireGuard in this kernel).
  virtual void wg_set(const std::string& ns, const WgDevice&) = 0;
  virtual WgDevice wg_get(const std::string& ns, const std::string& ifname) = 0;
};

std::unique_ptr<TunnelKernel> make_tunnel_kernel();

}  // namespace netlab::tunnel
