#include <algorithm>
#include <cmath>
#include <set>

#include "netlab/fault/fault.h"
#include "netlab/plan/frr_config.h"

namespace netlab::fault {

using topology::FaultKind;

namespace {

// nft table names: [A-Za-z0-9_] only.
std::string table_tag(const std::string& s) {
  std::string o;
  for (char c : s) o += (std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return o;
}

}  // namespace

int64_t Fault::inject() {
  int64_t t = now();
  injected_ = true;  // before: a half-done injection must still be repaired
  do_inject();
  return t;
}

int64_t Fault::repair() {
  int64_t t = now();
  do_repair();
  injected_ = false;
  return t;
}

void Fault::wait_until(int64_t t) {
  auto& h = lab_.host();
  while (now() < t) {
    if (h.stopping()) throw lab::Interrupted();
    h.clock.sleep_ns(std::min<int64_t>(t - now(), 50'000'000));
  }
}

void Fault::log(const std::string& node, const std::string& kind, const std::string& detail,
                int64_t t) {
  actions_.push_back({t, node, kind, detail});
}

std::vector<Fault::End> Fault::ends_of(const std::string& name) const {
  const plan::Plan& p = lab_.plan();
  if (const auto* l = p.link(name))
    return {{l->a.node, l->a.ns, l->a.ifname}, {l->b.node, l->b.ns, l->b.ifname}};
  if (const auto* t = p.tunnel(name))
    return {{t->a.node, t->a.ns, t->a.ifname}, {t->b.node, t->b.ns, t->b.ifname}};
  throw InputError("no link or tunnel named \"" + name + "\"");
}

// A cut is a netdev ingress base chain whose policy is drop; the repair
// turns the policy to accept rather than deleting the table: unregistering
// any netfilter hook makes the kernel drop every packet NFQUEUE holds in
// that namespace (a delay impairment's), which would be loss the repair
// itself caused. The emptied table stays until the namespace goes.
static std::string cut_commands(const std::string& table, const std::string& ifname, bool drop) {
  return "add table netdev " + table + "\nadd chain netdev " + table +
         " c { type filter hook ingress device \"" + ifname + "\" priority -500; policy " +
         (drop ? "drop" : "accept") + "; }\n";
}

void Fault::cut(const End& e, const std::string& tag) {
  std::string cmd = cut_commands("nl_" + tag + "_" + table_tag(e.ifname), e.ifname, true);
  int64_t t = now();
  lab_.host().nft.run(e.ns, cmd);
  log(e.node, "cut", e.ifname, t);
}

void Fault::uncut(const End& e, const std::string& tag) {
  // Also right after a half-done injection: the chain is created accepting.
  std::string cmd = cut_commands("nl_" + tag + "_" + table_tag(e.ifname), e.ifname, false);
  int64_t t = now();
  lab_.host().nft.run(e.ns, cmd);
  log(e.node, "uncut", e.ifname, t);
}

void Fault::link_state(const End& e, bool up) {
  int64_t t = now();
  lab_.host().netlink.link_set_up(e.ns, e.ifname, up);
  log(e.node, up ? "link-up" : "link-down", e.ifname, t);
}

void Fault::kill_daemons(const std::string& node) {
  int64_t t = now();
  lab_.kill_daemons(node);
  log(node, "daemons-killed", "zebra bgpd bfdd staticd", t);
}

void Fault::start_daemons(const std::string& node) {
  int64_t t = now();
  lab_.start_daemons(node);
  log(node, "daemons-started", "zebra bgpd bfdd staticd", t);
}

void Fault::bgp_shutdown(const std::string& node, const std::string& peer, bool shut) {
  const plan::PlanNode* n = lab_.plan().node(node);
  std::string asn = std::to_string(n->asn.value_or(0));
  int64_t t = now();
  lab_.host().frr.vtysh(*n, {"configure terminal", "router bgp " + asn,
                             std::string(shut ? "" : "no ") + "neighbor " + peer + " shutdown",
                             "end"});
  log(node, shut ? "bgp-shutdown" : "bgp-no-shutdown", peer, t);
}

void Fault::graceful_shutdown(const std::string& node, bool on) {
  const plan::PlanNode* n = lab_.plan().node(node);
  std::string asn = std::to_string(n->asn.value_or(0));
  int64_t t = now();
  lab_.host().frr.vtysh(*n, {"configure terminal", "router bgp " + asn,
                             std::string(on ? "" : "no ") + "bgp graceful-shutdown", "end"});
  log(node, on ? "bgp-graceful-shutdown" : "bgp-graceful-shutdown-off", "", t);
}

void Fault::set_med(const std::string& node, const std::string& rm, uint32_t med,
                    const std::string& peer) {
  const plan::PlanNode* n = lab_.plan().node(node);
  int64_t t = now();
  lab_.host().frr.vtysh(*n, {"configure terminal", "route-map TO-" + rm + " permit 10",
                             "set metric " + std::to_string(med), "end",
                             "clear bgp ipv4 unicast " + peer + " soft out"});
  log(node, med == plan::kVpnDefaultMed ? "med-restored" : "med-lowered",
      "TO-" + rm + " metric " + std::to_string(med), t);
}

namespace {

// cut: silent blackhole both ways, carrier up.
class Cut : public Fault {
 public:
  using Fault::Fault;
  void do_inject() override {
    for (const auto& e : ends_of(spec_.target)) cut(e, "cut");
  }
  void do_repair() override {
    for (const auto& e : ends_of(spec_.target)) uncut(e, "cut");
  }
};

// oneway: what `from` sends over the link is lost (dropped at the far end).
class Oneway : public Fault {
 public:
  using Fault::Fault;
  End far() const {
    for (const auto& e : ends_of(spec_.target))
      if (e.node != spec_.from) return e;
    throw InputError("oneway: " + spec_.from.value_or("?") + " is not an end of " + spec_.target);
  }
  void do_inject() override { cut(far(), "oneway"); }
  void do_repair() override { uncut(far(), "oneway"); }
};

// Re-applies what a link going administratively down removes: the routes
// netlab manages on each end (hosts' default route, the underlay).
void reapply(lab::Lab& lab, const std::set<std::string>& nodes) {
  for (const auto& n : nodes) lab.reapply_routes(n);
}

// down: carrier loss on both ends (port or optic failure).
class Down : public Fault {
 public:
  using Fault::Fault;
  void do_inject() override {
    for (const auto& e : ends_of(spec_.target)) link_state(e, false);
  }
  void do_repair() override {
    std::set<std::string> nodes;
    for (const auto& e : ends_of(spec_.target)) {
      link_state(e, true);
      nodes.insert(e.node);
    }
    reapply(lab_, nodes);
  }
};

// crash: routing daemons killed; interfaces (and the stale FIB) stay.
class Crash : public Fault {
 public:
  using Fault::Fault;
  void do_inject() override { kill_daemons(spec_.target); }
  void do_repair() override {
    if (!lab_.daemons_running(spec_.target)) start_daemons(spec_.target);
  }
};

// The ends of every link (not tunnel) of a node, at that node.
std::vector<Fault::End> node_ends(const plan::Plan& p, const std::string& node) {
  std::vector<Fault::End> out;
  for (const auto& l : p.links) {
    if (l.a.node == node) out.push_back({l.a.node, l.a.ns, l.a.ifname});
    if (l.b.node == node) out.push_back({l.b.node, l.b.ns, l.b.ifname});
  }
  return out;
}

// poweroff of several nodes and downing of several links "at one instant":
// the cheapest actions first (links down: one netlink message each), then the
// daemons, whose killing is slower.
class Outage : public Fault {
 public:
  Outage(const topology::Fault& s, lab::Lab& l, std::vector<std::string> nodes,
         std::vector<std::string> links)
      : Fault(s, l), nodes_(std::move(nodes)), links_(std::move(links)) {}

  void do_inject() override {
    const plan::Plan& p = lab_.plan();
    for (const auto& n : nodes_)
      for (const auto& e : node_ends(p, n)) link_state(e, false);
    for (const auto& l : links_)
      for (const auto& e : ends_of(l)) link_state(e, false);
    for (const auto& n : nodes_)
      if (p.node(n)->is_router()) kill_daemons(n);
  }
  void do_repair() override {
    const plan::Plan& p = lab_.plan();
    std::set<std::string> touched;
    for (const auto& n : nodes_)
      for (const auto& e : node_ends(p, n)) {
        link_state(e, true);
        touched.insert(e.node);
      }
    for (const auto& l : links_)
      for (const auto& e : ends_of(l)) {
        link_state(e, true);
        touched.insert(e.node);
      }
    reapply(lab_, touched);
    for (const auto& n : nodes_)
      if (p.node(n)->is_router() && !lab_.daemons_running(n)) start_daemons(n);
  }

 private:
  std::vector<std::string> nodes_, links_;
};

// degrade: a gray failure; the fault's loss and delay on top of whatever
// impairment the link has from the topology, both directions, through the
// lab's impairment backend (netem, or nftables loss and the NFQUEUE delayer).
class Degrade : public Fault {
 public:
  using Fault::Fault;
  void do_inject() override {
    impair::Impairment extra{spec_.delay_ms.value_or(0), 0, spec_.loss_pct.value_or(0), 0};
    const auto* l = lab_.plan().link(spec_.target);
    impair::Impairment base = l ? lab::impairment_of(l->impair) : impair::Impairment{};
    int64_t t = lab_.impair_link(spec_.target, impair::combine(base, extra));
    for (const auto& e : ends_of(spec_.target)) log(e.node, "degrade", e.ifname + " " + extra.str(), t);
  }
  void do_repair() override {
    int64_t t = lab_.restore_link(spec_.target);
    for (const auto& e : ends_of(spec_.target)) log(e.node, "degrade-repaired", e.ifname, t);
  }
};

// flap: down and up, period_ms apart, count times; ends up. Its repair is
// down's (idempotent here: the links are up already).
class Flap : public Down {
 public:
  using Down::Down;
  void do_inject() override {
    auto ends = ends_of(spec_.target);
    int64_t half = int64_t{spec_.period_ms} * 1'000'000 / 2;
    int64_t t0 = now();
    for (uint32_t i = 0; i < spec_.count; ++i) {
      for (const auto& e : ends) link_state(e, false);
      wait_until(t0 + (2 * i + 1) * half);
      for (const auto& e : ends) link_state(e, true);
      if (i + 1 < spec_.count) wait_until(t0 + (2 * i + 2) * half);
    }
    std::set<std::string> nodes;
    for (const auto& e : ends) nodes.insert(e.node);
    reapply(lab_, nodes);
  }
};

// The AWS end of a session, and the address of the peer seen from it.
struct Peering {
  std::string node, peer_addr;
};
Peering aws_side(const plan::Plan& p, const std::string& over) {
  for (const auto& s : p.sessions) {
    if (s.over != over) continue;
    bool a_aws = topology::is_aws(p.node(s.a)->role);
    // The AWS end shuts the peering (as AWS's failover test does); between
    // two non-AWS routers, the second end.
    if (a_aws) return {s.a, s.b_addr.str()};
    return {s.b, s.a_addr.str()};
  }
  throw InputError("no BGP session over \"" + over + "\"");
}

// bgp_down: AWS's DX failover test; the peering is shut down for the hold.
class BgpDown : public Fault {
 public:
  using Fault::Fault;
  void do_inject() override {
    auto pe = aws_side(lab_.plan(), spec_.target);
    bgp_shutdown(pe.node, pe.peer_addr, true);
  }
  void do_repair() override {
    auto pe = aws_side(lab_.plan(), spec_.target);
    bgp_shutdown(pe.node, pe.peer_addr, false);
  }
};

// maintenance: AWS tunnel endpoint replacement. The MED on the customer's
// other tunnels is lowered first, so its traffic to AWS moves there; then
// this tunnel's peering closes and the tunnel goes down; on repair it comes
// back and the MEDs are restored.
class Maintenance : public Fault {
 public:
  using Fault::Fault;
  static constexpr int64_t kMedSettleNs = 2'000'000'000;
  static constexpr int64_t kDrainNs = 1'000'000'000;

  void do_inject() override {
    const plan::Plan& p = lab_.plan();
    const auto* t = p.tunnel(spec_.target);
    if (!t) throw InputError("maintenance names \"" + spec_.target + "\", which is not a tunnel");
    for (const auto& o : others(*t)) {
      auto pe = aws_side(p, o);
      set_med(pe.node, plan::route_map_tag(o), plan::kVpnMaintenanceMed, pe.peer_addr);
    }
    if (!others(*t).empty()) wait_until(now() + kMedSettleNs);
    auto pe = aws_side(p, t->name);
    // Drained before it goes down, as a maintenance is (unlike a failure):
    // graceful shutdown (RFC 8326) re-announces the endpoint's routes at local
    // preference 0 while it still forwards, so the VGW moves to the other
    // tunnel first; only then are the peering and the tunnel taken down.
    // Shutting the peering first would withdraw the endpoint's routes before
    // the VGW has moved (a ~50 ms blackhole measured here).
    graceful_shutdown(pe.node, true);
    wait_until(now() + kDrainNs);
    bgp_shutdown(pe.node, pe.peer_addr, true);
    for (const auto& e : ends_of(t->name)) cut(e, "maint");
  }
  void do_repair() override {
    const plan::Plan& p = lab_.plan();
    const auto* t = p.tunnel(spec_.target);
    for (const auto& e : ends_of(t->name)) uncut(e, "maint");
    auto pe = aws_side(p, t->name);
    bgp_shutdown(pe.node, pe.peer_addr, false);
    graceful_shutdown(pe.node, false);
    for (const auto& o : others(*t)) {
      auto po = aws_side(p, o);
      set_med(po.node, plan::route_map_tag(o), plan::kVpnDefaultMed, po.peer_addr);
    }
  }

 private:
  // Tunnels that share this tunnel's customer-side node.
  std::vector<std::string> others(const plan::PlanTunnel& t) const {
    const plan::Plan& p = lab_.plan();
    std::string cust = topology::is_aws(p.node(t.a.node)->role) ? t.b.node : t.a.node;
    std::vector<std::string> out;
    for (const auto& u : p.tunnels)
      if (u.name != t.name && (u.a.node == cust || u.b.node == cust)) out.push_back(u.name);
    return out;
  }
};

}  // namespace

std::unique_ptr<Fault> make_fault(const topology::Fault& f, lab::Lab& lab) {
  const plan::Plan& p = lab.plan();
  switch (f.kind) {
    case FaultKind::Cut: return std::unique_ptr<Fault>(new Cut(f, lab));
    case FaultKind::Oneway: return std::unique_ptr<Fault>(new Oneway(f, lab));
    case FaultKind::Down: return std::unique_ptr<Fault>(new Down(f, lab));
    case FaultKind::Crash: return std::unique_ptr<Fault>(new Crash(f, lab));
    case FaultKind::Poweroff: return std::make_unique<Outage>(f, lab, std::vector<std::string>{f.target}, std::vector<std::string>{});
    case FaultKind::Domain: {
      std::vector<std::string> nodes, links;
      for (const auto& n : p.nodes)
        if (n.domains.in(f.domain_type, f.domain_value)) nodes.push_back(n.name);
      for (const auto& l : p.links) {
        bool end_down = std::find(nodes.begin(), nodes.end(), l.a.node) != nodes.end() ||
                        std::find(nodes.begin(), nodes.end(), l.b.node) != nodes.end();
        if (!end_down && l.domains.in(f.domain_type, f.domain_value)) links.push_back(l.name);
      }
      if (nodes.empty() && links.empty())
        throw InputError("no node or link is tagged " + std::string(topology::to_string(f.domain_type)) +
                         " = \"" + f.domain_value + "\"");
      return std::make_unique<Outage>(f, lab, nodes, links);
    }
    case FaultKind::Degrade: return std::unique_ptr<Fault>(new Degrade(f, lab));
    case FaultKind::Flap: return std::unique_ptr<Fault>(new Flap(f, lab));
    case FaultKind::Maintenance: return std::unique_ptr<Fault>(new Maintenance(f, lab));
    case FaultKind::BgpDown: return std::unique_ptr<Fault>(new BgpDown(f, lab));
  }
  throw InputError("unknown fault");
}

}  // namespace netlab::fault
