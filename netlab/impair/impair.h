// Link impairments: delay, jitter, loss and rate on one direction of a link,
// with the backend this host's kernel allows (docs/design.md, "Kernel features
// and fallbacks"):
//
//   | feature       | kernel has netem        | kernel lacks netem                          |
//   |---------------|-------------------------|---------------------------------------------|
//   | delay, jitter | tc netem (sender egress)| netlab-delay: NFQUEUE at the receiver's     |
//   |               |                         | PREROUTING, packets held and released in    |
//   |               |                         | order (delayer.h)                           |
//   | loss          | tc netem (sender egress)| nftables netdev ingress of the receiver,    |
//   |               |                         | `numgen random mod 10000 < N drop`          |
//   | rate          | tc htb on the sender's egress; under its class netem where present, |
//   |               | else a bfifo of 100 ms at the rate (a link's buffer, not 1000 packets) |
//   | pps           | nftables netdev ingress of the receiver, either way:                 |
//   |               | `limit rate over N/second burst B packets drop` (B = 10 ms of packets,|
//   |               | at least 50); tc police's pkt rate needs a classifier (matchall) that |
//   |               | minimal kernels lack. Measured: docs/kernel-notes.md                  |
//
// A Direction is one way across a link: packets sent by `from` and received
// by `to`. Impairing a link means impairing both of its directions (the
// lab's and the degrade fault's job: two calls). Each backend acts where it
// can: tc only shapes egress, so netem and htb sit on the sender's end; the
// fallbacks sit on the receiver's (on egress, nftables drops of locally sent
// packets come back as ENOBUFS and are retried; a queue at the sender's
// POSTROUTING throttles local TCP). Either way the direction as a whole is
// impaired exactly once.
//
// Two phases, like the tunnel backends, so that the lab keeps the only
// journal of processes:
//   1. plan(): every kernel object and the delayer's ProcessSpec, decided
//      (reads only the receiving interface's index, which numbers its queue);
//   2. the caller spawns plan.delayer (journaled), then apply() waits until
//      the delayer has bound its queue and installs everything back to back:
//      qdiscs, the loss rule, the steering of packets into the queue.
// Removal runs the other way: remove() takes the kernel objects away, the
// steering rule first (packets already held stay held); then the caller
// stops the delayer, which lets the packets it still holds go at once
// (SIGTERM) and exits.
//
// Netfilter objects are emptied, never deleted: the kernel drops every
// packet held by any NFQUEUE of a namespace whenever a hook there is
// unregistered (tc_nfqueue_codec.h). The emptied tables (nl_loss_<if>,
// nl_delay_<if>) stay until the namespace goes. The same holds for anything
// else that deletes a base chain in a namespace where netlab-delay runs
// (a cut's table being removed): it costs the delayed packets in flight.
//
// Fail-closed: the queue is steered WITHOUT bypass. A delayer that dies
// leaves its link dropping everything: loud (BFD, BGP and the probe all show
// it, and its exit is in the lab's process table). With bypass the same
// death would let packets through undelayed and every figure would still look
// plausible while describing a network without the delay: a silently untrue
// measurement. For the same reason a full queue drops (a real buffer does)
// instead of failing open.
//
// Reproducibility: every random choice netlab makes comes from the lab's
// seed (direction_seed()): netlab-delay's jitter, and netem's loss where the
// kernel takes TCA_NETEM_PRNG_SEED (Linux >= 6.6). nftables' `numgen random`
// draws from the kernel's own PRNG and takes no seed: with that backend the
// expected loss is the same in every run, but which packets are lost (and so
// the exact count: binomial, +-0.7 points at 50% over 5000) is not.
//
// Errors: InputError for impossible values, EnvironmentError when the host
// has no backend for a requested feature (exit 3), KernelError from the
// kernel, Error when the delayer does not come up.
// Threads: an Impairer is used by one thread at a time, like its seams.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "netlab/kernel/capabilities.h"
#include "netlab/kernel/clock.h"
#include "netlab/kernel/netlink.h"
#include "netlab/kernel/nft.h"
#include "netlab/kernel/tc.h"
#include "netlab/process/processes.h"

namespace netlab::impair {

// What one direction of a link suffers. 0 = not impaired in that respect.
struct Impairment {
  double delay_ms = 0;
  double jitter_ms = 0;  // uniform within +-jitter around delay
  double loss_pct = 0;   // 0..100
  double rate_mbit = 0;  // 10^6 bit/s
  double pps = 0;        // packets per second (a policer: the excess is dropped)

  bool empty() const {
    return delay_ms == 0 && jitter_ms == 0 && loss_pct == 0 && rate_mbit == 0 && pps == 0;
  }
  bool delays() const { return delay_ms > 0 || jitter_ms > 0; }
  bool operator==(const Impairment&) const = default;
  std::string str() const;  // "delay 10ms jitter 1ms loss 1% rate 100Mbit"; "none"
};

// Throws InputError naming the bad value (negative, loss > 100, not finite).
void validate(const Impairment&);

// A base impairment with a fault's on top (degrade on an impaired link):
// delays and jitters add, losses compound (1 - (1-a)(1-b)), the lower
// non-zero rate wins, and so does the lower non-zero packet rate.
Impairment combine(const Impairment& base, const Impairment& extra);

struct End {
  std::string node, ns, ifname;
  bool operator==(const End&) const = default;
};

struct Direction {
  End from, to;  // sender, receiver
  bool operator==(const Direction&) const = default;
  std::string str() const;  // "a:eth1 -> b:eth1" (node names)
};

enum class DelayBackend : uint8_t { None, Netem, Delayer };
enum class LossBackend : uint8_t { None, Netem, NftIngress };
enum class RateBackend : uint8_t { None, Htb };
enum class PpsBackend : uint8_t { None, NftIngress };

struct Backends {
  DelayBackend delay = DelayBackend::None;
  LossBackend loss = LossBackend::None;
  RateBackend rate = RateBackend::None;
  PpsBackend pps = PpsBackend::None;
  bool operator==(const Backends&) const = default;

  // Per feature, as reports and `netlab doctor` print them:
  // {"delay": "netlab-delay (NFQUEUE; no netem)", "loss": ..., "rate": "tc htb"}.
  std::map<std::string, std::string> entries() const;
  // One line: "delay/jitter: ...; loss: ...; rate: ...".
  std::string describe() const;
};

// The backends for a host: netem where the kernel has it; otherwise the
// NFQUEUE delayer (needs the xtables NFQUEUE target, nf_tables and the
// netlab-delay program) and nftables netdev loss; htb for rate.
Backends select_backends(const kernel::Capabilities&, bool delayer_installed);

// netlab-delay, found as netlab's other helpers are (base/helpers.h), "" when absent.
std::string find_delayer();

// The seed of one direction's randomness: the lab's seed mixed with the
// receiving node and interface names (not the namespace, so that a renamed
// lab draws the same numbers). Stable across runs, platforms and versions.
uint64_t direction_seed(uint64_t lab_seed, const Direction&);

// Everything one direction's impairment creates.
struct DirectionPlan {
  Direction dir;
  Impairment impairment;
  std::vector<kernel::TcObject> tc;             // on dir.from's egress, in creation order
  std::string loss_nft;                         // nft commands run in dir.to.ns ("" = none):
                                                // the loss rule and the pps limit
  std::string loss_table;                       // netdev table they fill (emptied on removal)
  std::optional<kernel::QueueSteer> steer;      // in dir.to.ns
  std::optional<process::ProcessSpec> delayer;  // to spawn in dir.to.ns before apply()
  uint64_t seed = 0;

  bool empty() const { return tc.empty() && loss_nft.empty() && !steer && !delayer; }
  // Unique per node: "delay-<ifname>" (the lab's process name for the delayer).
  std::string process_name() const { return "delay-" + dir.to.ifname; }
  // One line per object, for tests and `netlab plan`.
  std::string str() const;
};

struct Seams {
  kernel::Netlink& netlink;
  kernel::Nft& nft;
  kernel::Tc& tc;
  kernel::PacketQueues& queues;
  process::Processes& processes;
  kernel::Clock& clock;
};

struct ImpairerOptions {
  std::string delayer_path;      // netlab-delay; required for the Delayer backend
  uint32_t queue_limit = 10000;  // packets held at most (netem limit, NFQUEUE maxlen)
  std::chrono::milliseconds bind_timeout{5000};  // delayer start -> queue bound
  // netlab-delay --rt (SCHED_FIFO 10), as netlab runs its probes: on a busy
  // 2-core host without it the p99 of a 10 ms delay was 11-17 ms; with it
  // 10.14 ms (bench/impair_delay.cpp).
  bool delayer_realtime = true;
};

class Impairer {
 public:
  Impairer(Seams, Backends, ImpairerOptions);

  const Backends& backends() const { return backends_; }

  // Pure: throws InputError for impossible values and EnvironmentError when
  // this host has no backend for a feature `imp` uses. `what` names the link
  // in the message. For checking a whole topology before anything is touched.
  void check(const Impairment& imp, const std::string& what) const;

  // Phase 1. `seed` is direction_seed()'s; `delayer_log` where the delayer
  // writes (ProcessSpec::log_path; "" = /dev/null). Throws InputError /
  // EnvironmentError before anything is touched.
  DirectionPlan plan(const Direction&, const Impairment&, uint64_t seed,
                     const std::string& delayer_log = "");
  // Phase 2: `delayer` is the process started from plan.delayer (required
  // when there is one). Returns the instant (Clock::now_ns) right before its
  // first kernel change, once the delayer listens: when the impairment
  // starts, for a fault's timeline. On failure undoes what it did and
  // rethrows; the caller stops the delayer.
  int64_t apply(const DirectionPlan&, std::optional<process::ProcessId> delayer = std::nullopt);
  // Undoes what apply() made (steering first), whatever of it exists: the
  // qdiscs deleted, the netfilter chains emptied. Tries every step, then
  // throws the first failure. The caller stops the delayer afterwards.
  // Returns the instant right before its first kernel change.
  int64_t remove(const DirectionPlan&);

 private:
  void wait_bound(const DirectionPlan&, const std::optional<process::ProcessId>&);

  Seams seams_;
  Backends backends_;
  ImpairerOptions options_;
};

// For tests and benchmarks: plan + spawn (through Processes, unjournaled) +
// apply, undone in the destructor (remove, then stop the delayer).
class ScopedImpairment {
 public:
  ScopedImpairment(Impairer&, process::Processes&, const Direction&, const Impairment&,
                   uint64_t seed, const std::string& delayer_log = "");
  ~ScopedImpairment();
  ScopedImpairment(const ScopedImpairment&) = delete;
  ScopedImpairment& operator=(const ScopedImpairment&) = delete;

  const DirectionPlan& plan() const { return plan_; }
  const std::optional<process::ProcessId>& delayer() const { return delayer_; }
  // Undoes it now; throws what remove() throws. Returns how the delayer ended.
  std::optional<process::ExitStatus> release();

 private:
  Impairer& impairer_;
  process::Processes& processes_;
  DirectionPlan plan_;
  std::optional<process::ProcessId> delayer_;
  bool released_ = false;
};

}  // namespace netlab::impair
