// netlab-delay: holds the packets of one NFQUEUE for a delay (with jitter)
// and releases them in order. It runs inside the receiving node's namespace;
// netlab steers the interface's packets into its queue (kernel/tc.h,
// PacketQueues) once it has bound, and removes that steering before it
// stops the program (impair.h).
//
// How it works:
//  * Binds queue --queue with copy mode META (no payload is copied: only the
//    packet id matters) and GSO packets passed whole, so a 64 KiB TCP
//    super-packet costs one message, not 45. Queue length --limit; when it is
//    full the kernel drops (a full buffer drops; see impair.h on failing open).
//  * Each packet's release time comes from DelaySchedule (in order, seeded).
//    Arrival is CLOCK_MONOTONIC when the message is read.
//  * Verdicts are NFQNL_MSG_VERDICT_BATCH: "accept every queued packet up to
//    id N". Packet ids rise in arrival order, so one message releases every
//    packet that is due, in order; and a packet whose message was lost (a
//    full socket buffer: NETLINK_NO_ENOBUFS is set) goes with the next
//    batch, never stuck and never earlier than its successor's release.
//  * One thread: poll() on the queue socket, a timerfd armed (absolute,
//    1 ns timer slack) at the head's release time, and a signalfd.
//  * SIGTERM / SIGINT: every held packet is released at once (they were on
//    the wire when the impairment ended), the queue is unbound, a summary
//    line goes to stderr, exit 0. It removes nothing else: the steering rule
//    is netlab's.
//  * --rt: SCHED_FIFO priority 10 when permitted (a warning otherwise).
// Exit status: 0 after a signal, 1 on a fatal error (stderr says which),
// 2 on a usage error.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace netlab::impair {

inline constexpr const char* kDelayUsage =
    "usage: netlab-delay --queue N --delay-us N [--jitter-us N] [--seed N] [--limit N] [--rt]\n"
    "  --queue N       NFQUEUE number to bind, 0..65535\n"
    "  --delay-us N    hold each packet N microseconds (0..60000000)\n"
    "  --jitter-us N   plus a uniform draw in [-N, +N] us, never reordering (default 0)\n"
    "  --seed N        seed of the jitter draws, 0..2^64-1 (default 0)\n"
    "  --limit N       packets held at most; the kernel drops beyond (default 10000)\n"
    "  --rt            SCHED_FIFO priority 10, if permitted\n";

struct DelayOptions {
  uint16_t queue = 0;
  int64_t delay_us = 0;
  int64_t jitter_us = 0;
  uint64_t seed = 0;
  uint32_t limit = 10000;
  bool realtime = false;
  bool operator==(const DelayOptions&) const = default;
};

// `args` without the program name. Throws InputError saying what is wrong.
DelayOptions parse_delay_args(std::span<const std::string> args);
// The arguments that parse back to `o` (for a ProcessSpec's argv).
std::vector<std::string> delay_args(const DelayOptions& o);

// What a run did, printed on exit.
struct DelayStats {
  uint64_t packets = 0;         // packets received from the queue
  uint64_t released = 0;        // released by a verdict
  uint64_t verdicts = 0;        // batch verdict messages sent
  uint64_t max_held = 0;        // most packets held at once
  uint64_t netlink_errors = 0;  // error messages from the kernel (verdicts for vanished ids)
  int64_t late_sum_ns = 0;      // sum over released packets of (verdict time - release time)
  int64_t late_max_ns = 0;
  std::string str() const;
};

// Runs until SIGTERM or SIGINT. Returns the exit status (0 or 1).
int run_delayer(const DelayOptions& o);

}  // namespace netlab::impair
