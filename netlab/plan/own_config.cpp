#include "netlab/plan/own_config.h"

#include <algorithm>
#include <deque>
#include <sstream>

namespace netlab::plan {

const std::vector<std::string>& known_frr_daemons() {
  static const std::vector<std::string> d{"zebra",  "staticd", "bfdd",   "ospfd",  "ospf6d", "isisd",
                                          "fabricd", "ripd",   "ripngd", "eigrpd", "babeld", "pimd",
                                          "ldpd",   "nhrpd",   "vrrpd",  "pbrd",   "bgpd"};
  return d;
}

namespace {

std::vector<std::string> words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> w;
  std::string s;
  while (in >> s) w.push_back(s);
  return w;
}

bool starts(const std::vector<std::string>& w, std::initializer_list<const char*> prefix) {
  if (w.size() < prefix.size()) return false;
  size_t i = 0;
  for (const char* p : prefix)
    if (w[i++] != p) return false;
  return true;
}

// The daemon a top-level stanza belongs to, by its first words; "" when
// zebra's or everyone's.
std::string daemon_of_stanza(const std::vector<std::string>& w) {
  if (starts(w, {"router", "bgp"})) return "bgpd";
  if (starts(w, {"router", "ospf6"})) return "ospf6d";
  if (starts(w, {"router", "ospf"})) return "ospfd";
  if (starts(w, {"router", "isis"})) return "isisd";
  if (starts(w, {"router", "openfabric"})) return "fabricd";
  if (starts(w, {"router", "ripng"})) return "ripngd";
  if (starts(w, {"router", "rip"})) return "ripd";
  if (starts(w, {"router", "eigrp"})) return "eigrpd";
  if (starts(w, {"router", "babel"})) return "babeld";
  if (starts(w, {"router", "pim"}) || starts(w, {"ip", "pim"}) || starts(w, {"ip", "multicast"})) return "pimd";
  if (starts(w, {"mpls", "ldp"})) return "ldpd";
  if (starts(w, {"pbr-map"})) return "pbrd";
  if (starts(w, {"bfd"})) return "bfdd";
  if (starts(w, {"ip", "route"}) || starts(w, {"ipv6", "route"})) return "staticd";
  return "";
}

// The daemon a line inside an `interface` (or `vrf`, `router bgp`) stanza
// needs besides the stanza's own.
std::string daemon_of_subline(const std::vector<std::string>& w) {
  if (starts(w, {"ip", "ospf"})) return "ospfd";
  if (starts(w, {"ipv6", "ospf6"})) return "ospf6d";
  if (starts(w, {"ip", "router", "isis"}) || starts(w, {"ipv6", "router", "isis"}) || starts(w, {"isis"}))
    return "isisd";
  if (starts(w, {"ip", "router", "openfabric"}) || starts(w, {"openfabric"})) return "fabricd";
  if (starts(w, {"ip", "pim"}) || starts(w, {"ip", "igmp"})) return "pimd";
  if (starts(w, {"ip", "nhrp"}) || starts(w, {"ipv6", "nhrp"})) return "nhrpd";
  if (starts(w, {"vrrp"})) return "vrrpd";
  if (starts(w, {"pbr-policy"})) return "pbrd";
  if (starts(w, {"babel"})) return "babeld";
  if (starts(w, {"ip", "route"}) || starts(w, {"ipv6", "route"})) return "staticd";
  // BFD for a protocol's neighbours: `neighbor X bfd`, `ip ospf bfd`, `isis bfd`.
  if (std::find(w.begin(), w.end(), "bfd") != w.end()) return "bfdd";
  return "";
}

std::optional<Ipv4Prefix> prefix_word(const std::string& s) {
  return Ipv4Prefix::parse(s, false);
}

void add_need(std::set<std::string>& need, const std::string& d, const std::vector<std::string>& w) {
  if (d.empty()) return;
  // `bfd` under an interface means BFD for a protocol there: bfdd too.
  need.insert(d);
  if (d != "bfdd" && std::find(w.begin(), w.end(), "bfd") != w.end()) need.insert("bfdd");
}

// What a top-level line (a stanza's first) says besides the daemon it needs.
void read_stanza_line(OwnConfig& c, const std::vector<std::string>& w, const std::string& stanza_daemon) {
  if (stanza_daemon == "bgpd" && w.size() == 3) {
    try {
      c.bgp_asn = static_cast<uint32_t>(std::stoul(w[2]));
    } catch (...) {
    }
  }
  if (stanza_daemon == "staticd" && w.size() >= 3 && w[0] == "ip")
    if (auto p = prefix_word(w[2])) c.static_routes.push_back(p->normalized());
  if (stanza_daemon != "" && stanza_daemon != "staticd" && stanza_daemon != "bfdd" &&
      stanza_daemon != "bgpd" && stanza_daemon != "pimd" && stanza_daemon != "ldpd" &&
      stanza_daemon != "pbrd")
    c.igps[stanza_daemon];
}

// A line inside `interface IFNAME`.
void read_interface_line(OwnConfig& c, const std::string& ifname, const std::vector<std::string>& w) {
  if (starts(w, {"ip", "address"}) && w.size() >= 3) {
    if (auto p = Ipv4Prefix::parse(w[2], true)) c.addresses[ifname].push_back(*p);
  } else if (starts(w, {"ip", "ospf", "area"}) || (starts(w, {"ip", "ospf"}) && w.size() >= 4 && w[2] != "passive" &&
                                                    w[3] == "area")) {
    c.igps["ospfd"].ifaces.insert(ifname);
  } else if (starts(w, {"ip", "ospf", "passive"})) {
    c.igps["ospfd"].passive.insert(ifname);
  } else if (starts(w, {"ip", "router", "isis"})) {
    c.igps["isisd"].ifaces.insert(ifname);
  } else if (starts(w, {"isis", "passive"})) {
    c.igps["isisd"].passive.insert(ifname);
  } else if (starts(w, {"ip", "router", "openfabric"})) {
    c.igps["fabricd"].ifaces.insert(ifname);
  } else if (starts(w, {"openfabric", "passive"})) {
    c.igps["fabricd"].passive.insert(ifname);
  }
}

// A line inside `router bgp`; bgp_af is the current address family there
// ("" = the default, IPv4 unicast).
void read_bgp_line(OwnConfig& c, const std::vector<std::string>& w, std::string& bgp_af) {
  if (starts(w, {"address-family"})) {
    bgp_af = w.size() >= 3 && w[1] == "ipv4" && w[2] == "unicast" ? "" : "other";
    return;
  }
  if (starts(w, {"exit-address-family"})) {
    bgp_af.clear();
    return;
  }
  if (starts(w, {"no", "bgp", "ebgp-requires-policy"})) c.ebgp_requires_policy = false;
  if (starts(w, {"neighbor"}) && w.size() >= 3) {
    auto it = std::find_if(c.bgp_neighbors.begin(), c.bgp_neighbors.end(),
                           [&](const OwnBgpNeighbor& n) { return n.peer == w[1]; });
    if (it == c.bgp_neighbors.end()) {
      c.bgp_neighbors.push_back({w[1], "", false});
      it = c.bgp_neighbors.end() - 1;
    }
    if (w[2] == "remote-as" && w.size() >= 4) it->remote_as = w[3];
    if (w[2] == "interface") {
      auto ra = std::find(w.begin(), w.end(), "remote-as");
      if (ra != w.end() && ra + 1 != w.end()) it->remote_as = *(ra + 1);
    }
    if (bgp_af.empty() && (w[2] == "route-map" || w[2] == "prefix-list" || w[2] == "filter-list" ||
                           w[2] == "distribute-list"))
      it->policy = true;
  }
  if (bgp_af.empty() && starts(w, {"network"}) && w.size() >= 2)
    if (auto p = prefix_word(w[1])) c.bgp_networks.push_back(p->normalized());
  if (bgp_af.empty() && starts(w, {"redistribute", "connected"})) c.bgp_redistribute_connected = true;
  if (bgp_af.empty() && starts(w, {"redistribute", "static"})) c.bgp_redistribute_static = true;
}

// A line inside an IGP's `router` stanza.
void read_igp_line(OwnIgp& g, const std::string& stanza_daemon, const std::vector<std::string>& w) {
  if (starts(w, {"network"}) && w.size() >= 2) {
    if (auto p = prefix_word(w[1])) g.networks.push_back(p->normalized());
    else if (stanza_daemon == "ripd") g.ifaces.insert(w[1]);  // rip: `network IFNAME`
  } else if (starts(w, {"passive-interface", "default"})) {
    g.passive_default = true;
  } else if (starts(w, {"passive-interface"}) && w.size() >= 2) {
    g.passive.insert(w[1]);
  } else if (starts(w, {"no", "passive-interface"}) && w.size() >= 3) {
    g.passive.erase(w[2]);
    g.ifaces.insert(w[2]);  // with passive-interface default: active here
  } else if (starts(w, {"redistribute", "connected"})) {
    g.redistribute_connected = true;
  } else if (starts(w, {"redistribute", "static"})) {
    g.redistribute_static = true;
  }
}

}  // namespace

OwnConfig read_own_config(const std::string& text) {
  OwnConfig c;
  std::set<std::string> need{"zebra"};
  std::istringstream in(text);
  std::string line;
  std::vector<std::string> stanza;  // the current top-level stanza's words
  std::string stanza_daemon;
  std::string bgp_af;  // current address family inside router bgp ("" = the default, IPv4 unicast)
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto w = words(line);
    if (w.empty() || w[0][0] == '!') continue;
    bool top = line[0] != ' ' && line[0] != '\t';
    if (top) {
      if (w[0] == "exit" || w[0] == "end") {
        stanza.clear();
        stanza_daemon.clear();
        continue;
      }
      stanza = w;
      stanza_daemon = daemon_of_stanza(w);
      bgp_af.clear();
      add_need(need, stanza_daemon, w);
      read_stanza_line(c, w, stanza_daemon);
      continue;
    }
    if (stanza.empty()) continue;
    add_need(need, daemon_of_subline(w), w);
    const std::string& kind = stanza[0];
    if (kind == "interface" && stanza.size() >= 2) {
      read_interface_line(c, stanza[1], w);
      continue;
    }
    if (stanza_daemon == "bgpd") {
      read_bgp_line(c, w, bgp_af);
      continue;
    }
    auto igp = c.igps.find(stanza_daemon);
    if (igp != c.igps.end()) read_igp_line(igp->second, stanza_daemon, w);
  }
  for (const auto& d : known_frr_daemons())
    if (need.count(d)) c.daemons.push_back(d);
  return c;
}

namespace {

// Every address a router has on an interface: netlab's (links, tunnels) and
// its config's (loopbacks, extra addresses).
std::map<std::string, std::vector<Ipv4Prefix>> addresses_of(const PlanNode& n, const OwnConfig& c) {
  auto out = c.addresses;
  for (const auto& f : n.ifaces) {
    auto& v = out[f.name];
    if (std::find(v.begin(), v.end(), f.address) == v.end()) v.push_back(f.address);
  }
  return out;
}

// Interfaces of `n` that run `g`, with whether each forms adjacencies.
std::map<std::string, bool> igp_ifaces(const PlanNode& n, const OwnConfig& c, const OwnIgp& g) {
  std::map<std::string, bool> out;
  for (const auto& [ifname, addrs] : addresses_of(n, c)) {
    bool on = g.ifaces.count(ifname) > 0;
    for (const auto& a : addrs)
      for (const auto& net : g.networks)
        if (net.contains(a.addr)) on = true;
    if (!on) continue;
    bool passive = g.passive.count(ifname) || (g.passive_default && !g.ifaces.count(ifname)) || ifname == "lo";
    out[ifname] = !passive;
  }
  return out;
}

bool has_connected(const PlanNode& n, const OwnConfig& c, const Ipv4Prefix& p) {
  for (const auto& [_, addrs] : addresses_of(n, c))
    for (const auto& a : addrs)
      if (a.normalized() == p) return true;
  return false;
}

}  // namespace

std::vector<Ipv4Prefix> own_config_bgp_origins(const PlanNode& node, const OwnConfig& c) {
  std::set<Ipv4Prefix> out(c.bgp_networks.begin(), c.bgp_networks.end());
  if (c.bgp_redistribute_connected)
    for (const auto& [_, addrs] : addresses_of(node, c))
      for (const auto& a : addrs) out.insert(a.normalized());
  if (c.bgp_redistribute_static) out.insert(c.static_routes.begin(), c.static_routes.end());
  // eBGP in FRR sends and accepts nothing without a policy unless told
  // otherwise: what this router originates reaches its eBGP peers only
  // through neighbours with a policy, which netlab does not evaluate.
  if (c.ebgp_requires_policy && c.bgp_asn) {
    bool all_policy = std::all_of(c.bgp_neighbors.begin(), c.bgp_neighbors.end(), [&](const OwnBgpNeighbor& nb) {
      return nb.policy || nb.remote_as == "internal" || nb.remote_as == std::to_string(*c.bgp_asn);
    });
    if (!all_policy) return {};
  }
  return {out.begin(), out.end()};
}

std::vector<Session> own_config_sessions(const std::vector<PlanNode>& nodes,
                                         const std::vector<PlanLink>& links,
                                         const std::map<std::string, OwnConfig>& configs,
                                         const std::set<std::string>& already) {
  std::vector<Session> out;
  auto names = [](const OwnConfig& c, const LinkEnd& me, const LinkEnd& peer) {
    for (const auto& nb : c.bgp_neighbors)
      if (nb.peer == peer.address.addr.str() || nb.peer == me.ifname) return true;
    return false;
  };
  for (const auto& l : links) {
    if (already.count(l.name)) continue;
    auto ca = configs.find(l.a.node), cb = configs.find(l.b.node);
    if (ca == configs.end() || cb == configs.end()) continue;
    if (!ca->second.bgp_asn || !cb->second.bgp_asn) continue;
    if (!names(ca->second, l.a, l.b) || !names(cb->second, l.b, l.a)) continue;
    Session s;
    s.over = l.name;
    s.kind = SessionKind::Lan;
    s.a = l.a.node;
    s.b = l.b.node;
    s.a_addr = l.a.address.addr;
    s.b_addr = l.b.address.addr;
    s.a_asn = *ca->second.bgp_asn;
    s.b_asn = *cb->second.bgp_asn;
    s.timers = {60, 180};  // FRR's defaults; the config may set others
    out.push_back(s);
  }
  (void)nodes;
  return out;
}

std::vector<ExpectedRoute> own_config_igp_routes(const std::vector<PlanNode>& nodes,
                                                 const std::vector<PlanLink>& links,
                                                 const std::map<std::string, OwnConfig>& configs) {
  std::map<std::pair<std::string, Ipv4Prefix>, std::string> out;  // (node, prefix) -> first origin
  std::map<std::string, const PlanNode*> by_name;
  for (const auto& n : nodes) by_name[n.name] = &n;
  std::set<std::string> daemons;
  for (const auto& [_, c] : configs)
    for (const auto& [d, __] : c.igps) daemons.insert(d);
  for (const auto& d : daemons) {
    std::map<std::string, std::map<std::string, bool>> on;  // node -> iface -> active
    std::map<std::string, std::set<Ipv4Prefix>> origin;
    for (const auto& [name, c] : configs) {
      auto g = c.igps.find(d);
      if (g == c.igps.end() || !by_name.count(name)) continue;
      const PlanNode& n = *by_name[name];
      on[name] = igp_ifaces(n, c, g->second);
      auto addrs = addresses_of(n, c);
      for (const auto& [ifname, _] : on[name])
        for (const auto& a : addrs[ifname]) origin[name].insert(a.normalized());
      if (g->second.redistribute_connected)
        for (const auto& [_, v] : addrs)
          for (const auto& a : v) origin[name].insert(a.normalized());
      if (g->second.redistribute_static) origin[name].insert(c.static_routes.begin(), c.static_routes.end());
    }
    // Adjacencies: a link both of whose ends run the protocol actively.
    std::map<std::string, std::vector<std::string>> adj;
    for (const auto& l : links) {
      auto a = on.find(l.a.node), b = on.find(l.b.node);
      if (a == on.end() || b == on.end()) continue;
      auto ia = a->second.find(l.a.ifname), ib = b->second.find(l.b.ifname);
      if (ia == a->second.end() || ib == b->second.end() || !ia->second || !ib->second) continue;
      adj[l.a.node].push_back(l.b.node);
      adj[l.b.node].push_back(l.a.node);
    }
    std::set<std::string> done;
    for (const auto& [start, _] : on) {
      if (done.count(start)) continue;
      std::vector<std::string> domain;
      std::deque<std::string> q{start};
      done.insert(start);
      while (!q.empty()) {
        auto cur = q.front();
        q.pop_front();
        domain.push_back(cur);
        for (const auto& nx : adj[cur])
          if (done.insert(nx).second) q.push_back(nx);
      }
      for (const auto& src : domain)
        for (const auto& p : origin[src])
          for (const auto& dst : domain) {
            if (dst == src) continue;
            const PlanNode& dn = *by_name[dst];
            if (has_connected(dn, configs.at(dst), p)) continue;
            out.try_emplace({dst, p}, src);
          }
    }
  }
  std::vector<ExpectedRoute> v;
  for (const auto& [k, o] : out) v.push_back({k.first, k.second, o});
  return v;
}

}  // namespace netlab::plan
