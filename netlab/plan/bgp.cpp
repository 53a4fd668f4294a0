#include "netlab/plan/bgp.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

namespace netlab::plan {

bool reflects_ibgp(Role r) {
  return r == Role::Customer || r == Role::Router || r == Role::Tgw || r == Role::Dxgw;
}

SessionPolicy session_policy(const PlanNode& me, const PlanNode& peer, const Session& s,
                             bool link_sitelink) {
  SessionPolicy p;
  const bool me_aws = topology::is_aws(me.role), peer_aws = topology::is_aws(peer.role);
  if (!me_aws) return p;
  p.outside = !peer_aws;
  p.vif = s.kind == SessionKind::Dx && !peer_aws;
  p.sitelink = p.vif && link_sitelink;
  const bool peer_gateway = peer.role == Role::Vgw || peer.role == Role::Tgw;
  p.association = me.role == Role::Dxgw && peer_gateway;
  p.from_dxgw = (me.role == Role::Vgw || me.role == Role::Tgw) && peer.role == Role::Dxgw && !s.ibgp();
  return p;
}

namespace {

// netlab's markers on a route inside AWS (communities in the templates).
struct Marks {
  bool vif = false, sitelink = false, association = false;
  auto operator<=>(const Marks&) const = default;
};

struct State {
  size_t node;
  bool via_ibgp;  // learned over iBGP (not originated, not eBGP)
  // Only membership matters for loop detection, so the AS_PATH is kept as a
  // set: that bounds the states by the few distinct ASNs of a lab.
  std::set<uint32_t> as_path;
  Marks marks;
  auto operator<=>(const State&) const = default;
};

struct Edge {
  size_t peer;
  bool ibgp;
  SessionPolicy out;  // the sender's policy on this session
  SessionPolicy in;   // the receiver's
};

// The sender's outbound policy: whether the route leaves, and with what.
bool send(const SessionPolicy& out, Marks& m) {
  if (out.vif && m.vif && !(m.sitelink && out.sitelink)) return false;
  if (out.association && m.association) return false;
  if (out.outside) m = {};
  return true;
}

// The receiver's inbound policy: the markers it puts on.
void receive(const SessionPolicy& in, Marks& m) {
  if (in.vif)
    m = {true, in.sitelink, false};
  else if (in.association)
    m = {false, false, true};
  else if (in.outside)
    m = {};
}

}  // namespace

std::vector<ExpectedRoute> expected_routes(const std::vector<PlanNode>& nodes,
                                           const std::vector<Session>& sessions,
                                           const std::vector<PlanLink>& links) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < nodes.size(); ++i) index[nodes[i].name] = i;
  std::set<std::string> sitelink;
  for (const auto& l : links)
    if (l.sitelink) sitelink.insert(l.name);

  std::vector<std::vector<Edge>> adj(nodes.size());
  for (const Session& s : sessions) {
    size_t a = index.at(s.a), b = index.at(s.b);
    bool sl = sitelink.count(s.over) > 0;
    SessionPolicy pa = session_policy(nodes[a], nodes[b], s, sl);
    SessionPolicy pb = session_policy(nodes[b], nodes[a], s, sl);
    adj[a].push_back({b, s.ibgp(), pa, pb});
    adj[b].push_back({a, s.ibgp(), pb, pa});
  }

  // What each router originates: its announcements and its hosts' anycast
  // service addresses (several routers may originate one of those).
  std::vector<std::pair<size_t, Ipv4Prefix>> origins;
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const Ipv4Prefix& p : nodes[i].announce) origins.push_back({i, p});
    for (const AnycastRoute& r : nodes[i].anycast_routes) origins.push_back({i, r.prefix});
  }

  std::vector<ExpectedRoute> out;
  for (const auto& [origin, prefix] : origins) {
    std::set<size_t> has{origin};
    std::set<State> seen;
    std::deque<State> work{{origin, false, {}, {}}};
    while (!work.empty()) {
      State st = work.front();
      work.pop_front();
      if (!seen.insert(st).second) continue;
      const PlanNode& from = nodes[st.node];
      for (const Edge& e : adj[st.node]) {
        if (e.ibgp && st.via_ibgp && !reflects_ibgp(from.role)) continue;
        State next{e.peer, e.ibgp, st.as_path, st.marks};
        if (!send(e.out, next.marks)) continue;
        if (!e.ibgp) {
          uint32_t peer_as = nodes[e.peer].asn.value_or(0);
          next.as_path.insert(from.asn.value_or(0));
          if (next.as_path.count(peer_as)) continue;  // AS_PATH loop: the peer drops it
        }
        if (e.peer == origin) continue;
        receive(e.in, next.marks);
        has.insert(e.peer);
        work.push_back(std::move(next));
      }
    }
    for (size_t n : has)
      if (n != origin) out.push_back({nodes[n].name, prefix, nodes[origin].name});
  }
  std::sort(out.begin(), out.end(), [](const ExpectedRoute& x, const ExpectedRoute& y) {
    return std::tie(x.node, x.prefix, x.origin) < std::tie(y.node, y.prefix, y.origin);
  });
  return out;
}

}  // namespace netlab::plan
