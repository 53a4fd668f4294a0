// Faults of one link or tunnel: cut, oneway, down, flap, degrade.
#include <set>

#include "netlab/base/error.h"
#include "netlab/fault/kinds.h"

namespace netlab::fault {

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

// degrade: a gray failure; the fault's loss and delay on top of whatever
// impairment the link has from the topology, both directions, through the
// lab's impairment backend (netem, or nftables loss and the NFQUEUE delayer).
class Degrade : public Fault {
 public:
  Degrade(const topology::Fault& s, lab::Control& c, std::vector<End> ends, impair::Impairment base)
      : Fault(s, c), ends_(std::move(ends)), base_(base) {}
  void do_inject() override {
    impair::Impairment extra{spec_.delay_ms.value_or(0), 0, spec_.loss_pct.value_or(0), 0};
    // Applying an impairment may first start its backend (the delayer
    // processes): that is preparation, and the fault instant is when the
    // first direction is impaired.
    const int64_t start = now();
    int64_t t = control_.impair(spec_.target, impair::combine(base_, extra));
    if (t > start) log("", "degrade-prepare", spec_.target, start);
    data_plane_touched(t);
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

}  // namespace

std::unique_ptr<Fault> make_cut(const topology::Fault& f, const Targets& t, lab::Control& c) {
  return std::make_unique<Cut>(f, c, t.ends_of(f.target));
}

std::unique_ptr<Fault> make_oneway(const topology::Fault& f, const Targets& t, lab::Control& c) {
  for (auto& e : t.ends_of(f.target))
    if (e.node != f.from) return std::make_unique<Oneway>(f, c, std::move(e));
  throw InputError("oneway: " + f.from.value_or("?") + " is not an end of " + f.target);
}

std::unique_ptr<Fault> make_down(const topology::Fault& f, const Targets& t, lab::Control& c) {
  return std::make_unique<Down>(f, c, t.ends_of(f.target));
}

std::unique_ptr<Fault> make_flap(const topology::Fault& f, const Targets& t, lab::Control& c) {
  return std::make_unique<Flap>(f, c, t.ends_of(f.target));
}

std::unique_ptr<Fault> make_degrade(const topology::Fault& f, const Targets& t, lab::Control& c) {
  return std::make_unique<Degrade>(f, c, t.ends_of(f.target), t.impairment_of(f.target));
}

}  // namespace netlab::fault
