// Tunnel backends: one shape for every way a VPN tunnel can be made
// (STYLE.md, point 4): WireGuard in the kernel or in wireguard-go, IPsec in
// the kernel's XFRM or in strongSwan's userspace libipsec.
//
// A backend works in two phases so that the lab keeps the only journal:
//   1. processes(): the programs this end needs (the lab spawns and journals them);
//   2. configure(): everything else for this end (keys, peer, address, up),
//      through the kernel interfaces, once those programs run.
// Errors: KernelError / Error naming the tunnel and node.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "netlab/kernel/capabilities.h"
#include "netlab/kernel/clock.h"
#include "netlab/kernel/netlink.h"
#include "netlab/plan/plan.h"
#include "netlab/process/processes.h"

namespace netlab::tunnel {

struct Context {
  kernel::Netlink& netlink;
  process::Processes& processes;
  kernel::Clock& clock;
};

class Backend {
 public:
  virtual ~Backend() = default;
  // "wireguard-go", "wireguard-kernel", ... as reports and `netlab doctor` print it.
  virtual std::string name() const = 0;
  virtual std::vector<process::ProcessSpec> processes(const plan::PlanTunnel&,
                                                      const plan::TunnelEnd& me) = 0;
  virtual void configure(const plan::PlanTunnel&, const plan::TunnelEnd& me,
                         const plan::TunnelEnd& peer, Context&) = 0;
};

// The backend for a tunnel type on a host with these capabilities; throws
// EnvironmentError (exit 3) when there is none, saying what to install.
std::unique_ptr<Backend> select_backend(topology::TunnelType, const kernel::Capabilities&);

}  // namespace netlab::tunnel
