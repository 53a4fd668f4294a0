// WireGuard in userspace: one wireguard-go process per tunnel end, in the
// node's network namespace, with a private /run (its UAPI socket path
// /run/wireguard/IFNAME.sock is global to the host otherwise, and two nodes
// with the same interface name would collide: docs/kernel-notes.md), and
// one netlab-tunnel-watch beside it for dead peer detection (dpd.h).
#pragma once

#include "netlab/tunnel/tunnel.h"

namespace netlab::tunnel {

class WireguardGo : public Backend {
 public:
  WireguardGo(std::string binary, BackendOptions opts = {})
      : binary_(std::move(binary)), opts_(std::move(opts)) {}
  std::string name() const override { return "wireguard-go"; }
  std::vector<process::ProcessSpec> processes(const plan::PlanTunnel&,
                                              const plan::TunnelEnd& me) override;
  void configure(const plan::PlanTunnel&, const plan::TunnelEnd& me, const plan::TunnelEnd& peer,
                 Context&) override;
  // Where this end's UAPI socket appears, seen from netlab's mount namespace.
  static std::string socket_path(const plan::TunnelEnd& me);

 private:
  TunnelKernel& kernel();
  std::string binary_;
  BackendOptions opts_;
  std::unique_ptr<TunnelKernel> kernel_;
};

// One request/reply exchange on a UAPI socket (wireguard_uapi.h encodes and
// parses). Throws KernelError naming the socket.
std::string wireguard_uapi_exchange(const std::string& socket, const std::string& request);

}  // namespace netlab::tunnel
