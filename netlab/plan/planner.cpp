// Topology -> Plan. See planner.h; the rules a user sees are in README.md
// ("How netlab builds a lab").
#include <algorithm>
#include <deque>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "netlab/base/error.h"
#include "netlab/plan/allocator.h"
#include "netlab/plan/bgp.h"
#include "netlab/plan/frr_config.h"
#include "netlab/plan/frr_split.h"
#include "netlab/plan/own_config.h"
#include "netlab/plan/planner.h"
#include "netlab/topology/limits.h"
#include "netlab/topology/names.h"

namespace netlab::plan {

using topology::Link;
using topology::Topology;

namespace {

// AWS reserves these tunnel inside CIDRs; the allocator never hands them out.
const std::vector<Ipv4Prefix>& aws_reserved_insides() {
  static const std::vector<Ipv4Prefix> r = [] {
    std::vector<Ipv4Prefix> v;
    for (int i = 0; i <= 5; ++i) v.push_back(*Ipv4Prefix::parse("169.254." + std::to_string(i) + ".0/30"));
    v.push_back(*Ipv4Prefix::parse("169.254.169.252/30"));
    return v;
  }();
  return r;
}
const Ipv4Prefix kLinkLocal = *Ipv4Prefix::parse("169.254.0.0/16");

// Veth indices start above what a new namespace uses itself (lo is 1).
constexpr int kFirstIfindex = 100;

// Default BGP timers per session kind, when the link sets none.
// DX: AWS's defaults (keepalive 30 s, hold 90 s). Inside a site or inside
// AWS: FRR's datacenter profile (3/9).
BgpTimers default_timers(SessionKind k) {
  return k == SessionKind::Dx ? BgpTimers{30, 90} : BgpTimers{3, 9};
}

class Planner {
 public:
  Planner(const Topology& t, const PlanOptions& o, KeySource& keys)
      : t_(t), opt_(o), keys_(keys), names_(topology::assign_interface_names(t)) {}

  Plan run() {
    plan_.lab = t_.lab.name;
    plan_.description = t_.lab.description;
    plan_.topology_path = t_.path;
    plan_.runtime_dir = opt_.runtime_root + "/" + t_.lab.name;
    plan_.probe_port = opt_.probe_port;
    plan_.seed = t_.lab.seed;
    plan_.scale = t_.lab.scale;
    make_nodes();
    allocate_link_subnets();
    make_links();
    make_tunnels();
    pick_router_ids();
    make_host_routes();
    make_sessions();
    read_own_configs();
    plan_.expected_routes = expected_routes(plan_.nodes, plan_.sessions, plan_.links);
    add_own_config_routes();
    make_underlay_routes();
    make_sysctls();
    make_frr();
    return std::move(plan_);
  }

 private:
  [[noreturn]] void fail(const topology::Positions& pos, std::string_view key,
                         const std::string& msg) {
    auto r = pos.of(key);
    std::string where = t_.path;
    if (r.known()) where += ":" + std::to_string(r.line) + ":" + std::to_string(r.column);
    throw InputError(where + ": error: " + msg);
  }

  PlanNode& node(const std::string& name) {
    for (auto& n : plan_.nodes)
      if (n.name == name) return n;
    throw Error("planner: unknown node " + name);  // the validator rules this out
  }

  void make_nodes() {
    for (const auto& n : t_.nodes) {
      PlanNode p;
      p.name = n.name;
      p.ns = topology::netns_name(t_.lab.name, n.name);
      p.role = n.role;
      p.asn = n.asn;
      p.domains = n.domains;
      p.bfd = n.bfd;
      p.announce = n.announce;
      if (n.role == Role::Host) p.anycast = n.anycast;
      if (p.is_router()) p.frr_dir = plan_.runtime_dir + "/nodes/" + n.name + "/frr";
      plan_.nodes.push_back(std::move(p));
    }
  }

  // Explicit subnets are kept as written. A link between a host and a router
  // that announces prefixes takes its subnet from those prefixes (the
  // router's "host subnets"), so the host is reachable through BGP; every
  // other link takes a /30 from [lab].pool.
  void allocate_link_subnets() {
    SubnetAllocator global;
    for (const auto& l : t_.links)
      if (l.subnet) global.reserve(*l.subnet);
    for (const auto& tu : t_.tunnels)
      if (tu.inside) global.reserve(*tu.inside);
    for (const auto& n : t_.nodes)
      for (const auto& p : n.announce) global.reserve(p);
    // Service addresses are no link's: every allocation steers around them.
    std::vector<Ipv4Prefix> service;
    for (const auto& n : t_.nodes)
      if (n.anycast) service.push_back({*n.anycast, 32});
    for (const auto& a : service) global.reserve(a);

    std::map<Ipv4Prefix, SubnetAllocator> inside_announce;
    subnets_.resize(t_.links.size());
    for (size_t i = 0; i < t_.links.size(); ++i) {
      const Link& l = t_.links[i];
      if (l.subnet) {
        subnets_[i] = *l.subnet;
        continue;
      }
      const topology::Node* host = nullptr;
      const topology::Node* router = nullptr;
      for (const auto* ep : {&l.a, &l.b}) {
        const auto* n = t_.node(ep->node);
        if (n->role == Role::Host) host = n;
        else if (topology::is_router(n->role)) router = n;
      }
      std::optional<Ipv4Prefix> got;
      if (host && router) {
        for (const auto& p : router->announce) {
          auto [it, fresh] = inside_announce.try_emplace(p);
          if (fresh) {
            for (const auto& l2 : t_.links)
              if (l2.subnet && p.overlaps(*l2.subnet)) it->second.reserve(*l2.subnet);
            for (const auto& a : service)
              if (p.contains(a)) it->second.reserve(a);
          }
          if ((got = it->second.allocate(p, std::max<uint8_t>(p.len, 30)))) break;
        }
      }
      if (!got) got = global.allocate(t_.lab.pool, 30);
      if (!got)
        fail(l.pos, "", "no free /30 left in the pool " + t_.lab.pool.str() + " for link \"" +
                            l.name + "\"; give [lab].pool a larger prefix");
      subnets_[i] = *got;
    }
    // Tunnel inside CIDRs: explicit, else the lowest free /30 of
    // 169.254.0.0/16 that AWS does not reserve.
    for (const auto& r : aws_reserved_insides()) global.reserve(r);
    for (const auto& s : subnets_) global.reserve(s);
    for (const auto& tu : t_.tunnels) {
      if (tu.inside) {
        insides_.push_back(*tu.inside);
        continue;
      }
      auto got = global.allocate(kLinkLocal, 30);
      if (!got) fail(tu.pos, "", "no free /30 left in 169.254.0.0/16 for tunnel \"" + tu.name + "\"");
      insides_.push_back(*got);
    }
  }

  void make_links() {
    for (size_t i = 0; i < t_.links.size(); ++i) {
      const Link& l = t_.links[i];
      PlanLink pl;
      pl.name = l.name;
      pl.kind = l.kind;
      pl.subnet = subnets_[i];
      pl.domains = l.domains;
      pl.impair = l.impair;
      {
        const auto lim = topology::link_limits(t_.lab, l);
        pl.impair.rate_mbit = lim.rate_mbit > 0 ? std::optional(lim.rate_mbit) : std::nullopt;
        pl.impair.pps = lim.pps > 0 ? std::optional(lim.pps) : std::nullopt;
      }
      pl.speed = l.speed;
      pl.sitelink = l.sitelink;
      pl.mtu = l.mtu;
      pl.pmtud = l.pmtud;
      auto end = [&](const topology::Endpoint& ep, uint32_t host) {
        LinkEnd e;
        e.node = ep.node;
        e.ns = topology::netns_name(t_.lab.name, ep.node);
        e.ifname = names_.of_link(ep.node, i);
        e.address = {*pl.subnet.host(host), pl.subnet.len};
        return e;
      };
      pl.a = end(l.a, 0);
      pl.b = end(l.b, 1);
      // Lab-unique indices, so the two ends of every pair differ (and an
      // index names one interface of the lab in captures and logs).
      pl.a.ifindex = kFirstIfindex + 2 * static_cast<int>(i);
      pl.b.ifindex = kFirstIfindex + 2 * static_cast<int>(i) + 1;
      for (auto [me, peer] : {std::pair{&pl.a, &pl.b}, std::pair{&pl.b, &pl.a}}) {
        Iface f;
        f.name = me->ifname;
        f.link = l.name;
        f.address = me->address;
        f.peer_node = peer->node;
        f.peer_address = peer->address.addr;
        f.kind = l.kind;
        node(me->node).ifaces.push_back(f);
      }
      plan_.links.push_back(std::move(pl));
    }
  }

  // The address a node's tunnels use as their outer endpoint: its address on
  // its first `kind = "internet"` link.
  Ipv4 outer_address(const std::string& n, const topology::Tunnel& tu) {
    for (const auto& l : plan_.links) {
      if (l.kind != LinkKind::Internet) continue;
      if (l.a.node == n) return l.a.address.addr;
      if (l.b.node == n) return l.b.address.addr;
    }
    fail(tu.pos, "endpoints", "tunnel \"" + tu.name + "\": node \"" + n +
                                  "\" has no link with kind = \"internet\"");
  }

  void make_tunnels() {
    for (size_t i = 0; i < t_.tunnels.size(); ++i) {
      const auto& tu = t_.tunnels[i];
      PlanTunnel pt;
      pt.name = tu.name;
      pt.type = tu.type;
      pt.inside = insides_[i];
      pt.dpd = tu.dpd;
      pt.bgp = tu.bgp;
      pt.mtu = tu.mtu;
      pt.pmtud = tu.pmtud;
      {
        const auto lim = topology::tunnel_limits(t_.lab, tu);
        if (lim.rate_mbit > 0) pt.impair.rate_mbit = lim.rate_mbit;
        if (lim.pps > 0) pt.impair.pps = lim.pps;
      }
      if (tu.type == topology::TunnelType::Ipsec) pt.psk = keys_.preshared_key();
      auto end = [&](const std::string& n, uint32_t host) {
        TunnelEnd e;
        e.node = n;
        e.ns = topology::netns_name(t_.lab.name, n);
        e.ifname = names_.of_tunnel(n, i);
        e.inside = {*pt.inside.host(host), pt.inside.len};
        e.outer = outer_address(n, tu);
        // One UDP port per tunnel, the same at both ends: a node with several
        // tunnels needs distinct ports, and equal ports make captures readable.
        e.listen_port = static_cast<uint16_t>(51820 + i);
        if (tu.type == topology::TunnelType::Wireguard) e.keys = keys_.wireguard_keypair();
        e.run_dir = plan_.runtime_dir + "/nodes/" + n + "/run";
        return e;
      };
      pt.a = end(tu.a, 0);
      pt.b = end(tu.b, 1);
      for (auto [me, peer] : {std::pair{&pt.a, &pt.b}, std::pair{&pt.b, &pt.a}}) {
        Iface f;
        f.name = me->ifname;
        f.tunnel = true;
        f.link = tu.name;
        f.address = me->inside;
        f.peer_node = peer->node;
        f.peer_address = peer->inside.addr;
        node(me->node).ifaces.push_back(f);
      }
      plan_.tunnels.push_back(std::move(pt));
    }
  }

  // Lowest interface address: stable across runs and unique in the lab.
  void pick_router_ids() {
    for (auto& n : plan_.nodes) {
      if (n.ifaces.empty()) continue;
      Ipv4 best = n.ifaces.front().address.addr;
      for (const auto& f : n.ifaces) best = std::min(best, f.address.addr);
      n.router_id = best;
    }
  }

  void make_sessions() {
    for (size_t i = 0; i < t_.links.size(); ++i) {
      const Link& l = t_.links[i];
      const PlanLink& pl = plan_.links[i];
      const auto* na = t_.node(l.a.node);
      const auto* nb = t_.node(l.b.node);
      if (!topology::is_router(na->role) || !topology::is_router(nb->role)) continue;
      if (!l.bgp.enabled || l.kind == LinkKind::Internet) continue;
      Session s;
      s.over = l.name;
      // A link inside AWS (both ends AWS roles) behaves as AWS's backbone
      // whatever kind it was given.
      if (l.kind == LinkKind::Dx) s.kind = SessionKind::Dx;
      else if (l.kind == LinkKind::Backbone || (topology::is_aws(na->role) && topology::is_aws(nb->role)))
        s.kind = SessionKind::Backbone;
      else s.kind = SessionKind::Lan;
      s.a = l.a.node;
      s.b = l.b.node;
      s.a_addr = pl.a.address.addr;
      s.b_addr = pl.b.address.addr;
      s.a_asn = *na->asn;
      s.b_asn = *nb->asn;
      s.timers = l.bgp.timers.value_or(default_timers(s.kind));
      s.communities = l.bgp.communities;
      s.prepend = l.bgp.prepend;
      // BFD: as the link says; by default on DX (AWS) and on the AWS
      // backbone, where AWS publishes no detection time and netlab assumes
      // the same 300 ms x 3 as on DX rather than a BGP hold time.
      bool bfd_written = l.pos.at.count("bfd") > 0;
      bool bfd_on = bfd_written ? l.bfd.enabled : (l.bfd.enabled || s.kind == SessionKind::Backbone);
      if (bfd_on) {
        s.bfd = l.bfd.timers.value_or(BfdTimers{});
        s.bfd_from_link = l.bfd.timers.has_value();
      }
      plan_.sessions.push_back(s);
    }
    for (const auto& pt : plan_.tunnels) {
      const auto* na = t_.node(pt.a.node);
      const auto* nb = t_.node(pt.b.node);
      Session s;
      s.over = pt.name;
      s.kind = SessionKind::Vpn;
      s.a = pt.a.node;
      s.b = pt.b.node;
      s.a_addr = pt.a.inside.addr;
      s.b_addr = pt.b.inside.addr;
      s.a_asn = na->asn.value_or(0);
      s.b_asn = nb->asn.value_or(0);
      s.timers = pt.bgp;
      plan_.sessions.push_back(s);
    }
  }

  // A host's only link leads to its gateway: one default route.
  void make_host_routes() {
    for (auto& n : plan_.nodes) {
      if (n.role != Role::Host || n.ifaces.empty()) continue;
      const Iface& f = n.ifaces.front();
      Route r;
      r.ns = n.ns;
      r.dst = Ipv4Prefix{Ipv4{0}, 0};
      r.nexthops = {{f.peer_address, f.name}};
      n.routes.push_back(r);
      // The router serving a host announces the host's subnet when none of
      // its prefixes covers it, so the host is reachable from the far side.
      PlanNode& gw = node(f.peer_node);
      if (!gw.is_router()) continue;
      if (n.anycast)
        gw.anycast_routes.push_back({{*n.anycast, 32}, f.address.addr, n.name, standby_prepend(n)});
      Ipv4Prefix subnet = f.address.normalized();
      bool covered = std::any_of(gw.announce.begin(), gw.announce.end(),
                                 [&](const Ipv4Prefix& p) { return p.contains(subnet); });
      if (!covered) gw.announce.push_back(subnet);
    }
  }

  // A host is a standby instance of its anycast service when it sits in the
  // failover zone of a Local Zone that holds an instance too: the Local
  // Zone serves while it is up ([zones] failover says where its workloads
  // go), this one when it is lost. Its router prepends its ASN this often.
  uint32_t standby_prepend(const PlanNode& host) const {
    const auto& az = host.domains.az;
    if (!host.anycast || !az) return 0;
    for (const auto& [zname, z] : t_.zones) {
      if (z.type != topology::ZoneType::Local || z.failover != *az) continue;
      for (const auto& other : t_.nodes)
        if (other.anycast == host.anycast && other.domains.az == zname) return kStandbyPrepend;
    }
    return 0;
  }

  // The internet underlay carries tunnels: every node on an internet link
  // gets a static route to every other internet link's subnet, hop by hop
  // through `internet` nodes (shortest path). No BGP involved, so the tunnels
  // never depend on routes they carry themselves.
  void make_underlay_routes() {
    std::map<std::string, std::vector<std::pair<std::string, const PlanLink*>>> adj;
    for (const auto& l : plan_.links) {
      if (l.kind != LinkKind::Internet) continue;
      adj[l.a.node].push_back({l.b.node, &l});
      adj[l.b.node].push_back({l.a.node, &l});
    }
    for (auto& [src, _] : adj) {
      // BFS from src; first hop per reached node. Only internet nodes transit.
      std::map<std::string, std::pair<Ipv4, std::string>> first_hop;  // node -> (via, dev)
      std::deque<std::string> q{src};
      std::set<std::string> seen{src};
      while (!q.empty()) {
        std::string cur = q.front();
        q.pop_front();
        if (cur != src && t_.node(cur)->role != Role::Internet) continue;
        for (auto& [next, link] : adj[cur]) {
          if (!seen.insert(next).second) continue;
          if (cur == src) {
            bool a_is_src = link->a.node == src;
            const LinkEnd& mine = a_is_src ? link->a : link->b;
            const LinkEnd& far = a_is_src ? link->b : link->a;
            first_hop[next] = {far.address.addr, mine.ifname};
          } else {
            first_hop[next] = first_hop[cur];
          }
          q.push_back(next);
        }
      }
      PlanNode& me = node(src);
      for (const auto& l : plan_.links) {
        if (l.kind != LinkKind::Internet || l.a.node == src || l.b.node == src) continue;
        // Reach the subnet through whichever end we reached first.
        auto it = first_hop.find(l.a.node);
        if (it == first_hop.end()) it = first_hop.find(l.b.node);
        if (it == first_hop.end()) continue;
        Route r;
        r.ns = me.ns;
        r.dst = l.subnet.normalized();
        r.nexthops = {{it->second.first, it->second.second}};
        me.routes.push_back(r);
      }
    }
  }

  void make_sysctls() {
    for (auto& n : plan_.nodes) {
      // Set before links are created, so `default` reaches every interface.
      n.sysctls = {
          {"net/ipv4/conf/all/rp_filter", "0"},
          {"net/ipv4/conf/default/rp_filter", "0"},
          // The lab is IPv4; IPv6 would only add router solicitations and
          // DAD to the links being measured.
          {"net/ipv6/conf/all/disable_ipv6", "1"},
          {"net/ipv6/conf/default/disable_ipv6", "1"},
      };
      if (n.role != Role::Host) {
        n.sysctls.push_back({"net/ipv4/ip_forward", "1"});
        // ECMP by flow (L4 hash), as routers and the TGW do.
        n.sysctls.push_back({"net/ipv4/fib_multipath_hash_policy", "1"});
        // A route over a link without carrier must not be used.
        n.sysctls.push_back({"net/ipv4/conf/all/ignore_routes_with_linkdown", "1"});
        n.sysctls.push_back({"net/ipv4/conf/default/ignore_routes_with_linkdown", "1"});
      }
    }
  }

  // A router's own config: read once, here, so its BGP sessions, what it
  // originates and the routes its interior protocols install join the plan
  // (own_config.h), and make_frr() starts the daemons it needs.
  void read_own_configs() {
    for (auto& n : plan_.nodes) {
      if (!n.is_router()) continue;
      const auto* tn = t_.node(n.name);
      if (!tn->config) continue;
      std::ifstream in(*tn->config);
      if (!in) fail(tn->pos, "config", "cannot read the FRR config \"" + *tn->config + "\"");
      std::ostringstream ss;
      ss << in.rdbuf();
      n.frr_config = ss.str();
      n.own_config = true;
      own_[n.name] = read_own_config(n.frr_config);
    }
    if (own_.empty()) return;
    std::set<std::string> already;
    for (const auto& s : plan_.sessions) already.insert(s.over);
    for (auto& s : own_config_sessions(plan_.nodes, plan_.links, own_, already)) plan_.sessions.push_back(s);
    for (auto& n : plan_.nodes) {
      auto it = own_.find(n.name);
      if (it == own_.end()) continue;
      // What it announces is what the file says and what its config
      // originates, not the host subnets a template would add.
      n.announce = t_.node(n.name)->announce;
      for (const auto& p : own_config_bgp_origins(n, it->second))
        if (std::find(n.announce.begin(), n.announce.end(), p) == n.announce.end()) n.announce.push_back(p);
    }
  }

  void add_own_config_routes() {
    if (own_.empty()) return;
    std::set<std::pair<std::string, Ipv4Prefix>> have;
    for (const auto& e : plan_.expected_routes) have.insert({e.node, e.prefix});
    for (auto& e : own_config_igp_routes(plan_.nodes, plan_.links, own_))
      if (have.insert({e.node, e.prefix}).second) plan_.expected_routes.push_back(e);
  }

  void make_frr() {
    std::string dir = t_.lab.frr_templates.value_or(opt_.templates_dir);
    std::optional<TemplateSet> templates;
    for (auto& n : plan_.nodes) {
      if (!n.is_router()) continue;
      auto own = own_.find(n.name);
      if (own == own_.end()) {
        if (!templates) templates = TemplateSet::load(dir);
        n.frr_config = templates->render(plan_, n);
      }
      const auto& daemons = own != own_.end() ? own->second.daemons : frr_daemons();
      // Each daemon reads its own share of frr.conf (frr_split.h says why).
      n.frr_daemon_configs = split_frr_config(n.frr_config, daemons);
      for (const auto& d : daemons) {
        Daemon dm;
        dm.name = d;
        dm.spec.ns = n.ns;
        dm.spec.argv = {opt_.frr_bin_dir + "/" + d, "-f", n.frr_dir + "/" + d + ".conf", "--vty_socket", n.frr_dir,
                        "-z", n.frr_dir + "/zserv.api", "-i", n.frr_dir + "/" + d + ".pid"};
        // zebra: a large netlink buffer, so route bursts at failover are not
        // dropped (ENOBUFS) and resynchronised late.
        if (dm.name == "zebra") dm.spec.argv.insert(dm.spec.argv.end(), {"-s", "16777216"});
        dm.spec.log_path = n.frr_dir + "/" + d + ".out";
        dm.spec.cwd = n.frr_dir;
        n.daemons.push_back(std::move(dm));
      }
    }
  }

  const Topology& t_;
  const PlanOptions& opt_;
  KeySource& keys_;
  topology::InterfaceNames names_;
  Plan plan_;
  std::vector<Ipv4Prefix> subnets_;  // per topology link
  std::vector<Ipv4Prefix> insides_;  // per topology tunnel
  std::map<std::string, OwnConfig> own_;  // routers with their own config
};

}  // namespace

Plan make_plan(const Topology& t, const PlanOptions& o, KeySource& keys) {
  return Planner(t, o, keys).run();
}

uint64_t decide_seed(std::optional<uint64_t> command_line, std::optional<uint64_t> topology) {
  if (command_line) return *command_line;
  if (topology) return *topology;
  std::random_device rd;
  return (uint64_t{rd()} << 32) ^ rd();
}

}  // namespace netlab::plan
