#include "netlab/topology/validate.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <map>
#include <set>

#include "netlab/topology/capacity.h"
#include "netlab/topology/graph.h"
#include "netlab/topology/limits.h"
#include "netlab/topology/names.h"
#include "netlab/topology/text.h"

namespace netlab::topology {

namespace {

const Ipv4Prefix kLinkLocal{Ipv4{0xA9FE0000}, 16};  // 169.254.0.0/16

// AWS refuses these as VPN tunnel inside CIDRs (Site-to-Site VPN tunnel options).
double round3(double v) { return std::round(v * 1000) / 1000; }

bool aws_reserved_inside(const Ipv4Prefix& p) {
  for (uint32_t third = 0; third <= 5; ++third)
    if (p.overlaps(Ipv4Prefix{Ipv4{0xA9FE0000 | (third << 8)}, 30})) return true;
  return p.overlaps(Ipv4Prefix{Ipv4{0xA9FEA9FC}, 30});  // 169.254.169.252/30
}

std::string line_note(const SourceRegion& r) {
  return r.known() ? " (line " + std::to_string(r.line) + ")" : "";
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string c = closest(word, candidates);
  return c.empty() ? std::string() : "did you mean " + quote(c) + "?";
}

// The path targets of an expect table, by key.
std::vector<std::pair<std::string, const std::vector<std::string>*>> path_targets(const Expect& e) {
  return {{"path", &e.path}, {"path_forward", &e.path_forward}, {"path_reverse", &e.path_reverse}};
}

class Validator {
 public:
  Validator(const Topology& t, Diagnostics& d) : t_(t), d_(d) {
    for (const Node& n : t.nodes) node_names_.push_back(n.name);
    for (const Link& l : t.links) link_names_.push_back(l.name);
    for (const Tunnel& tu : t.tunnels) tunnel_names_.push_back(tu.name);
  }

  void run() {
    lab();
    nodes();
    zones();
    links();
    dxgw_associations();
    dx_vgw_asns();
    subnets();
    tunnels();
    validate_limits(t_, d_);
    hosts();
    anycast();
    interface_names();
    if (t_.lab.probe) probe(*t_.lab.probe, "the probe of [lab]");
    scenarios();
    traffic();
    // Design warnings read the graph; on a file with errors they would
    // mostly repeat them in other words, so they wait until it is clean.
    if (!d_.has_errors())
      for (auto& [s, path_ok] : pending_) design(*s, "scenario " + quote(s->name), path_ok);
  }

 private:
  // ---- names --------------------------------------------------------------
  void lab() {
    if (!t_.lab.name.empty() && !valid_lab_name(t_.lab.name))
      d_.error(t_.lab.pos.of("name"),
               "lab name " + quote(t_.lab.name) + " is not valid: it must match [a-z][a-z0-9]{0,7}",
               "it prefixes every namespace (\"nl-<lab>-<node>\"), so it is short and lowercase");
  }

  // "node "x", which is not defined" with a hint; false when it is defined.
  bool unknown_node(const std::string& name, SourceRegion at, const std::string& who) {
    if (t_.node(name)) return false;
    d_.error(at, who + " names node " + quote(name) + ", which is not defined",
             did_you_mean(name, node_names_));
    return true;
  }

  void nodes() {
    std::vector<std::pair<Ipv4Prefix, const Node*>> announced;
    for (const Node& n : t_.nodes) {
      if (!valid_node_name(n.name))
        d_.error(n.pos.of(""),
                 "node name " + quote(n.name) + " is not valid: it must match [a-z][a-z0-9-]{0,14}",
                 "it becomes part of the namespace name \"nl-<lab>-<node>\"");
      std::string who = "node " + quote(n.name);
      if (is_router(n.role)) {
        if (!n.asn && !n.pos.at.count("asn"))  // a given but invalid asn was reported
          d_.error(n.pos.of("role"),
                   who + " has role " + std::string(to_string(n.role)) + " and needs an asn",
                   "e.g. asn = 65000 (private ASNs: 64512-65534)");
        else if (n.asn && (*n.asn == 0 || *n.asn == 4294967295u))
          d_.error(n.pos.of("asn"), who + ": ASN " + std::to_string(*n.asn) + " is reserved",
                   "ASNs are 1..4294967294");
      } else {
        if (n.asn)
          d_.error(n.pos.of("asn"),
                   who + " is " + (n.role == Role::Host ? "a host" : "the internet") +
                       " and runs no BGP, so it takes no asn",
                   "remove asn, or make it a router (role = \"router\")");
        if (!n.announce.empty())
          d_.error(n.pos.of("announce"), who + " is not a router and cannot announce prefixes",
                   "announce them from the router it is attached to");
        if (n.bfd) d_.error(n.pos.of("bfd"), who + " runs no BFD; \"bfd\" applies to routers only");
      }
      if (is_router(n.role)) {
        for (size_t i = 0; i < n.announce.size(); ++i) {
          const Ipv4Prefix& p = n.announce[i];
          SourceRegion at = n.pos.of("announce." + std::to_string(i));
          if (!p.is_network())
            d_.error(at, "announced prefix " + p.str() + " of " + who +
                             " has host bits set; did you mean " + p.normalized().str() + "?");
          for (auto& [q, other] : announced)
            if (other != &n && q.overlaps(p))
              d_.error(at,
                       "prefix " + p.str() + " announced by " + who + " overlaps " + q.str() +
                           " announced by node " + quote(other->name),
                       "originate each prefix at one router");
          announced.emplace_back(p, &n);
        }
      }
      if (!t_.zones.empty() && n.domains.az) zone_ref(*n.domains.az, n.pos.of("az"), who);
    }
  }

  void zone_ref(const std::string& az, SourceRegion at, const std::string& who) {
    if (t_.zone(az)) return;
    std::vector<std::string> zones;
    for (auto& [name, z] : t_.zones) zones.push_back(name);
    d_.error(at, who + " names az " + quote(az) + ", which is not in [zones]",
             did_you_mean(az, zones));
  }

  void zones() {
    for (auto& [name, z] : t_.zones) {
      std::string who = "zone " + quote(name);
      if (z.type == ZoneType::Az) {
        if (z.parent)
          d_.error(z.pos.of("parent"),
                   who + " is an availability zone; only a Local Zone has a parent",
                   "set type = \"local\" if it is a Local Zone");
        if (z.failover)
          d_.error(z.pos.of("failover"),
                   who + " is an availability zone; \"failover\" describes a Local Zone");
        continue;
      }
      if (!z.parent) {
        d_.error(z.pos.of(""), "Local Zone " + quote(name) + " has no parent",
                 "parent = the AZ it extends, e.g. parent = \"use1-az1\"");
      } else if (const Zone* p = t_.zone(*z.parent); p && p->type == ZoneType::Local) {
        d_.error(z.pos.of("parent"), "the parent of Local Zone " + quote(name) + " is Local Zone " +
                                         quote(*z.parent) + ", not an AZ");
      }
      if (z.failover && z.parent && *z.failover == *z.parent)
        d_.error(z.pos.of("failover"),
                 "Local Zone " + quote(name) + " fails over to its parent zone " + quote(*z.parent),
                 "AWS advises failing over to another Local Zone or to an AZ that is not the "
                 "parent: the parent shares the Local Zone's failure modes");
      if (z.failover && *z.failover == name)
        d_.error(z.pos.of("failover"), "Local Zone " + quote(name) + " fails over to itself");
    }
  }

  // ---- links --------------------------------------------------------------
  void links() {
    std::map<std::string, size_t> seen;
    for (size_t i = 0; i < t_.links.size(); ++i) {
      const Link& l = t_.links[i];
      std::string who = "link " + quote(l.name);
      auto [it, fresh] = seen.emplace(l.name, i);
      if (!fresh) {
        const Link& first = t_.links[it->second];
        bool unnamed = !l.pos.at.count("name") && !first.pos.at.count("name");
        d_.error(l.pos.of(l.pos.at.count("name") ? "name" : "endpoints"),
                 "link name " + quote(l.name) + " is used twice" + line_note(first.pos.of("")),
                 unnamed ? "two links join the same nodes: give each a name = \"...\""
                         : "link names are unique");
      }
      if (t_.tunnel(l.name))
        d_.error(l.pos.of(l.pos.at.count("name") ? "name" : "endpoints"),
                 "a link and a tunnel are both named " + quote(l.name),
                 "faults and paths name either, so names are unique across links and tunnels");
      if (l.a.node.empty() || l.b.node.empty()) continue;  // the loader reported it
      bool a_ok = !unknown_node(l.a.node, l.pos.of("endpoints.0"), who);
      bool b_ok = !unknown_node(l.b.node, l.pos.of("endpoints.1"), who);
      if (l.a.node == l.b.node) {
        d_.error(l.pos.of("endpoints.1"), who + " joins node " + quote(l.a.node) + " to itself");
        continue;
      }
      for (const Endpoint* ep : {&l.a, &l.b})
        if (ep->ifname && !valid_ifname(*ep->ifname))
          d_.error(l.pos.of(ep == &l.a ? "endpoints.0" : "endpoints.1"),
                   "interface name " + quote(*ep->ifname) + " of " + who + " is not valid",
                   "1-15 characters from [A-Za-z0-9_.-]");
      if (!a_ok || !b_ok) continue;
      if (!t_.zones.empty() && l.domains.az) zone_ref(*l.domains.az, l.pos.of("az"), who);
      const Node& a = *t_.node(l.a.node);
      const Node& b = *t_.node(l.b.node);
      link_kind(l, a, b, who);
      link_timers(l, who);
      link_sitelink(l, a, b, who);
      if (((a.role == Role::Tgw && b.role == Role::Dxgw) || (a.role == Role::Dxgw && b.role == Role::Tgw)) &&
          a.asn && b.asn && *a.asn == *b.asn)
        d_.error(l.pos.of("endpoints"),
                 who + " associates transit gateway and Direct Connect gateway " +
                     quote(a.role == Role::Tgw ? a.name : b.name) + " and " +
                     quote(a.role == Role::Dxgw ? a.name : b.name) + ", which both use ASN " +
                     std::to_string(*a.asn),
                 "AWS refuses the association when the two ASNs are equal: give one of them another ASN");
    }
  }

  // AWS: a Direct Connect gateway serves either virtual private gateways
  // (over private VIFs) or transit gateways (over transit VIFs), never both.
  void dxgw_associations() {
    for (const Node& g : t_.nodes) {
      if (g.role != Role::Dxgw) continue;
      const Link* vgw = nullptr;
      const Link* tgw = nullptr;
      for (const Link& l : t_.links) {
        const std::string& other = l.a.node == g.name ? l.b.node : l.b.node == g.name ? l.a.node : g.name;
        const Node* o = t_.node(other);
        if (!o || o == &g) continue;
        if (o->role == Role::Vgw && !vgw) vgw = &l;
        if (o->role == Role::Tgw && !tgw) tgw = &l;
      }
      if (vgw && tgw)
        d_.error(tgw->pos.of("endpoints"),
                 "Direct Connect gateway " + quote(g.name) + " is associated with a transit gateway (link " +
                     quote(tgw->name) + ") and a virtual private gateway (link " + quote(vgw->name) + ")" +
                     line_note(vgw->pos.of("")),
                 "AWS attaches a DXGW to transit gateways only when it has no VGW association; use two DXGWs");
    }
  }

  // AWS's route priority on a VGW (DX before VPN, whatever the AS_PATH)
  // holds in the lab because the aws-dx router and the VGW are one AS: the
  // local preference the DX side gives routes reaches the VGW over iBGP. A
  // DX router in another AS hands its routes over eBGP, the local preference
  // is dropped, and the VGW compares AS_PATH lengths, where the VPN path is
  // shorter. AWS itself terminates a private VIF on the VGW's own ASN, or on
  // a Direct Connect gateway.
  void dx_vgw_asns() {
    for (const Link& l : t_.links) {
      const Node* a = t_.node(l.a.node);
      const Node* b = t_.node(l.b.node);
      if (!a || !b || l.kind == LinkKind::Internet) continue;
      if (a->role == Role::Vgw) std::swap(a, b);
      if (a->role != Role::AwsDx || b->role != Role::Vgw || !a->asn || !b->asn || *a->asn == *b->asn) continue;
      bool vpn = std::any_of(t_.tunnels.begin(), t_.tunnels.end(),
                             [&](const Tunnel& tu) { return tu.a == b->name || tu.b == b->name; }) ||
                 std::any_of(t_.links.begin(), t_.links.end(), [&](const Link& x) {
                   const std::string& other = x.a.node == b->name ? x.b.node : x.b.node == b->name ? x.a.node : "";
                   const Node* o = other.empty() ? nullptr : t_.node(other);
                   return o && o->role == Role::AwsVpn;
                 });
      std::string msg = "aws-dx node " + quote(a->name) + " (ASN " + std::to_string(*a->asn) + ") joins vgw " +
                        quote(b->name) + " (ASN " + std::to_string(*b->asn) + ") over link " + quote(l.name) +
                        " in another AS: the VGW would receive DX routes over eBGP without their local preference";
      std::string hint = "give " + quote(a->name) + " asn = " + std::to_string(*b->asn) +
                         " (AWS terminates a private VIF on the VGW's ASN), or put a dxgw between them";
      if (vpn)
        d_.error(a->pos.of("asn"),
                 msg + ", and prefer vgw " + quote(b->name) + "'s VPN routes (shorter AS_PATH) over DX, "
                       "against AWS's route priority",
                 hint);
      else
        d_.warning(a->pos.of("asn"), msg + "; with a VPN added, the VGW would prefer it over DX", hint);
    }
  }

  // SiteLink is a setting of a virtual interface on a Direct Connect
  // gateway: AWS offers it on private and transit VIFs attached to a DXGW,
  // not on a VIF attached to a virtual private gateway.
  void link_sitelink(const Link& l, const Node& a, const Node& b, const std::string& who) {
    if (!l.sitelink) return;
    if (l.kind != LinkKind::Dx) {
      d_.error(l.pos.of("sitelink"),
               "sitelink is a setting of a Direct Connect virtual interface, and " + who +
                   " is not kind = \"dx\"");
      return;
    }
    const Node& aws = (a.role == Role::AwsDx || a.role == Role::Dxgw) ? a : b;
    if (aws.role == Role::Dxgw) return;
    if (aws.role != Role::AwsDx) return;  // link_kind() reported the ends
    bool on_dxgw = std::any_of(t_.links.begin(), t_.links.end(), [&](const Link& x) {
      const std::string& other = x.a.node == aws.name ? x.b.node : x.b.node == aws.name ? x.a.node : "";
      const Node* o = other.empty() ? nullptr : t_.node(other);
      return o && o->role == Role::Dxgw;
    });
    if (!on_dxgw)
      d_.error(l.pos.of("sitelink"),
               "SiteLink needs a Direct Connect gateway, but " + who + " ends at " +
                   std::string(to_string(aws.role)) + " node " + quote(aws.name) +
                   ", which has no link to a dxgw",
               "AWS enables SiteLink on virtual interfaces attached to a Direct Connect gateway");
  }

  void link_kind(const Link& l, const Node& a, const Node& b, const std::string& who) {
    auto customer_side = [](const Node& n) {
      return n.role == Role::Customer || n.role == Role::Router;
    };
    auto aws_side = [](const Node& n) { return n.role == Role::AwsDx || n.role == Role::Dxgw; };
    switch (l.kind) {
      case LinkKind::Dx:
        if (!((customer_side(a) && aws_side(b)) || (customer_side(b) && aws_side(a))))
          d_.error(l.pos.of("kind"),
                   "dx " + who + " joins a " + std::string(to_string(a.role)) + " to a " +
                       std::string(to_string(b.role)) +
                       "; a dx link joins a customer or router node to an aws-dx or dxgw node");
        break;
      case LinkKind::Internet:
        if (a.role != Role::Internet && b.role != Role::Internet)
          d_.error(l.pos.of("kind"), "internet " + who + " touches no internet node",
                   "one end of an internet link is a node with role = \"internet\"");
        for (const Node* n : {&a, &b})
          if (n->role == Role::Host)
            d_.error(l.pos.of(n == &a ? "endpoints.0" : "endpoints.1"),
                     "internet " + who + " ends at host " + quote(n->name),
                     "hosts sit behind a router; tunnels end at routers");
        break;
      case LinkKind::Lan:
      case LinkKind::Backbone:
        for (const Node* n : {&a, &b})
          if (n->role == Role::Internet)
            d_.error(l.pos.of(n == &a ? "endpoints.0" : "endpoints.1"),
                     who + " reaches internet node " + quote(n->name) +
                         " but is not kind = \"internet\"",
                     "add kind = \"internet\": the internet carries tunnels, not routed links");
        break;
    }
  }

  void link_timers(const Link& l, const std::string& who) {
    if (l.kind != LinkKind::Dx) return;
    if (l.bgp.timers && l.bgp.timers->hold_s == 0)
      d_.error(l.pos.of("bgp.hold"),
               "AWS Direct Connect does not support BGP hold time 0 (" + who + ")",
               "the minimum is 3 s; AWS's default is 90 s");
    if (l.bfd.enabled && l.bfd.timers && l.bfd.timers->interval_ms < 300)
      d_.warning(l.pos.of("bfd.interval_ms"),
                 "BFD interval " + std::to_string(l.bfd.timers->interval_ms) + " ms on " + who +
                     " is below AWS Direct Connect's minimum of 300 ms",
                 "AWS negotiates it up to 300 ms: detection takes 300 x multiplier");
  }

  // Every link subnet and tunnel inside CIDR must be unique and disjoint,
  // and outside the pool the rest are allocated from.
  void subnets() {
    struct Use {
      Ipv4Prefix p;
      std::string who;
      SourceRegion at;
    };
    std::vector<Use> uses;
    size_t allocated = 0;
    for (const Link& l : t_.links) {
      if (!l.subnet) {
        ++allocated;
        continue;
      }
      const Ipv4Prefix& p = *l.subnet;
      std::string who = "link " + quote(l.name);
      SourceRegion at = l.pos.of("subnet");
      if (!p.is_network()) {
        d_.error(at, "subnet " + p.str() + " of " + who + " has host bits set; did you mean " +
                         p.normalized().str() + "?");
        continue;
      }
      if (p.len == 32) {
        d_.error(at, "subnet " + p.str() + " of " + who + " holds one address; a link needs two",
                 "use a /31 or a /30");
        continue;
      }
      if (p.overlaps(t_.lab.pool))
        d_.error(at,
                 "subnet " + p.str() + " of " + who + " overlaps the allocation pool " +
                     t_.lab.pool.str(),
                 "pick a subnet outside [lab].pool, or move the pool");
      uses.push_back({p, who, at});
    }
    for (const Tunnel& tu : t_.tunnels)
      if (tu.inside) uses.push_back({*tu.inside, "tunnel " + quote(tu.name), tu.pos.of("inside")});
    for (size_t i = 0; i < uses.size(); ++i)
      for (size_t j = 0; j < i; ++j)
        if (uses[i].p.overlaps(uses[j].p)) {
          d_.error(uses[i].at,
                   uses[i].p == uses[j].p
                       ? uses[i].p.str() + " of " + uses[i].who + " is already used by " +
                             uses[j].who + line_note(uses[j].at)
                       : uses[i].p.str() + " of " + uses[i].who + " overlaps " + uses[j].p.str() +
                             " of " + uses[j].who + line_note(uses[j].at),
                   "every link subnet and tunnel inside CIDR is distinct");
          break;
        }
    // The smallest allocation is a /31: past that the pool cannot serve.
    if (allocated > t_.lab.pool.size() / 2)
      d_.error(t_.lab.pos.of("pool"),
               "pool " + t_.lab.pool.str() + " cannot hold a subnet for each of the " +
                   std::to_string(allocated) + " links that give none",
               "use a larger pool");
  }

  // ---- tunnels ------------------------------------------------------------
  bool has_internet_link(const std::string& node) const {
    return std::any_of(t_.links.begin(), t_.links.end(), [&](const Link& l) {
      return l.kind == LinkKind::Internet && (l.a.node == node || l.b.node == node);
    });
  }

  void tunnels() {
    std::map<std::string, const Tunnel*> seen;
    for (const Tunnel& tu : t_.tunnels) {
      std::string who = "tunnel " + quote(tu.name);
      if (!tu.name.empty()) {
        auto [it, fresh] = seen.emplace(tu.name, &tu);
        if (!fresh)
          d_.error(tu.pos.of("name"), "tunnel name " + quote(tu.name) + " is used twice" +
                                          line_note(it->second->pos.of("")));
      }
      if (tu.inside) {
        const Ipv4Prefix& p = *tu.inside;
        SourceRegion at = tu.pos.of("inside");
        if (p.len != 30 || !kLinkLocal.contains(p))
          d_.error(at, "inside " + p.str() + " of " + who + " is not a /30 in 169.254.0.0/16",
                   "AWS takes tunnel inside CIDRs from 169.254.0.0/16, one /30 per tunnel");
        else if (aws_reserved_inside(p))
          d_.error(at, "inside " + p.str() + " of " + who + " is reserved by AWS",
                   "AWS reserves 169.254.0.0/30 to 169.254.5.0/30 and 169.254.169.252/30");
      }
      if (tu.a.empty() || tu.b.empty()) continue;  // the loader reported it
      bool a_ok = !unknown_node(tu.a, tu.pos.of("endpoints.0"), who);
      bool b_ok = !unknown_node(tu.b, tu.pos.of("endpoints.1"), who);
      if (tu.a == tu.b) {
        d_.error(tu.pos.of("endpoints.1"), who + " joins node " + quote(tu.a) + " to itself");
        continue;
      }
      for (int end = 0; end < 2; ++end) {
        if (!(end == 0 ? a_ok : b_ok)) continue;
        const Node& n = *t_.node(end == 0 ? tu.a : tu.b);
        SourceRegion at = tu.pos.of(end == 0 ? "endpoints.0" : "endpoints.1");
        if (!is_router(n.role))
          d_.error(at, who + " ends at node " + quote(n.name) + ", which is " +
                           (n.role == Role::Host ? "a host" : "the internet") +
                           "; tunnels end at routers");
        else if (!has_internet_link(n.name))
          d_.error(
              at,
              who + " ends at node " + quote(n.name) + ", which has no kind = \"internet\" link",
              "the tunnel's outer address is that node's address on its internet link");
      }
    }
  }

  // ---- hosts --------------------------------------------------------------
  void hosts() {
    for (const Node& n : t_.nodes) {
      if (n.role != Role::Host) continue;
      std::vector<size_t> mine;
      for (size_t i = 0; i < t_.links.size(); ++i)
        if (t_.links[i].a.node == n.name || t_.links[i].b.node == n.name) mine.push_back(i);
      std::string who = "host " + quote(n.name);
      if (mine.empty()) {
        d_.error(n.pos.of(""), who + " has no link", "a host has exactly one link, to a router");
        continue;
      }
      for (size_t k = 0; k < mine.size(); ++k) {
        const Link& l = t_.links[mine[k]];
        bool a_side = l.a.node == n.name;
        SourceRegion at = l.pos.of(a_side ? "endpoints.0" : "endpoints.1");
        if (k > 0) {
          d_.error(at, who + " has a second link, " + quote(l.name),
                   "a host has exactly one link, to a router");
          continue;
        }
        const Node* peer = t_.node(a_side ? l.b.node : l.a.node);
        if (peer && !is_router(peer->role) && peer->role != Role::Internet)
          d_.error(l.pos.of(a_side ? "endpoints.1" : "endpoints.0"),
                   who + " is linked to " + quote(peer->name) + ", which is not a router",
                   "a host's one link goes to a router");
      }
    }
  }

  // ---- anycast services ------------------------------------------------------
  // A service address is a unicast address that no link, tunnel or router's
  // own /32 already uses, held by hosts only. Several hosts may hold one:
  // they are the instances of one anycast service.
  void anycast() {
    static const std::vector<std::pair<Ipv4Prefix, const char*>> special = {
        {*Ipv4Prefix::parse("0.0.0.0/8"), "\"this network\" (0.0.0.0/8)"},
        {*Ipv4Prefix::parse("127.0.0.0/8"), "loopback (127.0.0.0/8)"},
        {*Ipv4Prefix::parse("169.254.0.0/16"), "link-local (169.254.0.0/16)"},
        {*Ipv4Prefix::parse("224.0.0.0/3"), "multicast or reserved (224.0.0.0/3)"},
    };
    std::map<Ipv4, std::vector<const Node*>> by_address;
    for (const Node& n : t_.nodes) {
      if (!n.anycast) continue;
      std::string who = "node " + quote(n.name);
      SourceRegion at = n.pos.of("anycast");
      const Ipv4 a = *n.anycast;
      if (n.role != Role::Host) {
        d_.error(at,
                 who + " is a " + std::string(to_string(n.role)) +
                     "; only a host holds an anycast service address",
                 "put it on a host: the host's router announces it");
        continue;
      }
      by_address[a].push_back(&n);
      bool bad = false;
      for (auto& [range, what] : special)
        if (range.contains(a)) {
          d_.error(at, "anycast address " + a.str() + " of " + who + " is " + what,
                   "a service address is an ordinary unicast address");
          bad = true;
        }
      if (bad) continue;
      for (const Link& l : t_.links)
        if (l.subnet && l.subnet->contains(a))
          d_.error(at,
                   "anycast address " + a.str() + " of " + who + " lies in subnet " + l.subnet->str() +
                       " of link " + quote(l.name) + line_note(l.pos.of("subnet")),
                   "a service address is used by no link");
      for (const Tunnel& tu : t_.tunnels)
        if (tu.inside && tu.inside->contains(a))
          d_.error(at, "anycast address " + a.str() + " of " + who + " lies in inside " +
                           tu.inside->str() + " of tunnel " + quote(tu.name));
      for (const Node& r : t_.nodes)
        for (const Ipv4Prefix& p : r.announce)
          if (p.len == 32 && p.addr == a)
            d_.error(at, "anycast address " + a.str() + " of " + who + " is also announced by node " +
                             quote(r.name),
                     "the router of each host holding it announces it; remove it from announce");
    }
    // A Local Zone's service should have an instance where the zone fails over to.
    for (auto& [zname, z] : t_.zones) {
      if (z.type != ZoneType::Local || !z.failover) continue;
      for (auto& [addr, hosts] : by_address) {
        bool here = false, there = false;
        for (const Node* h : hosts) {
          here |= h->domains.az == zname;
          there |= h->domains.az == *z.failover;
        }
        if (here && !there)
          d_.warning(z.pos.of("failover"),
                     "anycast service " + addr.str() + " has an instance in Local Zone " + quote(zname) +
                         " but none in its failover zone " + quote(*z.failover),
                     "give a host in " + quote(*z.failover) + " anycast = \"" + addr.str() +
                         "\": it stands by while the Local Zone is up");
      }
    }
  }

  // ---- kernel interface names ----------------------------------------------
  void interface_names() {
    InterfaceNames names = assign_interface_names(t_);
    // Clashes that only repeat an error reported elsewhere (a missing or
    // broken endpoint, a self-link, a duplicate name) are left out, and each
    // tunnel's is reported once, not once per end.
    std::set<std::pair<bool, size_t>> reported;
    for (const auto& c : names.clashes) {
      bool invalid = !valid_ifname(c.ifname);
      if (c.node.empty() || !reported.insert({c.tunnel, c.index}).second) continue;
      if (c.tunnel) {
        const Tunnel& tu = t_.tunnels.at(c.index);
        if (tu.name.empty() || tu.a.empty() || tu.b.empty() || tu.a == tu.b || t_.link(tu.name) ||
            std::count_if(t_.tunnels.begin(), t_.tunnels.end(),
                          [&](const Tunnel& x) { return x.name == tu.name; }) > 1)
          continue;
        if (invalid)
          d_.error(tu.pos.of("name"),
                   "tunnel name " + quote(tu.name) + " is not a valid interface name",
                   "a tunnel's interface is named after it: [A-Za-z0-9_.-], at most 15 characters");
        else
          d_.error(tu.pos.of("name"),
                   "interface name " + quote(c.ifname) + " is used twice on node " + quote(c.node) +
                       " (" + c.what + ")",
                   tu.name.size() > kMaxIfname ? "tunnel names are cut to 15 characters"
                                               : "rename one of them");
        continue;
      }
      const Link& l = t_.links.at(c.index);
      if (invalid || l.a.node == l.b.node || l.a.node.empty() || l.b.node.empty()) continue;
      if (std::count(link_names_.begin(), link_names_.end(), l.name) > 1 || t_.tunnel(l.name))
        continue;
      bool a_side = l.a.node == c.node && !(l.b.node == c.node && l.b.ifname == c.ifname);
      std::string key = (a_side ? l.a : l.b).ifname ? (a_side ? "endpoints.0" : "endpoints.1")
                        : l.pos.at.count("name")    ? "name"
                                                    : "endpoints";
      d_.error(l.pos.of(key),
               "interface name " + quote(c.ifname) + " is used twice on node " + quote(c.node) +
                   " (" + c.what + ")",
               "rename one of them, or name the interface with \"node:ifname\"");
    }
  }

  // ---- probes and scenarios -------------------------------------------------
  // Returns true when the probe is usable for reachability analysis.
  bool probe(const Probe& p, const std::string& who) {
    bool ok = true;
    std::vector<const Node*> instances;
    if (Ipv4::parse(p.to)) {
      // An anycast service: whichever of its hosts routing picks.
      instances = t_.anycast_instances(p.to);
      if (instances.empty()) {
        std::vector<std::string> known;
        for (const Node& n : t_.nodes)
          if (n.anycast && n.role == Role::Host) known.push_back(n.anycast->str());
        std::string hint = did_you_mean(p.to, known);
        d_.error(p.pos.of("to"),
                 who + " goes to " + quote(p.to) + ", which no host holds as its anycast address",
                 hint.empty() ? "give the service's hosts anycast = " + quote(p.to) : hint);
        ok = false;
      }
    }
    for (int end = 0; end < 2; ++end) {
      const std::string& name = end == 0 ? p.from : p.to;
      const char* key = end == 0 ? "from" : "to";
      if (name.empty()) {
        ok = false;
        continue;
      }
      if (end == 1 && Ipv4::parse(name)) continue;  // the anycast service, checked above
      if (unknown_node(name, p.pos.of(key), who)) {
        ok = false;
        continue;
      }
      const Node& n = *t_.node(name);
      if (n.role != Role::Host) {
        d_.error(p.pos.of(key),
                 who + (end == 0 ? " starts at " : " ends at ") + "node " + quote(name) +
                     ", which is not a host",
                 "probes run between role = \"host\" nodes");
        ok = false;
      }
    }
    if (ok && p.from == p.to) {
      d_.error(p.pos.of("to"), who + " goes from " + quote(p.from) + " to itself");
      ok = false;
    }
    if (ok && std::any_of(instances.begin(), instances.end(), [&](const Node* n) { return n->name == p.from; })) {
      d_.error(p.pos.of("from"),
               who + " starts at " + quote(p.from) + ", which itself holds the anycast address " + p.to,
               "its probes would never leave it; start from a host that is not an instance");
      ok = false;
    }
    return ok;
  }

  // [[traffic]]: between two hosts, named once; and a scenario that judges
  // traffic needs some.
  void traffic() {
    std::map<std::string, const Traffic*> seen;
    for (const Traffic& tr : t_.traffic) {
      const std::string who = "traffic " + quote(tr.name);
      if (!tr.name.empty()) {
        auto [it, fresh] = seen.emplace(tr.name, &tr);
        if (!fresh)
          d_.error(tr.pos.of(tr.pos.at.count("name") ? "name" : ""),
                   "traffic name " + quote(tr.name) + " is used twice" + line_note(it->second->pos.of("")),
                   "name them: name = \"...\"");
      }
      bool ends_ok = true;
      for (int end = 0; end < 2; ++end) {
        const std::string& name = end == 0 ? tr.from : tr.to;
        const char* key = end == 0 ? "from" : "to";
        if (name.empty() || unknown_node(name, tr.pos.of(key), who)) {
          ends_ok = false;
          continue;
        }
        if (t_.node(name)->role != Role::Host) {
          d_.error(tr.pos.of(key),
                   who + (end == 0 ? " starts at " : " ends at ") + "node " + quote(name) + ", which is not a host",
                   "traffic runs between role = \"host\" nodes");
          ends_ok = false;
        }
      }
      if (ends_ok && tr.from == tr.to) d_.error(tr.pos.of("to"), who + " goes from " + quote(tr.from) + " to itself");
      // The scale divides traffic rates as it divides bandwidths.
      const double scale = t_.lab.scale;
      if (tr.rate_mbit && *tr.rate_mbit / scale < kMinRateMbit)
        d_.error(tr.pos.of("rate_mbit"),
                 who + ": rate_mbit " + format_number(*tr.rate_mbit) + " divided by [lab] scale " +
                     format_number(scale) + " is below " + format_number(kMinRateMbit) + " Mbit/s",
                 "raise the rate or lower the scale");
      if (tr.pps && *tr.pps / scale < kMinPps)
        d_.error(tr.pos.of("pps"),
                 who + ": pps " + format_number(*tr.pps) + " divided by [lab] scale " + format_number(scale) +
                     " is below 1 packet per second",
                 "raise the packet rate or lower the scale");
    }
    std::vector<std::string> names;
    for (const Traffic& tr : t_.traffic) names.push_back(tr.name);
    for (const Scenario& s : t_.scenarios) {
      if (s.traffic)
        for (size_t i = 0; i < s.traffic->size(); ++i)
          if (std::find(names.begin(), names.end(), (*s.traffic)[i]) == names.end())
            d_.error(s.pos.of("traffic." + std::to_string(i)),
                     "scenario " + quote(s.name) + " runs traffic " + quote((*s.traffic)[i]) +
                         ", which is not defined",
                     names.empty() ? "define it with [[traffic]]" : did_you_mean((*s.traffic)[i], names));
      if (!t_.traffic_for(s).empty()) continue;
      const Expect& e = s.expect;
      for (auto [key, given] : {std::pair{"min_delivered_pct", e.min_delivered_pct.has_value()},
                                {"max_delivered_pct", e.max_delivered_pct.has_value()},
                                {"max_loss_pct", e.max_loss_pct.has_value()},
                                {"mtu_ok", e.mtu_ok.has_value()}})
        if (given)
          d_.error(s.pos.of(std::string("expect.") + key),
                   "expect." + std::string(key) + " of scenario " + quote(s.name) +
                       " judges the traffic, but the scenario runs none",
                   "add a [[traffic]] entry (from, to, rate_mbit) and run it, or remove the target");
    }
  }

  void scenarios() {
    std::map<std::string, const Scenario*> seen;
    bool lab_probe_ok = true;
    if (t_.lab.probe) {
      Diagnostics scratch;  // already reported by run(); only the verdict is wanted here
      Validator quiet(t_, scratch);
      lab_probe_ok = quiet.probe(*t_.lab.probe, "");
    }
    for (const Scenario& s : t_.scenarios) {
      std::string who = "scenario " + quote(s.name);
      if (!s.name.empty()) {
        auto [it, fresh] = seen.emplace(s.name, &s);
        if (!fresh)
          d_.error(s.pos.of("name"), "scenario name " + quote(s.name) + " is used twice" +
                                         line_note(it->second->pos.of("")));
      }
      bool probe_ok = false;
      if (s.probe)
        probe_ok = probe(*s.probe, "the probe of " + who);
      else if (t_.lab.probe)
        probe_ok = lab_probe_ok;
      else if (!t_.lab.pos.at.empty())  // without a [lab] that was reported already
        d_.error(s.pos.of(""), who + " has no probe",
                 "give it probe = { from = \"HOST\", to = \"HOST\" }, or set [lab].probe");
      if (!s.expect.serving.empty()) serving(s, who);
      bool fault_ok = fault(s, who);
      bool path_ok = true;
      for (const auto& [key, list] : path_targets(s.expect))
        for (size_t i = 0; i < list->size(); ++i)
          for (const std::string& name : path_alternatives((*list)[i])) {
            if (t_.link(name) || t_.tunnel(name)) continue;
            std::vector<std::string> both = link_names_;
            both.insert(both.end(), tunnel_names_.begin(), tunnel_names_.end());
            d_.error(s.pos.of("expect." + key + "." + std::to_string(i)),
                     "expect." + key + " of " + who + " names " + quote(name) +
                         ", which is neither a link nor a tunnel",
                     name.empty() ? "each element is a link or tunnel, or alternatives \"a|b\""
                                  : did_you_mean(name, both));
            path_ok = false;
          }
      if (s.cover_paths) cover_paths(s, who);
      if (fault_ok) hold_after_detection(s, who);
      if (probe_ok && fault_ok) pending_.emplace_back(&s, path_ok);
    }
  }

  // cover_paths needs a router with two peerings to another router at
  // least (links or tunnels between two routers): without one there are
  // no equal paths to choose between.
  void cover_paths(const Scenario& s, const std::string& who) {
    std::map<std::string, int> peerings;
    auto add = [&](const std::string& a, const std::string& b) {
      const Node* x = t_.node(a);
      const Node* y = t_.node(b);
      if (!x || !y || !is_router(x->role) || !is_router(y->role)) return;
      ++peerings[a];
      ++peerings[b];
    };
    for (const Link& l : t_.links)
      if (l.kind != LinkKind::Internet) add(l.a.node, l.b.node);
    for (const Tunnel& tu : t_.tunnels) add(tu.a, tu.b);
    for (const auto& [node, n] : peerings)
      if (n >= 2) return;
    d_.warning(s.pos.of("cover_paths"),
               "cover_paths of " + who + " has nothing to cover: no router has two peerings with other routers",
               "equal paths need two sessions at one router at least (two links, two tunnels, two neighbours)");
  }

  // What a fault takes down silently: sessions whose link or tunnel stops
  // carrying packets while their interfaces stay up, detected by BFD or,
  // without BFD, by the BGP hold time. A cut (or one-way loss) of a link is
  // silent to the sessions over it and to the tunnels riding it; a node
  // powered off or a domain lost takes its links' carrier down (seen at
  // once) but is silent to the far end of its tunnels. Crash (sockets
  // closed), down (carrier), maintenance, bgp_down and degrade are seen at
  // once or take nothing down. Each element: name, seconds, what detects it.
  struct Silent {
    std::string name;
    double s = 0;
    std::string what;
  };
  std::vector<Silent> silently_lost(const Fault& f, const Graph& g, const FailureSet& failed) const {
    std::vector<Silent> out;
    if (f.kind == FaultKind::Cut || f.kind == FaultKind::Oneway) {
      const Link* l = t_.link(f.target);
      const Node* a = l ? t_.node(l->a.node) : nullptr;
      const Node* b = l ? t_.node(l->b.node) : nullptr;
      if (a && b && is_router(a->role) && is_router(b->role) && l->bgp.enabled && l->kind != LinkKind::Internet) {
        bool backbone = l->kind == LinkKind::Backbone || (is_aws(a->role) && is_aws(b->role));
        bool bfd = l->pos.at.count("bfd") ? l->bfd.enabled : (l->bfd.enabled || backbone);
        if (bfd) {
          BfdTimers t = l->bfd.timers.value_or(BfdTimers{});
          if (!l->bfd.timers)
            for (const Node* n : {a, b})
              if (n->bfd && n->bfd->interval_ms * n->bfd->multiplier > t.interval_ms * t.multiplier) t = *n->bfd;
          out.push_back({l->name, t.interval_ms * t.multiplier / 1000.0,
                         "BFD on link " + quote(l->name) + ", " + std::to_string(t.interval_ms) + " ms x " +
                             std::to_string(t.multiplier)});
        } else {
          uint32_t hold = l->bgp.timers ? l->bgp.timers->hold_s : l->kind == LinkKind::Dx ? 90 : 9;
          out.push_back({l->name, static_cast<double>(hold), "the BGP hold time of link " + quote(l->name) + ", no BFD"});
        }
      }
    } else if (f.kind != FaultKind::Poweroff && f.kind != FaultKind::Domain) {
      return out;
    }
    for (size_t i = 0; i < t_.tunnels.size(); ++i)
      if (!g.tunnel_up(i, failed))
        out.push_back({t_.tunnels[i].name, static_cast<double>(t_.tunnels[i].bgp.hold_s),
                       "the BGP hold time of tunnel " + quote(t_.tunnels[i].name)});
    return out;
  }

  // A hold must outlast detection: nothing reroutes before it, and the path
  // while the fault holds is measured after it. Only sessions the probe's
  // path can cross before the fault count; where the probe has a path
  // without tunnels (Direct Connect), AWS's route priority keeps it off the
  // VPN, so a tunnel lost silently does not move it. With reachable = false
  // a short hold may be meant (a blip nothing should react to): a warning.
  void hold_after_detection(const Scenario& s, const std::string& who) {
    const Probe* p = t_.probe_for(s);
    if (!p) return;
    Graph g(t_);
    Reachability before = g.reach(p->from, p->to, {});
    if (!before.reachable) return;
    FailureSet failed = g.failure_of(s.fault);
    // Expecting the loss with no path left: detection changes nothing.
    if (!s.expect.reachable && !g.reach(p->from, p->to, failed).reachable) return;
    FailureSet no_tunnels;
    for (const Tunnel& tu : t_.tunnels) no_tunnels.tunnels.insert(tu.name);
    bool off_vpn = g.reach(p->from, p->to, no_tunnels).reachable;
    std::optional<Silent> slowest;
    for (const auto& x : silently_lost(s.fault, g, failed)) {
      if (!before.links.count(x.name) && !before.tunnels.count(x.name)) continue;  // never on the probe's way
      if (off_vpn && before.tunnels.count(x.name)) continue;
      if (x.s >= s.hold_s && (!slowest || x.s > slowest->s)) slowest = x;
    }
    if (!slowest) return;
    std::string msg = who + " holds its fault " + format_number(s.hold_s) + " s, no longer than the " +
                      format_number(slowest->s) + " s it takes to detect it (" + slowest->what + ")";
    std::string hint = "hold_s > " + format_number(slowest->s) +
                       ": traffic moves only after detection, and the path while the fault holds is measured after it";
    SourceRegion at = s.pos.of(s.pos.at.count("hold_s") ? "hold_s" : "fault");
    if (s.expect.reachable)
      d_.error(at, msg + ", so the probe cannot be rerouted before the repair", hint);
    else
      d_.warning(at, msg + ": the fault is repaired before anything reacts to it", hint);
  }

  // expect.serving names instances of the anycast service the probe goes to.
  void serving(const Scenario& s, const std::string& who) {
    const Probe* p = t_.probe_for(s);
    if (!p) return;  // reported: no probe
    auto instances = t_.anycast_instances(p->to);
    if (instances.empty()) {
      d_.error(s.pos.of("expect.serving"),
               "expect.serving of " + who + " names the instances of an anycast service, but its probe goes to " +
                   quote(p->to) + ", which is not an anycast address",
               "probe to = \"<anycast address>\" of the service's hosts");
      return;
    }
    std::vector<std::string> names;
    for (const Node* n : instances) names.push_back(n->name);
    for (size_t i = 0; i < s.expect.serving.size(); ++i) {
      const std::string& name = s.expect.serving[i];
      if (std::find(names.begin(), names.end(), name) != names.end()) continue;
      std::string hint = did_you_mean(name, names);
      std::string all;
      for (const auto& x : names) all += (all.empty() ? "" : ", ") + x;
      d_.error(s.pos.of("expect.serving." + std::to_string(i)),
               "expect.serving of " + who + " names " + quote(name) + ", which does not hold " + p->to,
               hint.empty() ? "the instances of " + p->to + " are: " + all : hint);
    }
  }

  // Checks the fault's target; true when it resolved.
  bool fault(const Scenario& s, const std::string& who) {
    const Fault& f = s.fault;
    std::string kind(to_string(f.kind));
    SourceRegion at = s.pos.of("fault." + kind);
    if (!s.pos.at.count("fault")) return false;  // the loader reported it missing
    if (f.kind == FaultKind::Domain) {
      if (f.domain_value.empty()) return false;
      std::string type(to_string(f.domain_type));
      at = s.pos.of("fault.domain." + type);
      std::vector<std::string> values;
      bool found = false;
      for (const Node& n : t_.nodes)
        if (auto& v = n.domains.get(f.domain_type)) {
          values.push_back(*v);
          found |= *v == f.domain_value;
        }
      for (const Link& l : t_.links)
        if (auto& v = l.domains.get(f.domain_type)) {
          values.push_back(*v);
          found |= *v == f.domain_value;
        }
      if (!found)
        d_.error(at,
                 "no node or link has " + type + " = " + quote(f.domain_value) +
                     ", so the fault of " + who + " takes nothing down",
                 did_you_mean(f.domain_value, values));
      return found;
    }
    if (f.target.empty()) return false;
    if (targets_link(f.kind)) {
      const Link* l = t_.link(f.target);
      if (!l) {
        std::string hint = did_you_mean(f.target, link_names_);
        if (hint.empty() && t_.tunnel(f.target))
          hint = quote(f.target) +
                 " is a tunnel; a tunnel fails with { maintenance = " + quote(f.target) + " }";
        d_.error(at,
                 "the " + kind + " fault of " + who + " names link " + quote(f.target) +
                     ", which is not defined",
                 hint);
        return false;
      }
      if (f.kind == FaultKind::Oneway && f.from && *f.from != l->a.node && *f.from != l->b.node) {
        d_.error(s.pos.of("fault.from"),
                 "node " + quote(*f.from) + " is not an end of link " + quote(l->name),
                 "\"from\" is " + quote(l->a.node) + " or " + quote(l->b.node));
        return false;
      }
      if (f.kind == FaultKind::BgpDown) {
        const Node* a = t_.node(l->a.node);
        const Node* b = t_.node(l->b.node);
        if (!a || !b || !is_router(a->role) || !is_router(b->role) || !l->bgp.enabled) {
          d_.error(at,
                   "link " + quote(l->name) + " carries no BGP session, so the bgp_down fault of " +
                       who + " has nothing to take down",
                   l->bgp.enabled ? "BGP runs on links between two routers"
                                  : "the link has bgp = false");
          return false;
        }
      }
      return true;
    }
    if (f.kind == FaultKind::Maintenance) {
      if (t_.tunnel(f.target)) return true;
      std::string hint = did_you_mean(f.target, tunnel_names_);
      if (hint.empty() && t_.link(f.target))
        hint = quote(f.target) + " is a link; maintenance replaces a tunnel endpoint";
      d_.error(at,
               "the maintenance fault of " + who + " names tunnel " + quote(f.target) +
                   ", which is not defined",
               hint);
      return false;
    }
    // crash, poweroff
    const Node* n = t_.node(f.target);
    if (!n) {
      d_.error(at,
               "the " + kind + " fault of " + who + " names node " + quote(f.target) +
                   ", which is not defined",
               did_you_mean(f.target, node_names_));
      return false;
    }
    if (f.kind == FaultKind::Crash && !is_router(n->role)) {
      d_.error(
          at,
          "node " + quote(n->name) + " runs no routing daemons, so " + who + " cannot crash them",
          "use { poweroff = " + quote(n->name) + " } to take the node down");
      return false;
    }
    return true;
  }

  // Warnings for scenarios whose claim the topology's graph contradicts.
  void design(const Scenario& s, const std::string& who, bool path_ok) {
    const Probe& p = *t_.probe_for(s);
    Graph g(t_);
    Reachability before = g.reach(p.from, p.to, {});
    FailureSet failed = g.failure_of(s.fault);
    Reachability during = g.reach(p.from, p.to, failed);
    SourceRegion at = s.pos.of("fault");
    std::string fault = quote(s.fault.str());
    if (!before.reachable) {
      d_.warning(
          s.pos.of(""),
          who + ": " + quote(p.from) + " cannot reach " + quote(p.to) + " even before the fault",
          "check the links and tunnels between them");
      return;
    }
    if (s.expect.reachable && !during.reachable) {
      d_.warning(at,
                 who + " expects " + quote(p.to) + " to stay reachable, but fault " + fault +
                     " leaves no path from " + quote(p.from),
                 "add a redundant path, or expect reachable = false");
      return;
    }
    if (!s.expect.reachable && during.reachable) {
      std::string via;
      for (auto& l : during.links) via += (via.empty() ? "" : ", ") + l;
      for (auto& tu : during.tunnels) via += (via.empty() ? "" : ", ") + tu;
      d_.warning(s.pos.of("expect.reachable"),
                 who + " expects " + quote(p.to) +
                     " to be unreachable, but a path survives fault " + fault,
                 "it can still go through " + via);
      return;
    }
    if (!s.expect.reachable) return;
    // The traffic on the backup: warned unless the scenario asserts the
    // shortfall itself (max_delivered_pct: the design lesson).
    if (!s.expect.max_delivered_pct)
      for (const auto& c : backup_shortfalls(t_, s))
        d_.warning(s.pos.of("fault"),
                   who + ": while fault " + fault + " holds, the paths from " + quote(c.from) + " to " + quote(c.to) +
                       " carry at most " + format_number(round3(c.capacity_mbit)) + " Mbit/s" +
                       (c.ecmp ? " spread over them by ECMP" : " (" + c.narrowest + ")") + ", but its traffic offers " +
                       format_number(round3(c.demand_mbit)) + " Mbit/s" +
                       (t_.lab.scale != 1 ? " (both after [lab] scale " + format_number(t_.lab.scale) + ")" : ""),
                   c.ecmp ? "the backup cannot carry the load: add capacity, or assert the shortfall with "
                            "expect.max_delivered_pct"
                          : "a VGW sends over one tunnel (a Transit Gateway spreads over several with ECMP): add "
                            "capacity, or assert the shortfall with expect.max_delivered_pct");
    if (!path_ok) return;
    for (const auto& [key, list] : path_targets(s.expect))
      for (size_t i = 0; i < list->size(); ++i) {
        auto alts = path_alternatives((*list)[i]);
        bool any = std::any_of(alts.begin(), alts.end(), [&](const std::string& x) {
          return during.links.count(x) || during.tunnels.count(x);
        });
        if (!any)
          d_.warning(s.pos.of("expect." + key + "." + std::to_string(i)),
                     quote((*list)[i]) + " in expect." + key + " of " + who +
                         " is on no path that survives fault " + fault,
                     "the probe cannot cross it while the fault holds");
      }
  }

  const Topology& t_;
  Diagnostics& d_;
  std::vector<std::string> node_names_, link_names_, tunnel_names_;
  std::vector<std::pair<const Scenario*, bool>> pending_;  // scenarios for design(); path ok
};

}  // namespace

void validate(const Topology& t, Diagnostics& d) {
  Validator(t, d).run();
  d.sort();
}

}  // namespace netlab::topology
