// tunnel.h: which backend a tunnel type gets on this host, and the helpers
// every backend shares.
#include "netlab/tunnel/tunnel.h"

#include <unistd.h>

#include <cstdlib>

#include "netlab/base/error.h"
#include "netlab/base/helpers.h"
#include "netlab/tunnel/ipsec.h"
#include "netlab/tunnel/watch.h"
#include "netlab/tunnel/wireguard_go.h"
#include "netlab/tunnel/wireguard_kernel.h"

namespace netlab::tunnel {

namespace {

constexpr const char* kStrongswanPackages =
    "apt-get install charon-systemd strongswan-swanctl libcharon-extra-plugins "
    "libstrongswan-extra-plugins libstrongswan-standard-plugins";

BackendChoice wireguard_choice(const kernel::Capabilities& c) {
  if (c.wireguard_kernel) return {true, "wireguard-kernel", "kernel WireGuard (genetlink)", ""};
  const bool go = !c.wireguard_go.empty();
  if (go && c.tun)
    return {true, "wireguard-go",
            "wireguard-go (" + c.wireguard_go + "), the kernel has no WireGuard", ""};
  if (go)
    return {
        false, "", "none: the kernel has no WireGuard and no TUN for wireguard-go",
        "wireguard-go needs /dev/net/tun: load the tun module (modprobe tun), or use a kernel with "
        "WireGuard (modprobe wireguard)"};
  if (c.tun)
    return {false, "", "none: the kernel has no WireGuard and wireguard-go is not installed",
            "apt-get install wireguard-go (or use a kernel with WireGuard: modprobe wireguard)"};
  return {false, "", "none: the kernel has neither WireGuard nor TUN",
          "use a kernel with WireGuard (modprobe wireguard), or with TUN (modprobe tun) and "
          "apt-get install wireguard-go"};
}

BackendChoice ipsec_choice(const kernel::Capabilities& c) {
  const bool charon = !c.charon.empty();
  if (c.xfrm_esp && charon)
    return {true, "ipsec-kernel",
            "kernel XFRM with ESP, strongSwan charon (" + c.charon + ") for IKE", ""};
  if (c.xfrm_esp)
    return {false, "", "none: the kernel has ESP but strongSwan's charon is not installed",
            kStrongswanPackages};
  if (charon && c.tun)
    return {true, "ipsec-libipsec",
            "strongSwan kernel-libipsec (userspace ESP over TUN), the kernel has no ESP", ""};
  if (charon)
    return {
        false, "", "none: the kernel has no ESP, and no TUN for strongSwan's libipsec",
        "load the tun module (modprobe tun), or use a kernel with XFRM and ESP (modprobe esp4)"};
  return {
      false, "", "none: the kernel has no ESP and strongSwan is not installed",
      std::string(kStrongswanPackages) + (c.tun ? "" : "; and load the tun module (modprobe tun)")};
}

}  // namespace

BackendChoice choose_backend(topology::TunnelType type, const kernel::Capabilities& caps) {
  return type == topology::TunnelType::Wireguard ? wireguard_choice(caps) : ipsec_choice(caps);
}

std::unique_ptr<Backend> select_backend(topology::TunnelType type, const kernel::Capabilities& caps,
                                        const BackendOptions& opts) {
  BackendChoice c = choose_backend(type, caps);
  if (!c.available)
    throw EnvironmentError(std::string(topology::to_string(type)) + " tunnels: " + c.detail + ": " +
                           c.fix);
  if (c.name == "wireguard-kernel") return std::make_unique<WireguardKernel>(opts);
  if (c.name == "wireguard-go") return std::make_unique<WireguardGo>(caps.wireguard_go, opts);
  if (c.name == "ipsec-kernel")
    return std::make_unique<Ipsec>(IpsecFlavor::Kernel, caps.charon, opts);
  return std::make_unique<Ipsec>(IpsecFlavor::Libipsec, caps.charon, opts);
}

const plan::TunnelEnd& peer_of(const plan::PlanTunnel& t, const plan::TunnelEnd& me) {
  return me.node == t.a.node && me.ifname == t.a.ifname ? t.b : t.a;
}

bool is_initiator(const plan::PlanTunnel& t, const plan::TunnelEnd& me) {
  return me.node == t.a.node && me.ifname == t.a.ifname;
}

topology::DpdAction dpd_action_of(const plan::PlanTunnel& t, const plan::TunnelEnd& me) {
  return is_initiator(t, me) ? topology::DpdAction::Restart : t.dpd.action;
}

std::string watcher_binary(const BackendOptions& o) {
  std::string path = o.watcher;
  std::string from = "BackendOptions";
  if (path.empty()) {
    if (const char* env = std::getenv("NETLAB_TUNNEL_WATCH")) {
      path = env;
      from = "$NETLAB_TUNNEL_WATCH";
    } else {
      return require_helper("netlab-tunnel-watch");
    }
  }
  if (::access(path.c_str(), X_OK) != 0)
    throw EnvironmentError("netlab-tunnel-watch is not installed (" + path + ", " + from +
                           "): build it with netlab (ninja netlab-tunnel-watch)");
  return path;
}

process::ProcessSpec watcher_spec(const BackendOptions& o, const plan::TunnelEnd& me,
                                  const WatchOptions& w) {
  process::ProcessSpec s;
  s.ns = me.ns;
  s.argv = watch_argv(watcher_binary(o), w);
  s.log_path = me.run_dir + "/../tunnel-watch-" + me.ifname + ".log";
  return s;
}

}  // namespace netlab::tunnel
