// Faults of BGP sessions, as AWS runs them: bgp_down, maintenance.
#include "netlab/base/error.h"
#include "netlab/fault/kinds.h"

namespace netlab::fault {

namespace {

using End = Fault::End;

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
    // Preparation, before the fault instant: each step an event of its own.
    for (const auto& o : others_) set_med(o.pe.node, o.lowered, o.pe.peer_addr, true);
    if (!others_.empty()) {
      log("", "med-settle", std::to_string(kMedSettleNs / 1'000'000) + " ms", now());
      wait_until(now() + kMedSettleNs);
    }
    // Drained before it goes down, as a maintenance is (unlike a failure):
    // graceful shutdown (RFC 8326) re-announces the endpoint's routes at local
    // preference 0 while it still forwards, so the VGW moves to the other
    // tunnel first; only then are the peering and the tunnel taken down.
    // Shutting the peering first would withdraw the endpoint's routes before
    // the VGW has moved (a ~50 ms blackhole measured here).
    graceful_shutdown(pe_.node, true);
    log(pe_.node, "drain", std::to_string(kDrainNs / 1'000'000) + " ms", now());
    wait_until(now() + kDrainNs);
    // The fault: the endpoint goes away, its peering and its tunnel.
    data_plane_touched(now());
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

}  // namespace

std::unique_ptr<Fault> make_bgp_down(const topology::Fault& f, const Targets& t, lab::Control& c) {
  return std::make_unique<BgpDown>(f, c, t.aws_side(f.target));
}

std::unique_ptr<Fault> make_maintenance(const topology::Fault& f, const Targets& t, lab::Control& c) {
  if (!t.is_tunnel(f.target))
    throw InputError("maintenance names \"" + f.target + "\", which is not a tunnel");
  std::vector<Maintenance::Other> others;
  for (const auto& o : t.tunnels_beside(f.target))
    others.push_back({t.aws_side(o), c.tunnel_med(o, true), c.tunnel_med(o, false)});
  return std::make_unique<Maintenance>(f, c, t.aws_side(f.target), t.ends_of(f.target), std::move(others));
}

}  // namespace netlab::fault
