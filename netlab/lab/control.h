// lab::Control: the few operations faults and trials perform on a running
// lab, and nothing else. Faults and trials hold a Control, never the Lab: what
// they may do to the lab is this list, and a recording fake of it
// (tests/support/fake_control.h) lets them be unit-tested without root.
//
// Every operation takes names the caller resolved from the plan beforehand
// (a node, an interface, a link); the implementation over a Lab
// (make_control) turns them into nftables rules, netlink messages, vtysh
// commands and journaled processes. FRR's command syntax and the MEDs of the
// AWS VPN policy are the Control's business, not its callers'.
//
// Threads: one thread drives a Control, as it does its Lab. Errors: what the
// lab throws (KernelError, Error); Interrupted when a stop was requested.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "netlab/impair/impair.h"
#include "netlab/kernel/clock.h"
#include "netlab/process/processes.h"

namespace netlab::lab {

class Lab;

// One end of a link or tunnel: the interface where a cut or a state change
// applies.
struct LinkEnd {
  std::string node, ns, ifname;
  bool operator==(const LinkEnd&) const = default;
};

// A route map of a VPN endpoint and the MED it sets on what it announces.
struct MedSetting {
  std::string route_map;  // "TO-vpn1_t2"
  uint32_t med = 0;
  bool operator==(const MedSetting&) const = default;
  std::string str() const { return route_map + " metric " + std::to_string(med); }
};

// One path a router's BGP holds for a prefix (`show bgp ipv4 unicast ADDR
// json`), with what decides between equally preferred paths.
struct BgpPath {
  std::string peer;        // the neighbour address it was learned from
  bool valid = true;
  bool best = false;
  bool multipath = false;  // installed beside the best one (ECMP)
  bool external = false;   // learned over eBGP
  std::string reason;      // the best path's selectionReason ("Older Path", "Router ID", ...)
  uint32_t local_pref = 100, med = 0, as_path_length = 0;
  std::string origin;      // IGP, EGP, incomplete
  bool operator==(const BgpPath&) const = default;
};

class Control {
 public:
  virtual ~Control() = default;

  // --- time, stop requests, progress --------------------------------------
  virtual kernel::Clock& clock() = 0;
  // A stop (SIGINT/SIGTERM) was requested: long waits end in Interrupted.
  virtual bool stopping() const = 0;
  // One line of progress for the terminal.
  virtual void say(const std::string& line) = 0;

  // --- links ----------------------------------------------------------------
  // Drops everything arriving on the interface (netdev ingress), carrier up.
  // `tag` tells the cut apart from another one on the same interface.
  virtual void cut(const LinkEnd&, const std::string& tag) = 0;
  // Lets traffic through again (also after a half-done cut).
  virtual void uncut(const LinkEnd&, const std::string& tag) = 0;
  virtual void set_link_state(const LinkEnd&, bool up) = 0;
  // Re-applies the routes netlab manages on the node (a link set down
  // removes them).
  virtual void reapply_routes(const std::string& node) = 0;
  // Puts `imp` on a link or tunnel, both directions, instead of what it has;
  // returns the instant the first direction took effect.
  virtual int64_t impair(const std::string& link, const impair::Impairment& imp) = 0;
  // Back to the topology's impairment of the link (or none); as impair().
  virtual int64_t restore(const std::string& link) = 0;

  // --- routing daemons ------------------------------------------------------
  // SIGKILL to the node's FRR daemons, as a crash.
  virtual void kill_daemons(const std::string& node) = 0;
  virtual void start_daemons(const std::string& node) = 0;
  virtual bool daemons_running(const std::string& node) = 0;
  // `neighbor PEER shutdown` (or `no ...`) in the node's BGP instance.
  virtual void bgp_shutdown(const std::string& node, const std::string& peer, bool shut) = 0;
  // `bgp graceful-shutdown` (RFC 8326) on every session of the node, or off.
  virtual void bgp_graceful_shutdown(const std::string& node, bool on) = 0;
  // The route map and MED a VPN endpoint announces over `tunnel` with: its
  // default, or lowered to draw the traffic of a tunnel in maintenance.
  virtual MedSetting tunnel_med(const std::string& tunnel, bool lowered) const = 0;
  // Sets the MED of the route map and re-sends the routes to `peer`.
  virtual void bgp_set_med(const std::string& node, const MedSetting&, const std::string& peer) = 0;
  // The paths the node's BGP holds for the most specific route covering
  // `address`; empty when it has none.
  virtual std::vector<BgpPath> bgp_paths(const std::string& node, const std::string& address) = 0;
  // Resets the session with `peer` (a hard `clear bgp`): it comes up again
  // and its paths are learned anew, as the newest.
  virtual void bgp_clear(const std::string& node, const std::string& peer) = 0;

  // --- helper processes (the probes) ---------------------------------------
  // Started journaled like every process of the lab; `name` is unique per node.
  virtual void start_process(const std::string& node, const std::string& name,
                             const process::ProcessSpec&) = 0;
  // SIGTERM, then SIGKILL; true when it is gone.
  virtual bool stop_process(const std::string& node, const std::string& name) = 0;

  // --- convergence ------------------------------------------------------------
  // What is not converged yet (sessions, expected routes); empty: converged.
  virtual std::vector<std::string> not_converged() = 0;
  // Waits until converged; throws NotConverged naming what is missing.
  virtual void wait_converged(std::chrono::milliseconds timeout) = 0;
};

// The Control of a running lab; `lab` must outlive it.
std::unique_ptr<Control> make_control(Lab& lab);

// Sleeps until `t_ns` on the Control's clock, in slices of at most 50 ms,
// throwing Interrupted as soon as a stop is requested.
void sleep_until(Control&, int64_t t_ns);

}  // namespace netlab::lab
