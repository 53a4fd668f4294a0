#include "netlab/plan/bgp.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>

namespace netlab::plan {

bool reflects_ibgp(Role r) { return r == Role::Customer || r == Role::Router; }

namespace {

struct State {
  size_t node;
  bool via_ibgp;  // learned over iBGP (not originated, not eBGP)
  // Only membership matters for loop detection, so the AS_PATH is kept as a
  // set: that bounds the states by the few distinct ASNs of a lab.
  std::set<uint32_t> as_path;
  auto operator<=>(const State&) const = default;
};

}  // namespace

std::vector<ExpectedRoute> expected_routes(const std::vector<PlanNode>& nodes,
                                           const std::vector<Session>& sessions) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < nodes.size(); ++i) index[nodes[i].name] = i;

  // Adjacency: for each node, its sessions' far ends.
  std::vector<std::vector<std::pair<size_t, bool>>> adj(nodes.size());  // (peer, ibgp)
  for (const Session& s : sessions) {
    size_t a = index.at(s.a), b = index.at(s.b);
    adj[a].push_back({b, s.ibgp()});
    adj[b].push_back({a, s.ibgp()});
  }

  std::vector<ExpectedRoute> out;
  for (size_t origin = 0; origin < nodes.size(); ++origin) {
    for (const Ipv4Prefix& prefix : nodes[origin].announce) {
      std::set<size_t> has{origin};
      std::set<State> seen;
      std::deque<State> work{{origin, false, {}}};
      while (!work.empty()) {
        State st = work.front();
        work.pop_front();
        if (!seen.insert(st).second) continue;
        const PlanNode& from = nodes[st.node];
        for (auto [peer, ibgp] : adj[st.node]) {
          if (ibgp && st.via_ibgp && !reflects_ibgp(from.role)) continue;
          State next{peer, ibgp, st.as_path};
          if (!ibgp) {
            uint32_t peer_as = nodes[peer].asn.value_or(0);
            next.as_path.insert(from.asn.value_or(0));
            if (next.as_path.count(peer_as)) continue;  // AS_PATH loop: the peer drops it
          }
          if (peer == origin) continue;
          has.insert(peer);
          work.push_back(std::move(next));
        }
      }
      for (size_t n : has)
        if (n != origin) out.push_back({nodes[n].name, prefix, nodes[origin].name});
    }
  }
  std::sort(out.begin(), out.end(), [](const ExpectedRoute& x, const ExpectedRoute& y) {
    return std::tie(x.node, x.prefix) < std::tie(y.node, y.prefix);
  });
  return out;
}

}  // namespace netlab::plan
