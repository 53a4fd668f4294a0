// What a fault acts on, resolved from the plan once, when the fault is made:
// the interfaces of a link or tunnel, the AWS end of a BGP session, the
// members of a failure domain. Faults keep the answers and never look at the
// plan again.
// Errors: InputError naming what the plan does not have.
#pragma once

#include <string>
#include <vector>

#include "netlab/base/error.h"
#include "netlab/impair/impair.h"
#include "netlab/lab/control.h"
#include "netlab/plan/plan.h"

namespace netlab::fault {

// The AWS end of a BGP session, and the address of its peer seen from it.
struct Peering {
  std::string node, peer_addr;
  bool operator==(const Peering&) const = default;
};

class Targets {
 public:
  explicit Targets(const plan::Plan& p) : plan_(p) {}

  // The two ends of a link or a tunnel.
  std::vector<lab::LinkEnd> ends_of(const std::string& link_or_tunnel) const;
  // The ends of every link (not tunnel) of a node, at that node.
  std::vector<lab::LinkEnd> node_ends(const std::string& node) const;
  // The AWS end of the session over a link or tunnel (as AWS's failover test
  // shuts it); between two non-AWS routers, the second end.
  Peering aws_side(const std::string& over) const;
  // The other tunnels of a tunnel's customer-side node.
  std::vector<std::string> tunnels_beside(const std::string& tunnel) const;
  bool is_tunnel(const std::string& name) const;
  bool is_router(const std::string& node) const;
  // The impairment the topology puts on a link (none for a tunnel).
  impair::Impairment impairment_of(const std::string& link) const;
  // Nodes tagged with the domain, and links tagged with it whose ends are
  // both outside it (a node's own links go down with the node).
  struct Domain {
    std::vector<std::string> nodes, links;
  };
  Domain domain(topology::DomainType, const std::string& value) const;

 private:
  const plan::Plan& plan_;
};

}  // namespace netlab::fault
