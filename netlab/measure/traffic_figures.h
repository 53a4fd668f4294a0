// What netlab-traffic's logs say (the format: netlab/measure/traffic.h):
// the logs parsed, and the figures of a window [t0, t1] (CLOCK_MONOTONIC ns).
//
// A window's figures come from the samples inside it, at their own
// timestamps (no interpolation): for each log, the first and the last
// sample with t0 <= t <= t1; rates are the counters' differences over the
// time between those two samples. Sender and receiver are sampled apart
// (every 50 ms each), so each side's rate is over its own samples.
//
//   offered_mbit / offered_pps     sender (UDP): every send attempted, also
//                                  those the kernel refused (EMSGSIZE, no
//                                  route), at --size IP bytes each; TCP: the
//                                  bytes written to the socket
//   delivered_mbit / delivered_pps receiver: its own stream (IP bytes)
//   delivered_pct                  delivered_pps / offered_pps (UDP); TCP: 0,
//                                  not applicable (tcp = true; delivered_mbit
//                                  is the goodput and offered_mbit what was
//                                  written to the socket)
//   loss_pct                       UDP: packets missing from the receiver's
//                                  sequence (expected - received) over
//                                  expected, in the window; when nothing of
//                                  the stream arrived in it, 100 (also when
//                                  every send was refused). TCP: 0, n/a.
//   sent / received                packets the kernel accepted / the receiver
//                                  got in the window (TCP: bytes)
//   emsgsize                       sends refused with EMSGSIZE in the window
//   path_mtu                       the lowest path MTU the sender's sockets
//                                  reported in the window (0: unknown)
//   seconds                        the sender's span of samples
// Not measured (measured = false, why_not says why) when a log is missing,
// has no header, has no end record (the process did not stop cleanly:
// truncated), or has fewer than 2 samples in the window, or the sender
// attempted nothing in it. Never a silent 0.
//
// Threads: all functions are pure (read_traffic_log reads one file).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "netlab/measure/traffic.h"

namespace netlab::measure {

enum class TrafficProtocol : uint8_t { Udp, Tcp };

struct TrafficWindow {
  bool measured = false;
  std::string why_not;
  bool tcp = false;  // delivered_pct, loss_pct do not apply; delivered_mbit is the goodput
  double seconds = 0;
  double offered_mbit = 0, offered_pps = 0, delivered_mbit = 0, delivered_pps = 0,
         delivered_pct = 0, loss_pct = 0;
  uint64_t sent = 0, received = 0, emsgsize = 0;
  uint32_t path_mtu = 0;
};

// One b/s/e record. Sender: packets/bytes sent, emsgsize, errors, path_mtu,
// late. Receiver: packets/bytes received, expected, foreign.
struct TrafficSample {
  char kind = 's';
  int64_t t_ns = 0;
  uint64_t packets = 0, bytes = 0;
  uint64_t emsgsize = 0, errors = 0, late = 0;  // sender
  uint32_t path_mtu = 0;                        // sender
  uint64_t expected = 0, foreign = 0;           // receiver
  bool operator==(const TrafficSample&) const = default;
};

struct TrafficFlowTotals {
  uint32_t flow = 0;
  uint64_t packets = 0, bytes = 0;
  uint64_t emsgsize = 0;  // sender
  uint32_t path_mtu = 0;  // sender
  uint64_t expected = 0;  // receiver
};

struct TrafficLog {
  bool exists = false;
  std::string error;  // "" when the header parsed
  TrafficRole role = TrafficRole::Send;
  bool tcp = false;
  uint32_t flows = 0, size = 0;
  uint64_t rate_bps = 0, pps = 0;
  bool df = false;
  std::vector<TrafficSample> samples;          // b, s and e records, in order
  std::vector<TrafficFlowTotals> flow_totals;  // from the end
  bool ended = false;
};

// The text of a log (a partial last line is ignored).
TrafficLog parse_traffic_log(std::string_view text);
// exists = false when the file cannot be read.
TrafficLog read_traffic_log(const std::string& path);

TrafficWindow traffic_window(const TrafficLog& sender, const TrafficLog& receiver, int64_t t0_ns,
                             int64_t t1_ns);

}  // namespace netlab::measure
