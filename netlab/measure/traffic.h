// netlab-traffic: netlab's rate-controlled traffic generator, its command
// line and its run loop (traffic_main.cpp is only main()). Netlab starts a
// receiver and a sender per [[traffic]] entry, through the lab's processes
// (traffic_io.h), and stops them with SIGTERM; traffic_figures.h reads the
// logs and computes the figures of a window.
//
//   netlab-traffic --send ADDR:PORT --bind ADDR --out FILE [--flows N]
//                  [--rate-bps N] [--pps N] [--size BYTES] [--df] [--tcp] [--rt]
//   netlab-traffic --recv ADDR:PORT --out FILE [--flows N] [--tcp]
//
// UDP sender: flow f (0..N-1) is its own socket, bound to --bind and
// connected to ADDR:PORT+f. The rate is the lower of --rate-bps (counted in
// IP datagram bytes) and --pps; the packets go round-robin over the flows.
// --size is the IP datagram (20 bytes of IP header + 8 of UDP + payload):
// 1500 fills a 1500-byte MTU. --df sets IP_PMTUDISC_DO (the kernel never
// fragments; a datagram above the path MTU it knows fails with EMSGSIZE),
// without it IP_PMTUDISC_DONT (fragmented as needed, DF clear).
// Pacing (traffic_pacing): one wake-up per tick of `batch` packets, at
// absolute CLOCK_MONOTONIC deadlines (clock_nanosleep TIMER_ABSTIME); a
// wake-up a whole tick or more late re-anchors the schedule at now: no
// catch-up burst (the missed packets are not sent, and the log counts the
// late wake-up). --rt runs the UDP sender SCHED_FIFO at priority 5 when
// permitted (below netlab-probe's 10, so the probe still goes first): on a
// busy host the default scheduler wakes it late often enough that it
// offered 9-25 % too little at 50 Mbit/s and 28-32 % at 200 (bench/traffic.cpp).
// Sends are MSG_DONTWAIT: a send the kernel cannot queue is counted as an
// error, never a stall. The payload begins with magic
// "NLTR", the flow and a per-flow sequence number, so that the receiver
// counts its own stream only and sees losses as gaps.
//
// UDP receiver: binds ADDR:PORT+f for every flow and counts, per flow and in
// all, packets and IP bytes of its own stream, the packets expected (per
// flow the highest sequence number seen + 1; expected - received = lost)
// and foreign datagrams.
//
// TCP (--tcp): one connection per flow; the sender writes as fast as TCP
// lets it, or paced to --rate-bps (a token bucket holding at most 10 ms of
// credit). A refused or broken connection is counted as an error and
// retried every 200 ms. The receiver accepts on every port and counts the
// bytes it reads (goodput). The MSS follows the path MTU as the kernel's
// TCP does.
//
// Log (--out): text, one record a line, written with write(2) as it goes
// (a reader may see a partial last line: it is ignored). The file appears
// under its name with the header line already in it (temporary name,
// renamed). The first line:
//   netlab-traffic 1 ROLE PROTO flows=N size=B rate_bps=R pps=P df=0|1 addr=A port=P bind=B rt=0|1
// (rt=1: SCHED_FIFO was asked for and granted).
// ROLE: send | recv; PROTO: udp | tcp; unlimited rates are 0.
// Then records, a record at start (b), every 50 ms (s) and at a clean stop
// (e), all with CLOCK_MONOTONIC t_ns and cumulative counters:
//   sender:   b|s|e T_NS SENT_PACKETS SENT_BYTES EMSGSIZE ERRORS PATH_MTU LATE_WAKEUPS
//   receiver: b|s|e T_NS RECEIVED_PACKETS RECEIVED_BYTES EXPECTED FOREIGN
// SENT_* count what the kernel accepted (TCP: write calls and bytes);
// EMSGSIZE: sends refused because the datagram exceeds the path MTU the
// kernel knows (PMTUD told it, or the route's MTU); ERRORS: every other
// failed send (and TCP connection failure); PATH_MTU: the lowest IP_MTU of
// the flows' connected sockets (0: unknown). The sender's b record is
// written after its first send. Right before the e record, one line per flow:
//   sender:   f FLOW SENT_PACKETS SENT_BYTES EMSGSIZE PATH_MTU
//   receiver: f FLOW RECEIVED_PACKETS RECEIVED_BYTES EXPECTED
// Unknown record kinds are skipped by readers.
//
// Errors: fatal ones (socket, bind, the log) -> stderr, exit status 1.
// Usage errors: InputError, exit status 2. SIGTERM/SIGINT: the e record,
// exit status 0.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "netlab/base/ip.h"

namespace netlab::measure {

inline constexpr const char* kTrafficUsage =
    "usage: netlab-traffic --send ADDR:PORT --bind ADDR --out FILE [--flows N] [--rate-bps N]\n"
    "                      [--pps N] [--size BYTES] [--df] [--tcp] [--rt]\n"
    "       netlab-traffic --recv ADDR:PORT --out FILE [--flows N] [--tcp]\n"
    "  --send ADDR:PORT   send to ADDR, flow f to port PORT+f\n"
    "  --recv ADDR:PORT   receive on ADDR, flow f on port PORT+f\n"
    "  --bind ADDR        (send) the local address to send from\n"
    "  --out FILE         the log (netlab/measure/traffic.h); truncated\n"
    "  --flows N          flows, 1..1024 (default 1)\n"
    "  --rate-bps N       (send) bits/s of IP datagrams; the lower of this and --pps governs\n"
    "  --pps N            (send, udp) packets/s\n"
    "  --size BYTES       (send, udp) IP datagram size, 64..65535 (default 1200)\n"
    "  --df               (send, udp) don't fragment (IP_PMTUDISC_DO)\n"
    "  --tcp              one TCP connection per flow instead of UDP\n"
    "  --rt               (send, udp) SCHED_FIFO priority 5 for the sender, if permitted\n";

enum class TrafficRole : uint8_t { Send, Recv };

inline constexpr uint32_t kTrafficMagic = 0x52544C4E;  // "NLTR" as bytes on the wire (LE)
inline constexpr uint32_t kTrafficHeaders = 28;        // IPv4 + UDP headers
inline constexpr uint32_t kTrafficMinSize = 64;
inline constexpr uint32_t kTrafficMaxSize = 65535;
inline constexpr uint32_t kTrafficMaxFlows = 1024;
inline constexpr int64_t kTrafficSampleNs = 50'000'000;  // a record every 50 ms

struct TrafficOptions {
  TrafficRole role = TrafficRole::Send;
  bool tcp = false;
  Ipv4 addr;          // send: the destination; recv: the address bound
  uint16_t port = 0;  // flow f: port + f
  Ipv4 bind;          // send: the source address
  uint32_t flows = 1;
  uint64_t rate_bps = 0;  // 0: not limited by it
  uint64_t pps = 0;       // 0: not limited by it
  uint32_t size = 1200;   // IP datagram bytes (udp)
  bool df = false;
  bool realtime = false;  // --rt (UDP sender)
  std::string out;
  bool operator==(const TrafficOptions&) const = default;
};

// `args` without the program name. Throws InputError saying what is wrong.
TrafficOptions parse_traffic_args(std::span<const std::string> args);
// The arguments that parse back to `o`.
std::vector<std::string> traffic_args(const TrafficOptions& o);

// The UDP sender's schedule: `pps` packets a second (the lower of the two
// limits), sent `batch` at a time every `tick_ns` (batch * interval), the
// tick no shorter than kTrafficMinTickNs so that high rates do not cost a
// wake-up per packet. A wake-up less than a tick late sends its batch at
// once (the schedule holds); a tick or more late re-anchors (no burst).
inline constexpr double kTrafficMinTickNs = 1'000'000;
struct TrafficPacing {
  double pps = 0;
  double interval_ns = 0;
  uint32_t batch = 1;
  double tick_ns = 0;
};
// Throws InputError when neither limit is set (rate_bps == pps == 0).
TrafficPacing traffic_pacing(uint64_t rate_bps, uint64_t pps, uint32_t size);

// Runs until SIGTERM or SIGINT. Returns the exit status: 0 after a clean
// stop, 1 after a fatal error (reported on stderr).
int run_traffic(const TrafficOptions& o);

}  // namespace netlab::measure
