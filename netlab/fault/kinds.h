// Every fault kind, in one table: its name in a topology file, what it does
// to the lab, and the function that makes it (resolving its targets in the
// plan). The makers live beside their faults, one file per group of kinds:
//   link_faults.cpp   cut, oneway, down, flap, degrade (a link or tunnel)
//   node_faults.cpp   crash, poweroff, domain (nodes, and what they take down)
//   bgp_faults.cpp    bgp_down, maintenance (BGP sessions and AWS policy)
// A new kind is a row here and a class and maker in its group's file (and,
// in the topology layer, its name and fields).
#pragma once

#include <memory>
#include <string_view>

#include "netlab/fault/fault.h"
#include "netlab/fault/targets.h"

namespace netlab::fault {

using MakeFault = std::unique_ptr<Fault> (*)(const topology::Fault&, const Targets&, lab::Control&);

struct KindInfo {
  topology::FaultKind kind;
  std::string_view name;         // as a topology file spells it
  std::string_view description;  // what it does to the lab
  MakeFault make;
};

// link_faults.cpp
std::unique_ptr<Fault> make_cut(const topology::Fault&, const Targets&, lab::Control&);
std::unique_ptr<Fault> make_oneway(const topology::Fault&, const Targets&, lab::Control&);
std::unique_ptr<Fault> make_down(const topology::Fault&, const Targets&, lab::Control&);
std::unique_ptr<Fault> make_flap(const topology::Fault&, const Targets&, lab::Control&);
std::unique_ptr<Fault> make_degrade(const topology::Fault&, const Targets&, lab::Control&);
// node_faults.cpp
std::unique_ptr<Fault> make_crash(const topology::Fault&, const Targets&, lab::Control&);
std::unique_ptr<Fault> make_poweroff(const topology::Fault&, const Targets&, lab::Control&);
std::unique_ptr<Fault> make_domain(const topology::Fault&, const Targets&, lab::Control&);
// bgp_faults.cpp
std::unique_ptr<Fault> make_bgp_down(const topology::Fault&, const Targets&, lab::Control&);
std::unique_ptr<Fault> make_maintenance(const topology::Fault&, const Targets&, lab::Control&);

using topology::FaultKind;
inline constexpr KindInfo kKinds[] = {
    {FaultKind::Cut, "cut",
     "silent blackhole both ways: everything arriving at either end is dropped, carrier stays up",
     make_cut},
    {FaultKind::Down, "down", "carrier loss on both ends (a port or optic failure)", make_down},
    {FaultKind::Oneway, "oneway", "what `from` sends over the link is dropped at the far end",
     make_oneway},
    {FaultKind::Crash, "crash",
     "the router's routing daemons are killed; its interfaces and stale FIB stay", make_crash},
    {FaultKind::Poweroff, "poweroff", "every link of the node loses carrier and its daemons are killed",
     make_poweroff},
    {FaultKind::Domain, "domain",
     "every node and link tagged with the failure domain fails at one instant, as a poweroff or down",
     make_domain},
    {FaultKind::Degrade, "degrade",
     "gray failure: loss and delay on top of the link's own impairment, both directions", make_degrade},
    {FaultKind::Flap, "flap", "down and up, period_ms apart, count times; ends up", make_flap},
    {FaultKind::Maintenance, "maintenance",
     "AWS tunnel endpoint replacement: the other tunnels' MED lowered, the endpoint drained, its "
     "peering shut and the tunnel cut",
     make_maintenance},
    {FaultKind::BgpDown, "bgp_down",
     "AWS's DX failover test: the AWS end shuts the BGP peering over the link", make_bgp_down},
};

// The row of a kind; throws InputError for one the table lacks.
const KindInfo& kind_info(topology::FaultKind);
// The row named `name`, or nullptr.
const KindInfo* find_kind(std::string_view name);

}  // namespace netlab::fault
