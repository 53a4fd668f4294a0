// Fault injectors: each fault of a scenario bound to a running lab, injected
// at one recorded instant and repaired at another.
//
// A fault resolves its targets (interfaces, peers, MEDs) once, when it is
// made, and then acts only through a lab::Control: a fault kind is its list
// of Control operations, which unit tests check on a recording fake.
//
// Every primitive action (a cut applied at one end, a link set down, a
// daemon killed, a BGP peering shut) is logged with the monotonic time taken
// right before it, so the timeline shows, for example, that a domain failure
// downed every tagged object within the same millisecond.
// The kinds, and how each is made, are one table: fault/kinds.h.
// Threads: one thread drives a Fault. Errors: KernelError / Error.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "netlab/lab/control.h"
#include "netlab/topology/model.h"

namespace netlab::plan {
struct Plan;
}

namespace netlab::fault {

struct Action {
  int64_t t_ns = 0;    // CLOCK_MONOTONIC right before the operation
  std::string node;    // where it happened
  std::string kind;    // cut, uncut, link-down, link-up, daemons-killed, daemons-started,
                       // bgp-shutdown, bgp-no-shutdown, med-lowered, med-restored,
                       // degrade, degrade-repaired, bgp-graceful-shutdown(-off)
  std::string detail;  // interface, link or peer
  bool operator==(const Action&) const = default;
};

class Fault {
 public:
  using End = lab::LinkEnd;

  Fault(const topology::Fault& spec, lab::Control& control) : spec_(spec), control_(control) {}
  virtual ~Fault() = default;
  std::string str() const { return spec_.str(); }
  // Injects the fault; returns the fault instant: right before the first
  // operation that touches the data plane (a fault that prepares first, a
  // maintenance draining its tunnel, a degrade starting its delayers, logs
  // its preparation as actions of their own before that instant).
  // prepared_at() is the instant right before its first operation.
  // A fault that fails half-way counts as injected: repair() undoes what
  // was done (every repair is safe on a part that was not injected).
  int64_t inject();
  // Undoes it, bringing everything back as it was (daemons restarted with
  // the same config, routes netlab manages re-applied); returns the instant
  // right before the first operation of the repair.
  int64_t repair();
  bool injected() const { return injected_; }
  int64_t prepared_at() const { return prepared_at_; }
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
  void set_med(const std::string& node, const lab::MedSetting&, const std::string& peer_addr,
               bool lowered);
  // Re-applies what a link going administratively down removes: the routes
  // netlab manages on each of these nodes (not logged).
  void reapply_routes(const std::set<std::string>& nodes);
  void log(const std::string& node, const std::string& kind, const std::string& detail,
           int64_t t_ns);
  int64_t now() { return control_.clock().now_ns(); }
  // The fault instant, for a fault whose first operations only prepare it.
  void data_plane_touched(int64_t t) { instant_ = t; }
  // Sleeps until `t`, in slices, ending early with lab::Interrupted on a
  // stop request (the runner then repairs what was injected).
  void wait_until(int64_t t) { lab::sleep_until(control_, t); }

  topology::Fault spec_;
  lab::Control& control_;
  std::vector<Action> actions_;
  bool injected_ = false;
  std::optional<int64_t> instant_;
  int64_t prepared_at_ = 0;
};

// Binds a fault to a lab: resolves its targets in the plan. Throws
// InputError for a fault the lab cannot have (the validator normally rules
// these out).
std::unique_ptr<Fault> make_fault(const topology::Fault&, const plan::Plan&, lab::Control&);

}  // namespace netlab::fault
