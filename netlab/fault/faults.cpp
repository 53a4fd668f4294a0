#include <algorithm>
#include <set>

#include "netlab/fault/fault.h"
#include "netlab/base/error.h"
#include "netlab/fault/targets.h"

namespace netlab::fault {

using topology::FaultKind;

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

void Fault::log(const std::string& node, const std::string& kind, const std::string& detail,
                int64_t t) {
  actions_.push_back({t, node, kind, detail});
}

void Fault::cut(const End& e, const std::string& tag) {
  int64_t t = now();
  control_.cut(e, tag);
  log(e.node, "cut", e.ifname, t);
}

void Fault::uncut(const End& e, const std::string& tag) {
  int64_t t = now();
  control_.uncut(e, tag);
  log(e.node, "uncut", e.ifname, t);
}

void Fault::link_state(const End& e, bool up) {
  int64_t t = now();
  control_.set_link_state(e, up);
  log(e.node, up ? "link-up" : "link-down", e.ifname, t);
}

void Fault::kill_daemons(const std::string& node) {
  int64_t t = now();
  control_.kill_daemons(node);
  log(node, "daemons-killed", "zebra bgpd bfdd staticd", t);
}

void Fault::start_daemons(const std::string& node) {
  int64_t t = now();
  control_.start_daemons(node);
  log(node, "daemons-started", "zebra bgpd bfdd staticd", t);
}

void Fault::bgp_shutdown(const std::string& node, const std::string& peer, bool shut) {
  int64_t t = now();
  control_.bgp_shutdown(node, peer, shut);
  log(node, shut ? "bgp-shutdown" : "bgp-no-shutdown", peer, t);
}

void Fault::graceful_shutdown(const std::string& node, bool on) {
  int64_t t = now();
  control_.bgp_graceful_shutdown(node, on);
  log(node, on ? "bgp-graceful-shutdown" : "bgp-graceful-shutdown-off", "", t);
}

void Fault::set_med(const std::string& node, const lab::MedSetting& m, const std::string& peer,
                    bool lowered) {
  int64_t t = now();
  control_.bgp_set_med(node, m, peer);
  log(node, lowered ? "med-lowered" : "med-restored", m.str(), t);
}

void Fault::reapply_routes(const std::set<std::string>& nodes) {
  for (const auto& n : nodes) control_.reapply_routes(n);
}

namespace {

using End = Fault::End;

// cut: silent blackhole both ways, carrier up.
class Cut : public Fault {
 public:
  Cut(const topology::Fault& s, lab::Control& c, std::vector<End> ends)
      : Fault(s, c), ends_(std::move(ends)) {}
  void do_inject() override {
    for (const auto& e : ends_) cut(e, "cut");
  }
  void do_repair() override {
    for (const auto& e : ends_) uncut(e, "cut");
  }

 private:
  std::vector<End> ends_;
};

// oneway: what `from` sends over the link is lost (dropped at the far end).
class Oneway : public Fault {
 public:
  Oneway(const topology::Fault& s, lab::Control& c, End far) : Fault(s, c), far_(std::move(far)) {}
  void do_inject() override { cut(far_, "oneway"); }
  void do_repair() override { uncut(far_, "oneway"); }

 private:
  End far_;
};

// down: carrier loss on both ends (port or optic failure).
class Down : public Fault {
 public:
  Down(const topology::Fault& s, lab::Control& c, std::vector<End> ends)
      : Fault(s, c), ends_(std::move(ends)) {}
  void do_inject() override {
    for (const auto& e : ends_) link_state(e, false);
  }
  void do_repair() override {
    std::set<std::string> nodes;
    for (const auto& e : ends_) {
      link_state(e, true);
      nodes.insert(e.node);
    }
    reapply_routes(nodes);
  }

 protected:
  std::vector<End> ends_;
};

// crash: routing daemons killed; interfaces (and the stale FIB) stay.
class Crash : public Fault {
 public:
  using Fault::Fault;
  void do_inject() override { kill_daemons(spec_.target); }
  void do_repair() override {
    if (!control_.daemons_running(spec_.target)) start_daemons(spec_.target);
  }
};

// poweroff of several nodes and downing of several links "at one instant":
// the cheapest actions first (links down: one netlink message each), then the
// daemons, whose killing is slower.
class Outage : public Fault {
 public:
  Outage(const topology::Fault& s, lab::Control& c, std::vector<End> ends, std::vector<std::string> routers)
      : Fault(s, c), ends_(std::move(ends)), routers_(std::move(routers)) {}

  void do_inject() override {
    for (const auto& e : ends_) link_state(e, false);
    for (const auto& n : routers_) kill_daemons(n);
  }
  void do_repair() override {
    std::set<std::string> touched;
    for (const auto& e : ends_) {
      link_state(e, true);
      touched.insert(e.node);
    }
    reapply_routes(touched);
    for (const auto& n : routers_)
      if (!control_.daemons_running(n)) start_daemons(n);
  }

 private:
  std::vector<End> ends_;             // the nodes' link ends, then the links' ends
  std::vector<std::string> routers_;  // the nodes that run routing daemons
};

std::unique_ptr<Fault> make_outage(const topology::Fault& f, const Targets& t, lab::Control& c,
                                   const std::vector<std::string>& nodes,
                                   const std::vector<std::string>& links) {
  std::vector<End> ends;
  std::vector<std::string> routers;
  for (const auto& n : nodes)
    for (auto& e : t.node_ends(n)) ends.push_back(std::move(e));
  for (const auto& l : links)
    for (auto& e : t.ends_of(l)) ends.push_back(std::move(e));
  for (const auto& n : nodes)
    if (t.is_router(n)) routers.push_back(n);
  return std::make_unique<Outage>(f, c, std::move(ends), std::move(routers));
}

// degrade: a gray failure; the fault's loss and delay on top of whatever
// impairment the link has from the topology, both directions, through the
// lab's impairment backend (netem, or nftables loss and the NFQUEUE delayer).
class Degrade : public Fault {
 public:
  Degrade(const topology::Fault& s, lab::Control& c, std::vector<End> ends, impair::Impairment base)
      : Fault(s, c), ends_(std::move(ends)), base_(base) {}
  void do_inject() override {
    impair::Impairment extra{spec_.delay_ms.value_or(0), 0, spec_.loss_pct.value_or(0), 0};
    int64_t t = control_.impair(spec_.target, impair::combine(base_, extra));
    for (const auto& e : ends_) log(e.node, "degrade", e.ifname + " " + extra.str(), t);
  }
  void do_repair() override {
    int64_t t = control_.restore(spec_.target);
    for (const auto& e : ends_) log(e.node, "degrade-repaired", e.ifname, t);
  }

 private:
  std::vector<End> ends_;
  impair::Impairment base_;
};

// flap: down and up, period_ms apart, count times; ends up. Its repair is
// down's (idempotent here: the links are up already).
class Flap : public Down {
 public:
  using Down::Down;
  void do_inject() override {
    int64_t half = int64_t{spec_.period_ms} * 1'000'000 / 2;
    int64_t t0 = now();
    for (uint32_t i = 0; i < spec_.count; ++i) {
      for (const auto& e : ends_) link_state(e, false);
      wait_until(t0 + (2 * i + 1) * half);
      for (const auto& e : ends_) link_state(e, true);
      if (i + 1 < spec_.count) wait_until(t0 + (2 * i + 2) * half);
    }
    std::set<std::string> nodes;
    for (const auto& e : ends_) nodes.insert(e.node);
    reapply_routes(nodes);
  }
};

// bgp_down: AWS's DX failover test; the peering is shut down for the hold.
class BgpDown : public Fault {
 public:
  BgpDown(const topology::Fault& s, lab::Control& c, Peering pe) : Fault(s, c), pe_(std::move(pe)) {}
  void do_inject() override { bgp_shutdown(pe_.node, pe_.peer_addr, true); }
  void do_repair() override { bgp_shutdown(pe_.node, pe_.peer_addr, false); }

 private:
  Peering pe_;
};

// maintenance: AWS tunnel endpoint replacement. The MED on the customer's
// other tunnels is lowered first, so its traffic to AWS moves there; then
// this tunnel's peering closes and the tunnel goes down; on repair it comes
// back and the MEDs are restored.
class Maintenance : public Fault {
 public:
  static constexpr int64_t kMedSettleNs = 2'000'000'000;
  static constexpr int64_t kDrainNs = 1'000'000'000;

  // Another tunnel of the customer: where its traffic goes meanwhile.
  struct Other {
    Peering pe;
    lab::MedSetting lowered, normal;
  };
  Maintenance(const topology::Fault& s, lab::Control& c, Peering pe, std::vector<End> ends,
              std::vector<Other> others)
      : Fault(s, c), pe_(std::move(pe)), ends_(std::move(ends)), others_(std::move(others)) {}

  void do_inject() override {
    for (const auto& o : others_) set_med(o.pe.node, o.lowered, o.pe.peer_addr, true);
    if (!others_.empty()) wait_until(now() + kMedSettleNs);
    // Drained before it goes down, as a maintenance is (unlike a failure):
    // graceful shutdown (RFC 8326) re-announces the endpoint's routes at local
    // preference 0 while it still forwards, so the VGW moves to the other
    // tunnel first; only then are the peering and the tunnel taken down.
    // Shutting the peering first would withdraw the endpoint's routes before
    // the VGW has moved (a ~50 ms blackhole measured here).
    graceful_shutdown(pe_.node, true);
    wait_until(now() + kDrainNs);
    bgp_shutdown(pe_.node, pe_.peer_addr, true);
    for (const auto& e : ends_) cut(e, "maint");
  }
  void do_repair() override {
    for (const auto& e : ends_) uncut(e, "maint");
    bgp_shutdown(pe_.node, pe_.peer_addr, false);
    graceful_shutdown(pe_.node, false);
    for (const auto& o : others_) set_med(o.pe.node, o.normal, o.pe.peer_addr, false);
  }

 private:
  Peering pe_;
  std::vector<End> ends_;
  std::vector<Other> others_;
};

End far_end(const topology::Fault& f, const Targets& t) {
  for (auto& e : t.ends_of(f.target))
    if (e.node != f.from) return e;
  throw InputError("oneway: " + f.from.value_or("?") + " is not an end of " + f.target);
}

std::unique_ptr<Fault> make_maintenance(const topology::Fault& f, const Targets& t, lab::Control& c) {
  if (!t.is_tunnel(f.target))
    throw InputError("maintenance names \"" + f.target + "\", which is not a tunnel");
  std::vector<Maintenance::Other> others;
  for (const auto& o : t.tunnels_beside(f.target))
    others.push_back({t.aws_side(o), c.tunnel_med(o, true), c.tunnel_med(o, false)});
  return std::make_unique<Maintenance>(f, c, t.aws_side(f.target), t.ends_of(f.target), std::move(others));
}

}  // namespace

std::unique_ptr<Fault> make_fault(const topology::Fault& f, const plan::Plan& p, lab::Control& c) {
  const Targets t(p);
  switch (f.kind) {
    case FaultKind::Cut: return std::make_unique<Cut>(f, c, t.ends_of(f.target));
    case FaultKind::Oneway: return std::make_unique<Oneway>(f, c, far_end(f, t));
    case FaultKind::Down: return std::make_unique<Down>(f, c, t.ends_of(f.target));
    case FaultKind::Crash: return std::make_unique<Crash>(f, c);
    case FaultKind::Poweroff: return make_outage(f, t, c, {f.target}, {});
    case FaultKind::Domain: {
      auto d = t.domain(f.domain_type, f.domain_value);
      if (d.nodes.empty() && d.links.empty())
        throw InputError("no node or link is tagged " + std::string(topology::to_string(f.domain_type)) +
                         " = \"" + f.domain_value + "\"");
      return make_outage(f, t, c, d.nodes, d.links);
    }
    case FaultKind::Degrade:
      return std::make_unique<Degrade>(f, c, t.ends_of(f.target), t.impairment_of(f.target));
    case FaultKind::Flap: return std::make_unique<Flap>(f, c, t.ends_of(f.target));
    case FaultKind::Maintenance: return make_maintenance(f, t, c);
    case FaultKind::BgpDown: return std::make_unique<BgpDown>(f, c, t.aws_side(f.target));
  }
  throw InputError("unknown fault");
}

}  // namespace netlab::fault
