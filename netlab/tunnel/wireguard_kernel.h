// WireGuard in the kernel: a `wireguard` link created with RTM_NEWLINK in the
// node's namespace and configured over generic netlink (WG_CMD_SET_DEVICE):
// private key, listen port, the one peer with its endpoint, persistent
// keepalive (the DPD interval, dpd.h) and allowed IP 0.0.0.0/0. No daemon;
// netlab-tunnel-watch reads the peer over genetlink for DPD.
#pragma once

#include "netlab/tunnel/tunnel.h"

namespace netlab::tunnel {

class WireguardKernel : public Backend {
 public:
  explicit WireguardKernel(BackendOptions opts = {}) : opts_(std::move(opts)) {}
  std::string name() const override { return "wireguard-kernel"; }
  std::vector<process::ProcessSpec> processes(const plan::PlanTunnel&,
                                              const plan::TunnelEnd& me) override;
  void configure(const plan::PlanTunnel&, const plan::TunnelEnd& me, const plan::TunnelEnd& peer,
                 Context&) override;

 private:
  TunnelKernel& kernel();
  BackendOptions opts_;
  std::unique_ptr<TunnelKernel> kernel_;
};

// The device configuration of one end, as WG_CMD_SET_DEVICE carries it.
WgDevice wg_device_config(const plan::PlanTunnel&, const plan::TunnelEnd& me,
                          const plan::TunnelEnd& peer);

}  // namespace netlab::tunnel
