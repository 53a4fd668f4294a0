#include "netlab/topology/capacity.h"

#include <algorithm>
#include <deque>
#include <limits>
#include <map>

#include "netlab/topology/graph.h"
#include "netlab/topology/limits.h"

namespace netlab::topology {

namespace {

constexpr double kUnlimited = std::numeric_limits<double>::infinity();

struct Arc {
  int to = 0;
  double cap = 0;
  std::string name;  // what the element is called in a message
};

// The surviving elements as an undirected graph with capacities for
// packets of `size` bytes.
class CapacityGraph {
 public:
  CapacityGraph(const Topology& t, const Reachability& r, uint32_t size) {
    for (const auto& l : t.links)
      if (r.links.count(l.name)) add(l.a.node, l.b.node, cap_of(link_limits(t.lab, l), size), "link \"" + l.name + "\"");
    for (const auto& tu : t.tunnels)
      if (r.tunnels.count(tu.name)) add(tu.a, tu.b, cap_of(tunnel_limits(t.lab, tu), size), "tunnel \"" + tu.name + "\"");
  }

  bool has(const std::string& n) const { return index_.count(n) > 0; }
  const std::vector<std::string>& names() const { return names_; }

  // The widest single path: the largest bottleneck over all paths, and the
  // element that bounds it.
  std::pair<double, std::string> widest(const std::string& from, const std::string& to) const {
    const int s = index_.at(from), d = index_.at(to);
    std::vector<double> best(names_.size(), -1);
    std::vector<std::string> by(names_.size());
    best[s] = kUnlimited;
    std::vector<bool> done(names_.size(), false);
    for (size_t round = 0; round < names_.size(); ++round) {
      int u = -1;
      for (size_t i = 0; i < names_.size(); ++i)
        if (!done[i] && best[i] >= 0 && (u < 0 || best[i] > best[u])) u = static_cast<int>(i);
      if (u < 0) break;
      done[u] = true;
      for (const auto& a : adj_[u]) {
        const double w = std::min(best[u], a.cap);
        if (w > best[a.to]) {
          best[a.to] = w;
          by[a.to] = a.cap <= best[u] ? a.name : by[u];
        }
      }
    }
    return {best[d], by[d]};
  }

  // The maximum flow (Edmonds-Karp; each element carries its capacity in
  // each direction), and an element of the cut that bounds it.
  double max_flow(const std::string& from, const std::string& to) const {
    const size_t n = names_.size();
    std::vector<std::vector<double>> cap(n, std::vector<double>(n, 0));
    for (size_t u = 0; u < n; ++u)
      for (const auto& a : adj_[u]) cap[u][a.to] += a.cap;
    const int s = index_.at(from), d = index_.at(to);
    double total = 0;
    for (;;) {
      std::vector<int> prev(n, -1);
      prev[s] = s;
      std::deque<int> q{s};
      while (!q.empty() && prev[d] < 0) {
        int u = q.front();
        q.pop_front();
        for (size_t v = 0; v < n; ++v)
          if (prev[v] < 0 && cap[u][v] > 1e-9) prev[v] = u, q.push_back(static_cast<int>(v));
      }
      if (prev[d] < 0) return total;
      double push = kUnlimited;
      for (int v = d; v != s; v = prev[v]) push = std::min(push, cap[prev[v]][v]);
      if (push == kUnlimited) return kUnlimited;
      for (int v = d; v != s; v = prev[v]) cap[prev[v]][v] -= push, cap[v][prev[v]] += push;
      total += push;
    }
  }

 private:
  static double cap_of(const Limits& l, uint32_t size) {
    double c = l.rate_mbit > 0 ? l.rate_mbit : kUnlimited;
    if (l.pps > 0) c = std::min(c, l.pps * size * 8 / 1e6);
    return c;
  }
  int node(const std::string& n) {
    auto [it, fresh] = index_.emplace(n, static_cast<int>(names_.size()));
    if (fresh) {
      names_.push_back(n);
      adj_.emplace_back();
    }
    return it->second;
  }
  void add(const std::string& a, const std::string& b, double cap, const std::string& name) {
    const int u = node(a), v = node(b);
    adj_[u].push_back({v, cap, name});
    adj_[v].push_back({u, cap, name});
  }

  std::map<std::string, int> index_;
  std::vector<std::string> names_;
  std::vector<std::vector<Arc>> adj_;
};

}  // namespace

std::vector<CapacityShortfall> backup_shortfalls(const Topology& t, const Scenario& s) {
  std::vector<CapacityShortfall> out;
  const double scale = t.lab.scale > 0 ? t.lab.scale : 1;
  // Demand per direction between two hosts, and the largest packet asked for.
  std::map<std::pair<std::string, std::string>, std::pair<double, uint32_t>> demand;
  for (const Traffic* tr : t.traffic_for(s)) {
    double mbit = 0;
    if (tr->rate_mbit) mbit = *tr->rate_mbit;
    if (tr->pps) {
      const double by_pps = *tr->pps * tr->size * 8 / 1e6;
      mbit = tr->rate_mbit ? std::min(mbit, by_pps) : by_pps;
    }
    if (mbit <= 0) continue;  // tcp as fast as it goes: no particular figure
    auto add = [&](const std::string& a, const std::string& b) {
      auto& d = demand[{a, b}];
      d.first += mbit / scale;
      d.second = std::max(d.second, tr->size);
    };
    if (tr->direction != TrafficDirection::Reverse) add(tr->from, tr->to);
    if (tr->direction != TrafficDirection::Forward) add(tr->to, tr->from);
  }
  if (demand.empty()) return out;
  Graph g(t);
  const FailureSet failed = g.failure_of(s.fault);
  for (const auto& [ends, d] : demand) {
    const auto& [from, to] = ends;
    Reachability r = g.reach(from, to, failed);
    if (!r.reachable) continue;  // unreachable: the reachability warnings say so
    CapacityGraph cg(t, r, d.second);
    if (!cg.has(from) || !cg.has(to)) continue;
    bool tgw = false;
    for (const auto& n : cg.names())
      if (const Node* node = t.node(n); node && node->role == Role::Tgw) tgw = true;
    auto [wide, narrowest] = cg.widest(from, to);
    const double capacity = tgw ? cg.max_flow(from, to) : wide;
    if (capacity + 1e-9 >= d.first) continue;
    out.push_back({from, to, d.first, capacity, narrowest, tgw});
  }
  return out;
}

}  // namespace netlab::topology
