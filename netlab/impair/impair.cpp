#include "netlab/impair/impair.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <random>

#include "netlab/base/error.h"
#include "netlab/base/helpers.h"
#include "netlab/impair/delayer.h"
#include "netlab/kernel/nft_rules.h"

namespace netlab::impair {

namespace {

using kernel::HtbClass;
using kernel::HtbQdisc;
using kernel::NetemQdisc;
using kernel::TcObject;

constexpr uint32_t kFrameOverhead = 14;  // Ethernet header: what htb counts beyond the MTU

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

int64_t ms_to_us(double ms) { return std::llround(ms * 1000.0); }
uint64_t ms_to_ns(double ms) { return static_cast<uint64_t>(std::llround(ms * 1e6)); }

// Loss tables are emptied, never deleted (kernel/nft_rules.h says why).
using kernel::nft_rules::loss_table;
std::string empty_loss_chain(const std::string& ifname) {
  return kernel::nft_rules::loss_emptied(ifname);
}
// Idempotent: a second call replaces the rule.
std::string loss_commands(const std::string& ifname, double pct) {
  return kernel::nft_rules::loss(ifname, std::lround(pct * 100));
}

HtbClass htb_class_for(double mbit) {
  HtbClass c;
  c.rate_bytes = kernel::mbit_to_bytes(mbit);
  c.ceil_bytes = c.rate_bytes;
  // A bucket of one millisecond at the rate, at least two full frames: the
  // long-run rate is exact, bursts stay within 1 ms of line rate.
  c.burst_bytes = static_cast<uint32_t>(
      std::clamp<uint64_t>(c.rate_bytes / 1000, 2 * (1500 + kFrameOverhead), 1u << 30));
  c.cburst_bytes = c.burst_bytes;
  // One class: the quantum only has to be sane (the kernel warns outside
  // 1000..200000 and clamps).
  c.quantum =
      static_cast<uint32_t>(std::clamp<uint64_t>(c.rate_bytes / 10, 1500 + kFrameOverhead, 200000));
  return c;
}

}  // namespace

// --- Impairment ---

std::string Impairment::str() const {
  if (empty()) return "none";
  std::string s;
  auto add = [&](const std::string& part) { s += (s.empty() ? "" : " ") + part; };
  if (delay_ms) add("delay " + num(delay_ms) + "ms");
  if (jitter_ms) add("jitter " + num(jitter_ms) + "ms");
  if (loss_pct) add("loss " + num(loss_pct) + "%");
  if (rate_mbit) add("rate " + num(rate_mbit) + "Mbit");
  if (pps) add("pps " + num(pps));
  return s;
}

void validate(const Impairment& i) {
  auto check = [](const char* what, double v, double hi) {
    if (!std::isfinite(v) || v < 0 || v > hi)
      throw InputError(std::string("impairment ") + what + " " + num(v) + ": expected 0.." +
                       num(hi));
  };
  check("delay_ms", i.delay_ms, 60'000);
  check("jitter_ms", i.jitter_ms, 60'000);
  check("loss_pct", i.loss_pct, 100);
  check("rate_mbit", i.rate_mbit, 1e6);
  check("pps", i.pps, 1e8);
  if (i.pps > 0 && i.pps < 1)
    throw InputError("impairment pps " + num(i.pps) + ": below 1 packet/s");
  if (i.rate_mbit > 0 && i.rate_mbit < 0.01)
    throw InputError("impairment rate_mbit " + num(i.rate_mbit) + ": below 0.01 (10 kbit/s)");
}

Impairment combine(const Impairment& a, const Impairment& b) {
  Impairment c;
  c.delay_ms = a.delay_ms + b.delay_ms;
  c.jitter_ms = a.jitter_ms + b.jitter_ms;
  c.loss_pct = 100.0 * (1.0 - (1.0 - a.loss_pct / 100.0) * (1.0 - b.loss_pct / 100.0));
  if (a.rate_mbit > 0 && b.rate_mbit > 0) {
    c.rate_mbit = std::min(a.rate_mbit, b.rate_mbit);
  } else {
    c.rate_mbit = std::max(a.rate_mbit, b.rate_mbit);
  }
  c.pps = a.pps > 0 && b.pps > 0 ? std::min(a.pps, b.pps) : std::max(a.pps, b.pps);
  return c;
}

std::string Direction::str() const {
  return from.node + ":" + from.ifname + " -> " + to.node + ":" + to.ifname;
}

// --- backends ---

namespace {
std::string delay_name(DelayBackend b) {
  switch (b) {
    case DelayBackend::Netem:
      return "tc netem";
    case DelayBackend::Delayer:
      return "netlab-delay (NFQUEUE; no netem)";
    case DelayBackend::None:
      break;
  }
  return "none";
}
std::string loss_name(LossBackend b) {
  switch (b) {
    case LossBackend::Netem:
      return "tc netem";
    case LossBackend::NftIngress:
      return "nftables netdev ingress numgen (no netem)";
    case LossBackend::None:
      break;
  }
  return "none";
}
std::string rate_name(RateBackend b) { return b == RateBackend::Htb ? "tc htb" : "none"; }
std::string pps_name(PpsBackend b) {
  return b == PpsBackend::NftIngress ? "nftables netdev ingress limit" : "none";
}
}  // namespace

std::map<std::string, std::string> Backends::entries() const {
  return {{"delay", delay_name(delay)},
          {"loss", loss_name(loss)},
          {"rate", rate_name(rate)},
          {"pps", pps_name(pps)}};
}

std::string Backends::describe() const {
  return "delay/jitter: " + delay_name(delay) + "; loss: " + loss_name(loss) +
         "; rate: " + rate_name(rate) + "; pps: " + pps_name(pps);
}

Backends select_backends(const kernel::Capabilities& c, bool delayer_installed) {
  Backends b;
  if (c.netem) {
    b.delay = DelayBackend::Netem;
    b.loss = LossBackend::Netem;
  } else {
    // The steering rule is an nf_tables rule running the xtables target.
    if (c.nfqueue && c.nft_netdev && delayer_installed) b.delay = DelayBackend::Delayer;
    if (c.nft_netdev) b.loss = LossBackend::NftIngress;
  }
  if (c.htb) b.rate = RateBackend::Htb;
  if (c.nft_netdev) b.pps = PpsBackend::NftIngress;
  return b;
}

std::string find_delayer() {
  return find_helper("netlab-delay").value_or("");
}

uint64_t direction_seed(uint64_t lab_seed, const Direction& d) {
  return splitmix64(lab_seed ^ fnv1a(d.to.node + "/" + d.to.ifname));
}

// --- the plan ---

std::string DirectionPlan::str() const {
  std::string s = dir.str() + ": " + impairment.str() + "\n";
  for (const auto& t : tc)
    s += "  " + dir.from.ns + " " + dir.from.ifname + ": tc " + t.str() + "\n";
  if (!loss_nft.empty()) {
    std::string rules;
    if (impairment.pps > 0)
      rules += "limit rate over " + std::to_string(std::llround(impairment.pps)) + "/second drop";
    if (!loss_nft.empty() && loss_nft.find("numgen") != std::string::npos)
      rules += std::string(rules.empty() ? "" : "; ") + "numgen random mod 10000 < " +
               std::to_string(std::lround(impairment.loss_pct * 100)) + " drop";
    s += "  " + dir.to.ns + " " + dir.to.ifname + ": nft table netdev " + loss_table + " (" +
         rules + ")\n";
  }
  if (delayer) s += "  " + delayer->str() + "\n";
  if (steer)
    s += "  " + dir.to.ns + ": nft table ip " + kernel::steer_table(steer->ifname) + " " +
         steer->str() + "\n";
  return s;
}

Impairer::Impairer(Seams s, Backends b, ImpairerOptions o)
    : seams_(s), backends_(b), options_(std::move(o)) {}

void Impairer::check(const Impairment& imp, const std::string& what) const {
  validate(imp);
  if (imp.delays() && backends_.delay == DelayBackend::None)
    throw EnvironmentError(what +
                           ": delay/jitter needs tc netem, or the xtables NFQUEUE target with "
                           "netlab-delay; this host has neither (see `netlab doctor`)");
  if (imp.delays() && backends_.delay == DelayBackend::Delayer && options_.delayer_path.empty())
    throw EnvironmentError(what + ": netlab-delay is not installed beside netlab");
  if (imp.loss_pct > 0 && backends_.loss == LossBackend::None)
    throw EnvironmentError(
        what + ": loss needs tc netem or nftables netdev ingress; this host has neither");
  if (imp.rate_mbit > 0 && backends_.rate == RateBackend::None)
    throw EnvironmentError(what + ": rate needs tc htb, which this kernel lacks");
  if (imp.pps > 0 && backends_.pps == PpsBackend::None)
    throw EnvironmentError(what + ": pps needs nftables netdev ingress, which this kernel lacks");
}

DirectionPlan Impairer::plan(const Direction& d, const Impairment& imp, uint64_t seed,
                             const std::string& delayer_log) {
  check(imp, "link " + d.str());
  DirectionPlan p;
  p.dir = d;
  p.impairment = imp;
  p.seed = seed;
  if (imp.empty()) return p;

  const bool wants_loss = imp.loss_pct > 0;
  const bool wants_delay = imp.delays();
  const bool wants_rate = imp.rate_mbit > 0;

  // On the sender: htb for the rate, netem (under it when both) for what
  // netem does on this host.
  const bool netem_delay = wants_delay && backends_.delay == DelayBackend::Netem;
  const bool netem_loss = wants_loss && backends_.loss == LossBackend::Netem;
  const bool netem = netem_delay || netem_loss;
  uint32_t netem_parent = kernel::kTcRoot;
  uint32_t netem_handle = kernel::tc_handle(1, 0);
  if (wants_rate) {
    p.tc.push_back(
        TcObject{TcObject::Type::Qdisc, kernel::tc_handle(1, 0), kernel::kTcRoot, HtbQdisc{1, 10}});
    p.tc.push_back(TcObject{TcObject::Type::Class, kernel::tc_handle(1, 1), kernel::tc_handle(1, 0),
                            htb_class_for(imp.rate_mbit)});
    netem_parent = kernel::tc_handle(1, 1);
    netem_handle = kernel::tc_handle(0x10, 0);  // "10:" as tc writes it
  }
  if (wants_rate && !netem) {
    // The class's own queue: 100 ms at the rate (at least ten frames), the
    // buffer of a sanely provisioned link; the device default would be
    // txqueuelen packets.
    const uint64_t rate = kernel::mbit_to_bytes(imp.rate_mbit);
    const auto limit = static_cast<uint32_t>(
        std::clamp<uint64_t>(rate / 10, 10 * (1500 + kFrameOverhead), 1u << 30));
    p.tc.push_back(TcObject{TcObject::Type::Qdisc, kernel::tc_handle(0x10, 0),
                            kernel::tc_handle(1, 1), kernel::FifoQdisc{limit}});
  }
  if (netem) {
    NetemQdisc n;
    if (netem_delay) {
      n.delay_ns = ms_to_ns(imp.delay_ms);
      n.jitter_ns = ms_to_ns(imp.jitter_ms);
    }
    if (netem_loss) n.loss = kernel::netem_probability(imp.loss_pct);
    n.limit = options_.queue_limit;
    if (wants_rate) {
      // Under htb, netem is the class's queue too: what is in flight over
      // the delay plus the same 100 ms of buffer as the bfifo above.
      const double bytes = static_cast<double>(kernel::mbit_to_bytes(imp.rate_mbit)) *
                           (imp.delay_ms + imp.jitter_ms + 100) / 1000;
      n.limit = static_cast<uint32_t>(
          std::clamp<double>(std::ceil(bytes / (1500 + kFrameOverhead)), 10, options_.queue_limit));
    }
    n.seed = seed;
    p.tc.push_back(TcObject{TcObject::Type::Qdisc, netem_handle, netem_parent, n});
  }

  // On the receiver: the fallbacks.
  const bool nft_loss = wants_loss && backends_.loss == LossBackend::NftIngress;
  const bool nft_pps = imp.pps > 0 && backends_.pps == PpsBackend::NftIngress;
  if (nft_loss || nft_pps) {
    p.loss_nft = nft_pps ? kernel::nft_rules::ingress_limits(
                               d.to.ifname, nft_loss ? std::lround(imp.loss_pct * 100) : 0,
                               static_cast<uint64_t>(std::llround(imp.pps)))
                         : loss_commands(d.to.ifname, imp.loss_pct);
    p.loss_table = loss_table(d.to.ifname);
  }
  if (wants_delay && backends_.delay == DelayBackend::Delayer) {
    // The queue is numbered by the interface's index: unique in its namespace.
    auto link = seams_.netlink.link_get(d.to.ns, d.to.ifname);
    if (!link)
      throw KernelError("impair_plan", d.to.ns + " " + d.to.ifname, ENODEV, "no such interface");
    if (link->index <= 0 || link->index > 0xFFFF)
      throw KernelError("impair_plan", d.to.ns + " " + d.to.ifname, ERANGE,
                        "ifindex " + std::to_string(link->index) + " does not fit a queue number");
    const auto queue = static_cast<uint16_t>(link->index);
    DelayOptions o;
    o.queue = queue;
    o.delay_us = ms_to_us(imp.delay_ms);
    o.jitter_us = ms_to_us(imp.jitter_ms);
    o.seed = seed;
    o.limit = options_.queue_limit;
    o.realtime = options_.delayer_realtime;
    process::ProcessSpec spec;
    spec.ns = d.to.ns;
    spec.argv = {options_.delayer_path};
    for (auto& a : delay_args(o)) spec.argv.push_back(std::move(a));
    spec.log_path = delayer_log;
    p.delayer = std::move(spec);
    p.steer = kernel::QueueSteer{d.to.ifname, queue, false};
  }
  return p;
}

void Impairer::wait_bound(const DirectionPlan& p, const std::optional<process::ProcessId>& pid) {
  const int64_t deadline = seams_.clock.now_ns() + options_.bind_timeout.count() * 1'000'000;
  for (;;) {
    if (seams_.queues.stats(p.dir.to.ns, p.steer->queue)) return;
    if (pid && !seams_.processes.alive(*pid)) {
      auto st = seams_.processes.exit_status(*pid);
      throw Error(
          "netlab-delay for " + p.dir.str() + " " + (st ? st->str() : "exited") +
          " before binding queue " + std::to_string(p.steer->queue) +
          (p.delayer && !p.delayer->log_path.empty() ? "; see " + p.delayer->log_path : ""));
    }
    if (seams_.clock.now_ns() > deadline)
      throw Error("netlab-delay for " + p.dir.str() + " did not bind queue " +
                  std::to_string(p.steer->queue) + " within " +
                  std::to_string(options_.bind_timeout.count()) + " ms");
    seams_.clock.sleep_ns(1'000'000);
  }
}

int64_t Impairer::apply(const DirectionPlan& p, std::optional<process::ProcessId> delayer) {
  if (p.delayer && !delayer)
    throw Error("impairment " + p.dir.str() + ": apply() needs the delayer started from the plan");
  // The delayer first: until it listens, packets steered to its queue would
  // be dropped (no bypass). Then every kernel object back to back, so that
  // all parts of the impairment start within a millisecond of each other.
  if (p.steer) wait_bound(p, delayer);
  const int64_t t = seams_.clock.now_ns();
  bool tc_done = false, loss_done = false, steer_done = false;
  try {
    for (const auto& t : p.tc) {
      tc_done = true;  // a failed replace may still have created the root
      seams_.tc.replace(p.dir.from.ns, p.dir.from.ifname, t);
    }
    if (!p.loss_nft.empty()) {
      loss_done = true;
      seams_.nft.run(p.dir.to.ns, p.loss_nft);
    }
    if (p.steer) {
      steer_done = true;
      seams_.queues.steer(p.dir.to.ns, *p.steer);
    }
  } catch (...) {
    // Roll back what this call did; the original error is the one to report.
    try {
      if (steer_done) seams_.queues.unsteer(p.dir.to.ns, p.steer->ifname);
    } catch (const Error&) {
    }
    try {
      if (loss_done) seams_.nft.run(p.dir.to.ns, empty_loss_chain(p.dir.to.ifname));
    } catch (const Error&) {
    }
    try {
      if (tc_done) seams_.tc.delete_root(p.dir.from.ns, p.dir.from.ifname);
    } catch (const Error&) {
    }
    throw;
  }
  return t;
}

int64_t Impairer::remove(const DirectionPlan& p) {
  const int64_t t = seams_.clock.now_ns();
  std::exception_ptr first;
  auto attempt = [&](auto&& f) {
    try {
      f();
    } catch (const Error&) {
      if (!first) first = std::current_exception();
    }
  };
  // Steering first: the delayer must see no new packets before it stops.
  if (p.steer) attempt([&] { seams_.queues.unsteer(p.dir.to.ns, p.steer->ifname); });
  if (!p.loss_nft.empty())
    attempt([&] { seams_.nft.run(p.dir.to.ns, empty_loss_chain(p.dir.to.ifname)); });
  if (!p.tc.empty()) attempt([&] { seams_.tc.delete_root(p.dir.from.ns, p.dir.from.ifname); });
  if (first) std::rethrow_exception(first);
  return t;
}

// --- ScopedImpairment ---

ScopedImpairment::ScopedImpairment(Impairer& impairer, process::Processes& processes,
                                   const Direction& d, const Impairment& imp, uint64_t seed,
                                   const std::string& delayer_log)
    : impairer_(impairer), processes_(processes), plan_(impairer.plan(d, imp, seed, delayer_log)) {
  if (plan_.delayer) delayer_ = processes_.spawn(*plan_.delayer);
  try {
    impairer_.apply(plan_, delayer_);
  } catch (...) {
    if (delayer_) processes_.stop(*delayer_, std::chrono::seconds(2));
    throw;
  }
}

ScopedImpairment::~ScopedImpairment() {
  try {
    release();
  } catch (...) {
    // A destructor must not throw; the namespaces' deletion takes the rest.
  }
}

std::optional<process::ExitStatus> ScopedImpairment::release() {
  if (released_) return delayer_ ? processes_.exit_status(*delayer_) : std::nullopt;
  released_ = true;
  std::exception_ptr err;
  try {
    impairer_.remove(plan_);
  } catch (...) {
    err = std::current_exception();
  }
  std::optional<process::ExitStatus> st;
  if (delayer_) {
    processes_.stop(*delayer_, std::chrono::seconds(2));
    st = processes_.exit_status(*delayer_);
  }
  if (err) std::rethrow_exception(err);
  return st;
}

}  // namespace netlab::impair
