// Reachability on the topology graph: which paths survive a failure.
//
// Used by the validator to warn about designs that cannot do what their
// scenarios claim, and meant for the sweep (every single failure) later.
// Pure and cheap: a Graph holds indices into the Topology it was built from
// (which must outlive it) and answers each question from scratch.
//
// The model of forwarding, deliberately simple:
//  - Probe traffic is routed by routers (is_router(role)). A host forwards
//    nothing; it is only a probe's source or destination.
//  - A link carries probe traffic when both ends are up, the link has not
//    failed, and it is not kind = "internet" (the underlay carries tunnels,
//    not routed traffic). A link between two routers with bgp = false
//    exchanges no routes, so it carries none either.
//  - A tunnel is up when it has not failed, both ends are up, and the
//    underlay still joins them: a path of kind = "internet" links whose
//    intermediate nodes are internet nodes, all up.
//  - A crashed router forwards nothing routed (its daemons are gone, its
//    routes withdrawn), so crash and poweroff both remove the node.
//  - AWS's transit rules (docs/aws-behaviour.md; the templates and
//    plan/bgp.h enforce the same): a path that enters AWS over a Direct
//    Connect link leaves it over another only when both have sitelink; a
//    Direct Connect gateway passes nothing between two of its gateway
//    associations (links to a VGW or TGW).
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "netlab/topology/model.h"

namespace netlab::topology {

// What has failed, by name.
struct FailureSet {
  std::set<std::string, std::less<>> nodes, links, tunnels;
  bool empty() const { return nodes.empty() && links.empty() && tunnels.empty(); }
};

struct Reachability {
  bool reachable = false;
  // Links and tunnels that lie on at least one surviving loop-free path
  // between the two nodes that AWS's transit rules allow (empty when
  // unreachable).
  std::set<std::string, std::less<>> links, tunnels;
};

class Graph {
 public:
  explicit Graph(const Topology& t);

  // What a fault takes down: cut/down/oneway/flap/bgp_down the link,
  // crash/poweroff the node, domain every node and link tagged with it,
  // maintenance the tunnel. degrade takes nothing down (a gray failure).
  FailureSet failure_of(const Fault& f) const;

  // Whether `to` can be reached from `from` with `failed` down. `to` may be
  // an anycast address: then whether any of its instances can be. Unknown
  // node names are never reachable.
  Reachability reach(std::string_view from, std::string_view to, const FailureSet& failed) const;

  // Whether tunnel `index` (into Topology::tunnels) is up with `failed` down.
  bool tunnel_up(size_t index, const FailureSet& failed) const;

 private:
  struct Edge {
    int u = -1, v = -1;
    bool tunnel = false;
    size_t index = 0;  // into Topology::links or Topology::tunnels
  };
  int index_of(std::string_view node) const;
  // Whether a simple path from s to d obeys AWS's transit rules and BGP's
  // AS_PATH loop prevention; marks the edges of every such path in
  // `usable`. (Edges and adjacency as reach() built them.)
  bool policy_paths(int s, int d, const std::vector<Edge>& edges,
                    const std::vector<std::vector<size_t>>& adj, std::vector<bool>& usable) const;
  bool node_up(int n, const FailureSet& failed) const;

  const Topology& t_;
  std::vector<Edge> links_;    // one per link whose ends are both known
  std::vector<Edge> tunnels_;  // one per tunnel whose ends are both known
};

}  // namespace netlab::topology
