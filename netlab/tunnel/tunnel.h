// Tunnel backends: one shape for every way a VPN tunnel can be made
// (docs/design.md, "Seams"): WireGuard in the kernel or in wireguard-go, IPsec in
// the kernel's XFRM or in strongSwan's userspace libipsec.
//
// A backend works in two phases so that the lab keeps the only journal:
//   1. processes(): the programs this end needs (the lab spawns and journals
//      them); it may write their configuration files under me.run_dir first;
//   2. configure(): everything else for this end (keys, peer, address),
//      through the kernel interfaces, once those programs run. The lab calls
//      it for both ends of a tunnel, one after the other, after spawning the
//      processes of both.
// Every end runs a netlab-tunnel-watch (watch.h) that keeps its interface's
// state true to the tunnel's liveness (DPD) for as long as the lab runs.
//
// Roles: the first endpoint of a [[tunnels]] entry plays the customer
// gateway, the second AWS's VPN endpoint (the catalogue lists the customer
// first). AWS's endpoint applies the file's DPD action and, with AWS's
// default startup action "add", waits to be contacted; the customer gateway
// initiates and restarts on DPD timeout, as AWS's sample customer gateway
// configurations do.
//
// Errors: KernelError / Error naming the tunnel and node; EnvironmentError
// (exit 3) when the host lacks what a backend needs, saying what to install.
// Threads: a backend is used by the lab's one thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "netlab/kernel/capabilities.h"
#include "netlab/kernel/clock.h"
#include "netlab/kernel/netlink.h"
#include "netlab/plan/plan.h"
#include "netlab/process/processes.h"
#include "netlab/tunnel/tunnel_kernel.h"
#include "netlab/tunnel/vici.h"

namespace netlab::tunnel {

struct Context {
  kernel::Netlink& netlink;
  process::Processes& processes;
  kernel::Clock& clock;
};

class Backend {
 public:
  virtual ~Backend() = default;
  // "wireguard-go", "wireguard-kernel", "ipsec-libipsec", "ipsec-kernel", as
  // reports and `netlab doctor` print it.
  virtual std::string name() const = 0;
  virtual std::vector<process::ProcessSpec> processes(const plan::PlanTunnel&,
                                                      const plan::TunnelEnd& me) = 0;
  virtual void configure(const plan::PlanTunnel&, const plan::TunnelEnd& me,
                         const plan::TunnelEnd& peer, Context&) = 0;
};

// What backends are built with; the defaults are the real ones.
struct BackendOptions {
  // netlab-tunnel-watch; "": $NETLAB_TUNNEL_WATCH, else found as netlab's
  // other helpers are (base/helpers.h).
  std::string watcher;
  // Kernel operations beyond kernel::Netlink (kernel WireGuard, XFRM
  // interfaces, renames); null: the real one.
  std::function<std::unique_ptr<TunnelKernel>()> kernel;
  // charon's control sockets; null: real UNIX sockets.
  ViciConnector vici;
  // Where charon's plugins are (kernel-libipsec must be among them), and
  // whether to check that the ones netlab loads are installed.
  std::string charon_plugin_dir = "/usr/lib/ipsec/plugins";
  bool check_plugins = true;
  // The TUN devices held in namespace `ns` by processes whose environment
  // holds `env_entry` (tun_owner.h); null: the real lookup in /proc.
  std::function<std::vector<std::string>(const std::string& ns, const std::string& env_entry)>
      find_tuns;
};

// The backend a host's capabilities give a tunnel type, or why there is none.
struct BackendChoice {
  bool available = false;
  std::string name;    // Backend::name() of the choice; "" when unavailable
  std::string detail;  // one line for `netlab doctor`
  std::string fix;     // when unavailable: what to install or enable
};
BackendChoice choose_backend(topology::TunnelType, const kernel::Capabilities&);

// The backend for a tunnel type on a host with these capabilities; throws
// EnvironmentError (exit 3) when there is none, saying what to install.
std::unique_ptr<Backend> select_backend(topology::TunnelType, const kernel::Capabilities&,
                                        const BackendOptions& = {});

// --- shared by the backends ---

// The other end of `t`.
const plan::TunnelEnd& peer_of(const plan::PlanTunnel& t, const plan::TunnelEnd& me);
// The customer gateway's end: it initiates (see Roles above).
bool is_initiator(const plan::PlanTunnel& t, const plan::TunnelEnd& me);
// What this end does on DPD timeout: the file's action at AWS's end,
// restart at the customer gateway's.
topology::DpdAction dpd_action_of(const plan::PlanTunnel& t, const plan::TunnelEnd& me);
// netlab-tunnel-watch's path; throws EnvironmentError when it is missing.
std::string watcher_binary(const BackendOptions&);
struct WatchOptions;
// The watcher process of one tunnel end (its log beside the node's others).
process::ProcessSpec watcher_spec(const BackendOptions&, const plan::TunnelEnd& me,
                                  const WatchOptions&);

}  // namespace netlab::tunnel
