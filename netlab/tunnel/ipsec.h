// IPsec tunnels with strongSwan: one charon-systemd per tunnel end
// (ipsec_config.h says why not per node), configured over its own vici
// socket, route-based, BGP over the tunnel interface like WireGuard.
//
//   Libipsec  the kernel has no ESP: charon's kernel-libipsec plugin does
//             ESP in userspace (ESP in UDP) behind a TUN device it creates;
//             netlab finds that TUN by its owner and renames it to the
//             planned interface name.
//   Kernel    the kernel's XFRM with ESP: netlab creates an XFRM interface
//             (kind "xfrm", if_id unique to the tunnel) and charon's
//             kernel-netlink installs SAs and policies carrying that if_id.
//
// The interface gets the tunnel's inside address and stays down until the
// CHILD_SA is installed: netlab-tunnel-watch (watch.h) raises and lowers it
// with the SA, so that DPD's clear reaches BGP at once.
//
// configure() loads this end's secret and connection; when both ends of a
// tunnel are loaded it initiates from the customer gateway's end and waits
// for the CHILD_SA (an IKE_SA_INIT that reaches a responder without its
// connection is refused for good, so never earlier).
#pragma once

#include <set>

#include "netlab/tunnel/ipsec_config.h"
#include "netlab/tunnel/tunnel.h"

namespace netlab::tunnel {

class Ipsec : public Backend {
 public:
  Ipsec(IpsecFlavor flavor, std::string charon, BackendOptions opts = {});
  std::string name() const override;
  std::vector<process::ProcessSpec> processes(const plan::PlanTunnel&,
                                              const plan::TunnelEnd& me) override;
  void configure(const plan::PlanTunnel&, const plan::TunnelEnd& me, const plan::TunnelEnd& peer,
                 Context&) override;

  // Nanoseconds the last initiation took (IKE_SA_INIT + IKE_AUTH), for bench/.
  int64_t last_ike_setup_ns() const { return last_ike_setup_ns_; }

 private:
  std::unique_ptr<ViciSession> connect_when_ready(const plan::PlanTunnel&,
                                                  const plan::TunnelEnd& me, Context&);
  void make_interface(const plan::PlanTunnel&, const plan::TunnelEnd& me, Context&);
  TunnelKernel& kernel();

  IpsecFlavor flavor_;
  std::string charon_;
  BackendOptions opts_;
  std::unique_ptr<TunnelKernel> kernel_;
  std::set<std::string> loaded_;  // "<tunnel>/<node>" whose connection is loaded
  int64_t last_ike_setup_ns_ = 0;
};

}  // namespace netlab::tunnel
