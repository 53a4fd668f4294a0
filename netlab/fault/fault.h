// Fault injectors: each fault of docs/topology.md bound to a running
// lab, injected at one recorded instant and repaired at another.
//
// Every primitive action (a cut applied at one end, a link set down, a
// daemon killed, a BGP peering shut) is logged with the monotonic time taken
// right before its syscall, so the timeline shows, for example, that a
// domain failure downed every tagged object within the same millisecond.
// Threads: one thread drives a Fault. Errors: KernelError / Error.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "netlab/lab/lab.h"
#include "netlab/topology/model.h"

namespace netlab::fault {

struct Action {
  int64_t t_ns = 0;    // CLOCK_MONOTONIC right before the syscall
  std::string node;    // where it happened
  std::string kind;    // cut, uncut, link-down, link-up, daemons-killed, daemons-started,
                       // bgp-shutdown, bgp-no-shutdown, med-lowered, med-restored,
                       // degrade, degrade-repaired, bgp-graceful-shutdown(-off)
  std::string detail;  // interface, link or peer
};

class Fault {
 public:
  // One end of a link or tunnel: where a cut or a state change applies.
  struct End {
    std::string node, ns, ifname;
  };

  Fault(const topology::Fault& spec, lab::Lab& lab) : spec_(spec), lab_(lab) {}
  virtual ~Fault() = default;
  std::string str() const { return spec_.str(); }
  // Injects the fault; returns the instant right before its first syscall.
  int64_t inject();
  // Undoes it, bringing everything back as it was (daemons restarted with
  // the same config, routes netlab manages re-applied); returns the instant
  // right before the first syscall of the repair.
  int64_t repair();
  bool injected() const { return injected_; }
  const std::vector<Action>& actions() const { return actions_; }

 protected:
  virtual void do_inject() = 0;
  virtual void do_repair() = 0;

  // Primitives, each logged as an Action.
  void cut(const End&, const std::string& tag);  // netdev ingress drop
  void uncut(const End&, const std::string& tag);
  void link_state(const End&, bool up);
  void kill_daemons(const std::string& node);
  void start_daemons(const std::string& node);
  void bgp_shutdown(const std::string& node, const std::string& peer_addr, bool shut);
  // RFC 8326 on every session of the node: its routes re-announced at local
  // preference 0 (iBGP) / with the GRACEFUL_SHUTDOWN community (eBGP).
  void graceful_shutdown(const std::string& node, bool on);
  void set_med(const std::string& node, const std::string& route_map_tag, uint32_t med,
               const std::string& peer_addr);
  void log(const std::string& node, const std::string& kind, const std::string& detail,
           int64_t t_ns);
  int64_t now() { return lab_.host().clock.now_ns(); }
  // Sleeps until `t`, in slices, ending early with lab::Interrupted on a
  // stop request (the runner then repairs what was injected).
  void wait_until(int64_t t);

  // The two ends of a link or a tunnel, by name.
  std::vector<End> ends_of(const std::string& link_or_tunnel) const;

  topology::Fault spec_;
  lab::Lab& lab_;
  std::vector<Action> actions_;
  bool injected_ = false;
};

// Binds a fault to a lab. Throws InputError for a fault the lab cannot have
// (the validator normally rules these out).
std::unique_ptr<Fault> make_fault(const topology::Fault&, lab::Lab&);

}  // namespace netlab::fault
