// netlab-tunnel-watch: one small process per tunnel end that keeps the
// tunnel interface's state true to the tunnel's liveness for as long as the
// lab runs (also after `netlab up` has exited). It is started and journaled
// like every other lab process (Backend::processes()), inside the end's
// network namespace, and stopped by PID at teardown.
//
//   wireguard  WireGuard has no dead peer detection: the watcher reads the
//              peer's last handshake and received bytes every poll interval
//              (UAPI `get=1` for wireguard-go, WG_CMD_GET_DEVICE for the
//              kernel) and applies AWS's DPD timeout and action (dpd.h).
//   ipsec      charon does the DPD (tunnel options mapped in
//              ipsec_config.h); a route-based interface (libipsec's TUN, an
//              XFRM interface) stays up whether or not an SA exists, so the
//              watcher follows charon's child-updown events over vici and
//              keeps the interface up exactly while the tunnel's CHILD_SA is
//              installed: DPD clear then takes the interface down, and BGP
//              drops at once, as AWS's "clear" says (routes removed).
//
// The argv is the whole interface between a backend and its watcher:
// watch_argv() and parse_watch_args() are inverse and pure.
// Errors: parse_watch_args throws InputError. The run loops return when
// `stop` is set; they report through `log`, one line per event.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "netlab/kernel/clock.h"
#include "netlab/topology/model.h"
#include "netlab/tunnel/dpd.h"
#include "netlab/tunnel/vici.h"

namespace netlab::tunnel {

enum class WatchKind { WireguardUapi, WireguardKernel, Ipsec };

struct WatchOptions {
  WatchKind kind = WatchKind::WireguardUapi;
  std::string tunnel;  // for log lines
  std::string ifname;  // the tunnel interface, in the watcher's namespace
  // WireGuard
  std::string uapi_socket;      // WireguardUapi: wireguard-go's socket (netlab's view)
  std::string peer_public_hex;  // the one peer
  std::string peer_endpoint;    // "a.b.c.d:port", re-set by the restart action
  uint32_t keepalive_s = 10;    // persistent keepalive = the DPD interval
  uint32_t timeout_s = 30;
  topology::DpdAction action = topology::DpdAction::Clear;
  uint32_t poll_ms = 100;
  // IPsec
  std::string vici_socket;  // the charon instance's vici socket path
  std::string child;        // the CHILD_SA (connection) name
  bool operator==(const WatchOptions&) const = default;
};

std::vector<std::string> watch_argv(const std::string& binary, const WatchOptions&);
// `args` without argv[0].
WatchOptions parse_watch_args(const std::vector<std::string>& args);
extern const char* const kWatchUsage;

// The interface's administrative state, in the watcher's own namespace.
class LinkControl {
 public:
  virtual ~LinkControl() = default;
  virtual void set_up(bool up) = 0;
};

// The WireGuard device of one tunnel end.
class WgControl {
 public:
  virtual ~WgControl() = default;
  // Never throws for a device that is not there yet: peer_present = false.
  virtual WgReading read() = 0;
  // Removes and re-adds the peer (session and roamed endpoint forgotten);
  // `contact`: with its configured endpoint, so it is contacted at once.
  virtual void reset_peer(bool contact) = 0;
};

using WatchLog = std::function<void(const std::string&)>;

// Polls `wg` every poll_ms until `stop`; on a DPD step:
//   PeerDead/clear:   link down, reset_peer(false), link up
//   PeerDead/restart: link down, reset_peer(true),  link up
//   PeerDead/none:    logged only
//   PeerBack:         logged
void run_wireguard_watch(const WatchOptions&, WgControl&, LinkControl&, kernel::Clock&,
                         const std::atomic<bool>& stop, const WatchLog&);

// Follows charon over vici until `stop`: the link is up iff a CHILD_SA named
// opts.child is INSTALLED. Reconnects (link down meanwhile) when charon's
// socket is absent or closes.
void run_ipsec_watch(const WatchOptions&, const ViciConnector&, LinkControl&, kernel::Clock&,
                     const std::atomic<bool>& stop, const WatchLog&);

// Whether a list-sa event shows `child` installed.
bool child_installed(const ViciMessage& list_sa_event, const std::string& child);

// The real controls, in the calling process's own network namespace.
std::unique_ptr<LinkControl> make_link_control(const std::string& ifname);
// wireguard-go's UAPI socket, or kernel WireGuard over genetlink.
std::unique_ptr<WgControl> make_wg_control(const WatchOptions&);

// The whole program (watch_main.cpp): parses argv, stops on SIGTERM/SIGINT,
// logs to stderr with wall-clock timestamps. Exit 0 when stopped, 2 on a
// bad command line.
int watch_main(int argc, char** argv);

}  // namespace netlab::tunnel
