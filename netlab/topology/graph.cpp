#include "netlab/topology/graph.h"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>

namespace netlab::topology {

namespace {

// AWS's transit rules (docs/aws-behaviour.md; plan/bgp.h has the
// same model for the expected routes): where a path entered AWS decides
// where it may leave. Marks, as bits: from a VIF, with SiteLink, from a
// DXGW's gateway association.
constexpr unsigned kVif = 1, kSiteLink = 2, kAssociation = 4;

bool is_gateway(Role r) { return r == Role::Vgw || r == Role::Tgw; }

// Crossing from `u` to `v` over a link (nullptr: a tunnel) with marks `m`:
// the marks after it, or nullopt when AWS passes nothing that way.
std::optional<unsigned> cross(const Node& u, const Node& v, const Link* l, unsigned m) {
  const bool u_aws = is_aws(u.role), v_aws = is_aws(v.role);
  const bool dx = l && l->kind == LinkKind::Dx;
  // Leaving u.
  if (u_aws && !v_aws) {
    if (dx && (m & kVif) && !((m & kSiteLink) && l->sitelink)) return std::nullopt;
    m = 0;
  }
  if (u.role == Role::Dxgw && is_gateway(v.role) && (m & kAssociation)) return std::nullopt;
  // Entering v.
  if (v_aws && !u_aws) m = dx ? kVif | (l->sitelink ? kSiteLink : 0) : 0;
  if (v.role == Role::Dxgw && is_gateway(u.role)) m = kAssociation;
  return m;
}

}  // namespace

Graph::Graph(const Topology& t) : t_(t) {
  for (size_t i = 0; i < t.links.size(); ++i) {
    int u = index_of(t.links[i].a.node), v = index_of(t.links[i].b.node);
    if (u >= 0 && v >= 0 && u != v) links_.push_back({u, v, false, i});
  }
  for (size_t i = 0; i < t.tunnels.size(); ++i) {
    int u = index_of(t.tunnels[i].a), v = index_of(t.tunnels[i].b);
    if (u >= 0 && v >= 0 && u != v) tunnels_.push_back({u, v, true, i});
  }
}

int Graph::index_of(std::string_view node) const {
  for (size_t i = 0; i < t_.nodes.size(); ++i)
    if (t_.nodes[i].name == node) return static_cast<int>(i);
  return -1;
}

bool Graph::node_up(int n, const FailureSet& failed) const {
  return n >= 0 && !failed.nodes.count(t_.nodes[n].name);
}

FailureSet Graph::failure_of(const Fault& f) const {
  FailureSet out;
  switch (f.kind) {
    case FaultKind::Cut:
    case FaultKind::Down:
    case FaultKind::Oneway:  // BFD and BGP hellos die one way: the adjacency goes down
    case FaultKind::Flap:
    case FaultKind::BgpDown:
      out.links.insert(f.target);
      break;
    case FaultKind::Crash:
    case FaultKind::Poweroff:
      out.nodes.insert(f.target);
      break;
    case FaultKind::Maintenance:
      out.tunnels.insert(f.target);
      break;
    case FaultKind::Domain:
      for (const Node& n : t_.nodes)
        if (n.domains.in(f.domain_type, f.domain_value)) out.nodes.insert(n.name);
      for (const Link& l : t_.links)
        if (l.domains.in(f.domain_type, f.domain_value)) out.links.insert(l.name);
      break;
    case FaultKind::Degrade:
      break;
  }
  return out;
}

bool Graph::tunnel_up(size_t index, const FailureSet& failed) const {
  auto it = std::find_if(tunnels_.begin(), tunnels_.end(),
                         [&](const Edge& e) { return e.index == index; });
  if (it == tunnels_.end()) return false;
  if (failed.tunnels.count(t_.tunnels[index].name)) return false;
  if (!node_up(it->u, failed) || !node_up(it->v, failed)) return false;
  // Breadth-first over the underlay; only internet nodes carry transit.
  std::vector<bool> seen(t_.nodes.size());
  std::deque<int> queue{it->u};
  seen[it->u] = true;
  while (!queue.empty()) {
    int n = queue.front();
    queue.pop_front();
    if (n == it->v) return true;
    if (n != it->u && t_.nodes[n].role != Role::Internet) continue;
    for (const Edge& e : links_) {
      const Link& l = t_.links[e.index];
      if (l.kind != LinkKind::Internet || failed.links.count(l.name)) continue;
      int m = e.u == n ? e.v : e.v == n ? e.u : -1;
      if (m < 0 || seen[m] || !node_up(m, failed)) continue;
      seen[m] = true;
      queue.push_back(m);
    }
  }
  return false;
}

bool Graph::policy_paths(int s, int d, const std::vector<Edge>& edges,
                         const std::vector<std::vector<size_t>>& adj, std::vector<bool>& usable) const {
  constexpr size_t kBudget = 200'000;  // steps; small labs need a few thousand
  const size_t n = t_.nodes.size();
  std::vector<bool> on_path(n);
  std::map<uint32_t, int> closed;  // ASNs the path has left: it may not enter them again
  struct Frame {
    int v;
    size_t next = 0;
    unsigned marks = 0;
    size_t via = SIZE_MAX;             // the edge that led here
    std::optional<uint32_t> as;        // the AS the path is in here (routers only)
    std::optional<uint32_t> left;      // the AS closed on entering this node
  };
  std::vector<Frame> path{{s}};
  on_path[s] = true;
  bool found = false;
  size_t steps = 0;
  while (!path.empty()) {
    if (++steps > kBudget) {
      std::fill(usable.begin(), usable.end(), true);
      return true;
    }
    Frame& f = path.back();
    if (f.v == d || f.next >= adj[f.v].size()) {
      if (f.v == d) {
        found = true;
        for (const Frame& x : path)
          if (x.via != SIZE_MAX) usable[x.via] = true;
      }
      on_path[f.v] = false;
      if (f.left && --closed[*f.left] == 0) closed.erase(*f.left);
      path.pop_back();
      continue;
    }
    const size_t ei = adj[f.v][f.next++];
    const Edge& e = edges[ei];
    const int w = e.u == f.v ? e.v : e.u;
    if (on_path[w]) continue;
    const Node& from = t_.nodes[f.v];
    const Node& to = t_.nodes[w];
    auto marks = cross(from, to, e.tunnel ? nullptr : &t_.links[e.index], f.marks);
    if (!marks) continue;
    Frame next{w, 0, *marks, ei, f.as, std::nullopt};
    if (is_router(to.role) && to.asn) {
      if (!f.as || *f.as != *to.asn) {
        if (closed.count(*to.asn)) continue;  // AS_PATH loop: the route is dropped
        if (f.as) {
          next.left = *f.as;
          ++closed[*f.as];
        }
        next.as = *to.asn;
      }
    }
    on_path[w] = true;
    path.push_back(next);
  }
  return found;
}

Reachability Graph::reach(std::string_view from, std::string_view to,
                          const FailureSet& failed) const {
  // An anycast service is reachable when one of its instances is; the paths
  // to all of them are its paths.
  if (auto instances = t_.anycast_instances(to); !instances.empty()) {
    Reachability any;
    for (const Node* n : instances) {
      Reachability r = reach(from, n->name, failed);
      any.reachable |= r.reachable;
      any.links.insert(r.links.begin(), r.links.end());
      any.tunnels.insert(r.tunnels.begin(), r.tunnels.end());
    }
    return any;
  }
  Reachability out;
  const int s = index_of(from), d = index_of(to);
  if (s < 0 || d < 0 || s == d || !node_up(s, failed) || !node_up(d, failed)) return out;

  // The data-plane graph: routers, plus the two probe ends.
  const size_t n = t_.nodes.size();
  auto vertex = [&](int v) {
    return node_up(v, failed) && (v == s || v == d || is_router(t_.nodes[v].role));
  };
  std::vector<Edge> edges;
  for (const Edge& e : links_) {
    const Link& l = t_.links[e.index];
    if (l.kind == LinkKind::Internet || failed.links.count(l.name)) continue;
    if (!vertex(e.u) || !vertex(e.v)) continue;
    bool routed = is_router(t_.nodes[e.u].role) && is_router(t_.nodes[e.v].role);
    if (routed && !l.bgp.enabled) continue;
    edges.push_back(e);
  }
  for (const Edge& e : tunnels_)
    if (vertex(e.u) && vertex(e.v) && tunnel_up(e.index, failed)) edges.push_back(e);
  std::vector<std::vector<size_t>> adj(n);
  for (size_t i = 0; i < edges.size(); ++i) {
    adj[edges[i].u].push_back(i);
    adj[edges[i].v].push_back(i);
  }

  // Biconnected components (blocks) of the component of s, by an iterative
  // Tarjan DFS (no recursion: a hostile file cannot exhaust the stack). An
  // edge lies on some simple s-d path exactly when its block lies on the
  // path from s to d in the block-cut tree.
  std::vector<int> disc(n, -1), low(n, 0);
  std::vector<std::vector<size_t>> blocks;  // edge indices
  std::vector<size_t> edge_stack;
  struct Frame {
    int v;
    size_t next = 0;
    long parent_edge = -1;
  };
  std::vector<Frame> stack{{s}};
  int time = 0;
  disc[s] = low[s] = time++;
  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.next < adj[f.v].size()) {
      size_t ei = adj[f.v][f.next++];
      if (static_cast<long>(ei) == f.parent_edge) continue;
      int w = edges[ei].u == f.v ? edges[ei].v : edges[ei].u;
      if (disc[w] < 0) {
        edge_stack.push_back(ei);
        disc[w] = low[w] = time++;
        stack.push_back({w, 0, static_cast<long>(ei)});
      } else if (disc[w] < disc[f.v]) {
        edge_stack.push_back(ei);
        low[f.v] = std::min(low[f.v], disc[w]);
      }
      continue;
    }
    Frame done = f;
    stack.pop_back();
    if (stack.empty()) break;
    Frame& parent = stack.back();
    low[parent.v] = std::min(low[parent.v], low[done.v]);
    if (low[done.v] >= disc[parent.v]) {
      std::vector<size_t> block;
      for (;;) {
        size_t e = edge_stack.back();
        edge_stack.pop_back();
        block.push_back(e);
        if (static_cast<long>(e) == done.parent_edge) break;
      }
      blocks.push_back(std::move(block));
    }
  }
  if (disc[d] < 0) return out;

  // The same graph under AWS's transit rules and BGP's loop prevention:
  // only simple paths along which a route could propagate count, and an
  // edge only when it lies on one. A depth-first walk over simple paths
  // (iterative: a hostile file cannot exhaust the stack), with a budget:
  // past it, the answer without the rules stands (never a false
  // "unreachable").
  std::vector<bool> usable(edges.size());
  if (!policy_paths(s, d, edges, adj, usable)) return out;
  out.reachable = true;

  // Block-cut tree as a bipartite graph: tree nodes 0..n-1 are vertices,
  // n.. are blocks. Breadth-first from s to d gives the unique tree path.
  const size_t total = n + blocks.size();
  std::vector<std::vector<size_t>> tree(total);
  for (size_t b = 0; b < blocks.size(); ++b) {
    std::set<int> members;
    for (size_t e : blocks[b]) members.insert({edges[e].u, edges[e].v});
    for (int v : members) {
      tree[n + b].push_back(v);
      tree[v].push_back(n + b);
    }
  }
  std::vector<long> prev(total, -2);
  std::deque<size_t> queue{static_cast<size_t>(s)};
  prev[s] = -1;
  while (!queue.empty()) {
    size_t x = queue.front();
    queue.pop_front();
    if (x == static_cast<size_t>(d)) break;
    for (size_t y : tree[x])
      if (prev[y] == -2) {
        prev[y] = static_cast<long>(x);
        queue.push_back(y);
      }
  }
  for (long x = d; x >= 0; x = prev[x]) {
    if (static_cast<size_t>(x) < n) continue;
    for (size_t e : blocks[x - n]) {
      if (!usable[e]) continue;
      const Edge& edge = edges[e];
      if (edge.tunnel)
        out.tunnels.insert(t_.tunnels[edge.index].name);
      else
        out.links.insert(t_.links[edge.index].name);
    }
  }
  return out;
}

}  // namespace netlab::topology
