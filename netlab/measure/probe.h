// Probe arithmetic: what the logs of two netlab-probe instances say about
// the data plane between them. Pure (reading a file is the only I/O), so
// every figure is unit-tested on synthetic logs.
//
// Netlab runs one netlab-probe in each of a scenario's two host namespaces.
// Both send a stream of sequence-numbered, CLOCK_MONOTONIC-stamped UDP
// packets to the other and log what they send and receive (probe_format.h).
// One host, one CLOCK_MONOTONIC: all timestamps of both logs lie on one
// timeline, shared with netlab's fault and route events.
//   forward = A's stream as B received it: analyze_direction(A's log, B's log, window)
//   reverse = B's stream as A received it: analyze_direction(B's log, A's log, window)
//
// Definitions (I = the probe interval; tx(s) = send time of seq s):
//  * Loss is judged on sequence numbers, never on arrival times: a sender
//    that wakes late sends the next seq late but skips none, so its lateness
//    can never look like loss; a packet that arrives late or out of order is
//    received, not lost. Duplicates count once.
//  * A run of loss is a maximal range of consecutive seqs none of which was
//    received. Between received seqs p (last before) and n (first after):
//        start = tx(p) + I, end = tx(n), duration = tx(n) - tx(p) - I
//    i.e. lost × I for a regular sender, and the true elapsed time when the
//    sender was late in between. Resolution: the true cut lies between tx(p)
//    and tx(p+1), the true repair between tx(n-1) and tx(n), so the duration
//    is exact to within one interval plus the sender's lateness.
//  * A run before the first received seq (the peer was not up yet) starts at
//    the send time of its first seq; a run after the last received seq
//    (lost and never recovered) is OPEN: it lasts until the end of the
//    window, or of the evidence if that comes first, and is never dropped.
//  * Evidence: a packet counts only if it could have been judged. The
//    effective end of a window is the earliest of: the window's end; the
//    receiver's last heartbeat minus AnalysisOptions::in_flight_ns (a packet
//    sent later may still have been on its way when the receiver last wrote
//    its log, or when it stopped); the sender's last send plus I.
//  * Window attribution: a run belongs to a window [begin, end) when the
//    run's [start, end) overlaps it, and is then reported WHOLE: with its
//    full start, end, duration and lost count, even when it began before the
//    window (a window opened at a fault often starts a fraction of an
//    interval after the first lost packet was sent) or ends after it. The
//    longest such run is the window's outage. The window's `lost`, `sent`
//    and `received` totals, however, count only packets whose send time lies
//    in the window (send times of lost packets come from the sender's log, or
//    are estimated on the interval grid from the run's start without it).
//  * reachable: some packet sent in the window was received.
//
// Anycast probes (the probe goes to a service address several hosts hold):
// the client runs in echo mode and sends its stream to the service address;
// every instance runs a reflector that logs each probe it receives and sends
// it straight back (probe_runner.h). One stream id, one client clock, so:
//   forward = the client's stream as the service received it: the union of
//     the instances' receipts (a probe is received when any instance got it;
//     a probe two instances got counts once, as a duplicate). Every rule
//     above applies unchanged, with the evidence ending where the first
//     instance's log ends: a packet on its way to any instance is not lost
//     yet. analyze_anycast_forward().
//   reverse = the reflections as the client received them, among the probes
//     that reached an instance: probes that never reached one are the
//     forward figure's, and say nothing about the way back.
//     analyze_anycast_reverse():
//     * a reflection's send time is the instance's reflect_tx (logged by the
//       instance, and carried in the reflection itself);
//     * a reverse run is a maximal range of consecutive seqs each of which
//       reached an instance and whose reflection never came back. It starts
//       at the reflection send time of its first seq. It ends at the
//       reflection send time of the next seq when that reflection came back;
//       when the next seq reached no instance, one interval after its own
//       last reflection (the way back is not observed during a forward
//       outage). A run after which no reflection came back at all is OPEN
//       and lasts until the end of the evidence;
//     * evidence ends at the earliest of the window's end, the client's last
//       heartbeat minus in_flight_ns, and every instance's last heartbeat
//       (a reflection it sent later is not in its log yet);
//     * counts (sent = reflections, received, lost) are by reflection send
//       time in the window; reachable: one of them came back. The sender's
//       lateness is not known for reflections (resolution: the interval).
//   served_by(): which instance got how many of the probes sent in a window.
//
// Errors: netlab::Error for malformed logs, KernelError for I/O.
// Threads: everything is pure or reads its own file; any thread.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "netlab/measure/probe_format.h"

namespace netlab::measure {

struct ReceivedProbe {
  uint64_t seq = 0;
  int64_t tx_ns = 0;  // the sender's clock (the same CLOCK_MONOTONIC)
  int64_t rx_ns = 0;
  bool operator==(const ReceivedProbe&) const = default;
};

struct SentProbe {
  uint64_t seq = 0;
  int64_t tx_ns = 0;
  int64_t lateness_ns = 0;  // tx_ns - the deadline it was scheduled for
  int error = 0;            // errno of sendto(); 0 = handed to the kernel
  bool operator==(const SentProbe&) const = default;
};

// Reflect mode: a reflection this instance sent (kReflected record).
struct ReflectedProbe {
  uint64_t seq = 0;
  int64_t reflect_tx_ns = 0;
  int64_t tx_ns = 0;  // the client's send time of the probe
  int error = 0;      // errno of sendto(); 0 = handed to the kernel
  bool operator==(const ReflectedProbe&) const = default;
};

// Echo mode: a reflection of our own probe that came back (kEchoed record).
struct EchoedProbe {
  uint64_t seq = 0;
  int64_t reflect_tx_ns = 0;  // the instance's send time
  int64_t rx_ns = 0;
  uint32_t instance = 0;
  bool operator==(const EchoedProbe&) const = default;
};

struct ProbeCounters {
  uint64_t sent = 0, send_errors = 0, received = 0, foreign = 0, recv_errors = 0, late_wakeups = 0;
  bool operator==(const ProbeCounters&) const = default;
};

struct ProbeLog {
  ProbeHeader header;
  std::vector<ReceivedProbe> received;  // in arrival order
  std::vector<SentProbe> sent;          // in send order
  std::vector<ReflectedProbe> reflected;  // reflect mode, in send order
  std::vector<EchoedProbe> echoed;        // echo mode, in arrival order
  ProbeCounters counters;               // the latest values the probe wrote
  // Every packet that arrived before this instant is in `received`: the
  // latest heartbeat or end record; INT64_MIN when there is none yet.
  int64_t covered_until_ns = std::numeric_limits<int64_t>::min();
  bool ended = false;        // the probe stopped cleanly and wrote its end record
  size_t partial_bytes = 0;  // an incomplete last record (the probe was writing): ignored
};

// Throws netlab::Error naming `source` when `bytes` are not a probe log.
ProbeLog parse_probe_log(std::span<const std::byte> bytes, const std::string& source);
// Reads and parses a log, also one that netlab-probe is still writing.
ProbeLog read_probe_log(const std::string& path);

// [begin_ns, end_ns) on CLOCK_MONOTONIC; the default is all of time.
struct TimeWindow {
  int64_t begin_ns = std::numeric_limits<int64_t>::min();
  int64_t end_ns = std::numeric_limits<int64_t>::max();
  bool operator==(const TimeWindow&) const = default;
};

struct LossRun {
  uint64_t first_seq = 0;  // the first seq lost
  uint64_t lost = 0;       // probes lost in the run (an open run: those judged)
  int64_t start_ns = 0;
  int64_t end_ns = 0;
  bool open = false;  // nothing received after it: lasts to the end of the evidence
  int64_t duration_ns() const { return end_ns - start_ns; }
  bool operator==(const LossRun&) const = default;
  std::string str() const;  // "seq 100+50 lost, 50.000 ms [12.345678901 s, 12.395678901 s)"
};

struct AnalysisOptions {
  // How long a packet may be on its way before the receiver's log is taken
  // to have judged it. Raise it for paths with emulated delay.
  int64_t in_flight_ns = 10'000'000;
};

struct DirectionReport {
  int64_t interval_ns = 0;
  TimeWindow window;               // the effective window: its end clipped to the evidence
  uint64_t sent = 0;               // probes sent in the window (received + lost)
  uint64_t received = 0;           // distinct probes sent in the window and received
  uint64_t lost = 0;               // probes sent in the window and never received
  uint64_t send_errors = 0;        // of `lost`: sendto() failed at the sender (needs its log)
  uint64_t duplicates = 0;         // extra copies of probes sent in the window
  uint64_t reordered = 0;          // probes that arrived after a higher seq had
  bool reachable = false;          // received > 0
  std::vector<LossRun> runs;       // every run overlapping the window, in seq order
  std::optional<LossRun> longest;  // the longest of `runs` (the earliest on a tie)
  // The resolution: interval_ns plus this (from the sender's log; nullopt
  // without it): the largest lateness of a send in the window.
  std::optional<int64_t> max_lateness_ns;

  int64_t outage_ns() const { return longest ? longest->duration_ns() : 0; }
  int64_t resolution_ns() const { return interval_ns + max_lateness_ns.value_or(0); }
};

struct DirectionInput {
  int64_t interval_ns = 0;
  std::span<const ReceivedProbe> received;  // arrival order (reordering is judged on it)
  // The sender's own records, in seq order; empty when only the receiver's
  // log is at hand (then send times of lost packets are estimated, and an
  // open run is only seen when the window or the receiver's evidence ends).
  std::span<const SentProbe> sent;
  // The receiver's ProbeLog::covered_until_ns; INT64_MAX when unknown.
  int64_t receiver_covered_until_ns = std::numeric_limits<int64_t>::max();
};

DirectionReport analyze_direction(const DirectionInput& in, TimeWindow window,
                                  const AnalysisOptions& options = {});
// The stream `sender` sent, as `receiver` received it. Throws netlab::Error
// when the two logs do not belong together (stream ids, addresses, interval).
DirectionReport analyze_direction(const ProbeLog& sender, const ProbeLog& receiver,
                                  TimeWindow window, const AnalysisOptions& options = {});

// Anycast probes (see the top of this file). `client` is the echo-mode log,
// `instances` the reflectors' logs of the same flow. Throws netlab::Error when
// they do not belong together (modes, stream ids, addresses, interval).
DirectionReport analyze_anycast_forward(const ProbeLog& client, std::span<const ProbeLog> instances,
                                        TimeWindow window, const AnalysisOptions& options = {});
DirectionReport analyze_anycast_reverse(const ProbeLog& client, std::span<const ProbeLog> instances,
                                        TimeWindow window, const AnalysisOptions& options = {});
// For each instance (by index into `instances`): the distinct probes it
// received whose send time lies in the window.
std::vector<uint64_t> served_by(std::span<const ProbeLog> instances, TimeWindow window);

// The sender's scheduling lateness over the sends in a window: how much
// later than their deadlines packets left (the probe's real resolution).
struct LatenessStats {
  uint64_t samples = 0;
  int64_t p50_ns = 0, p99_ns = 0, max_ns = 0;
  uint64_t late_by_an_interval = 0;  // sends an interval or more late (re-anchored)
};
LatenessStats lateness_stats(std::span<const SentProbe> sent, int64_t interval_ns,
                             TimeWindow window = {});

}  // namespace netlab::measure
