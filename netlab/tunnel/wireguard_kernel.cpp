#include "netlab/tunnel/wireguard_kernel.h"

#include "netlab/plan/keys.h"
#include "netlab/tunnel/watch.h"

namespace netlab::tunnel {

WgDevice wg_device_config(const plan::PlanTunnel& t, const plan::TunnelEnd& me,
                          const plan::TunnelEnd& peer) {
  WgDevice d;
  d.ifname = me.ifname;
  d.private_key = wg_key_from_base64(me.keys.private_key);
  d.listen_port = me.listen_port;
  d.replace_peers = true;
  WgPeer p;
  p.public_key = wg_key_from_base64(peer.keys.public_key);
  p.endpoint = WgEndpoint{peer.outer, peer.listen_port};
  p.persistent_keepalive_s = static_cast<uint16_t>(t.dpd.interval_s);
  p.replace_allowed_ips = true;
  // One peer: BGP routes decide what enters the tunnel.
  p.allowed_ips = {*Ipv4Prefix::parse("0.0.0.0/0")};
  d.peers.push_back(p);
  return d;
}

TunnelKernel& WireguardKernel::kernel() {
  if (!kernel_) kernel_ = opts_.kernel ? opts_.kernel() : make_tunnel_kernel();
  return *kernel_;
}

std::vector<process::ProcessSpec> WireguardKernel::processes(const plan::PlanTunnel& t,
                                                             const plan::TunnelEnd& me) {
  const plan::TunnelEnd& peer = peer_of(t, me);
  WatchOptions w;
  w.kind = WatchKind::WireguardKernel;
  w.tunnel = t.name;
  w.ifname = me.ifname;
  w.peer_public_hex = plan::base64_to_hex(peer.keys.public_key);
  w.peer_endpoint = peer.outer.str() + ":" + std::to_string(peer.listen_port);
  w.keepalive_s = t.dpd.interval_s;
  w.timeout_s = t.dpd.timeout_s;
  w.action = dpd_action_of(t, me);
  return {watcher_spec(opts_, me, w)};
}

void WireguardKernel::configure(const plan::PlanTunnel& t, const plan::TunnelEnd& me,
                                const plan::TunnelEnd& peer, Context& ctx) {
  kernel().wireguard_create(me.ns, me.ifname, t.mtu);
  kernel().wg_set(me.ns, wg_device_config(t, me, peer));
  ctx.netlink.address_add({me.ns, me.ifname, me.inside});
  ctx.netlink.link_set_up(me.ns, me.ifname, true);
}

}  // namespace netlab::tunnel
