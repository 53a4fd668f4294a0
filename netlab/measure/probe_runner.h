// netlab-probe itself: its command line and its run loop (probe_main.cpp is
// only main()). Netlab starts one in each host namespace of a scenario,
// through Processes, with argv from probe_args(), and stops it with SIGTERM.
//
// Threads while it runs:
//   sender   - sleeps to absolute CLOCK_MONOTONIC deadlines (clock_nanosleep
//              TIMER_ABSTIME, 1 ns timer slack) and sends one packet per
//              deadline. Woken an interval or more late, it sends the next
//              seq now and re-anchors the schedule: no catch-up burst, no
//              skipped seq (a late sender is not network loss); its lateness
//              is logged with every send.
//   receiver - recvmsg, CLOCK_MONOTONIC right after it returns, validation
//              (source = --peer, magic, version, stream id), a log record.
//   main     - flushes the log every 20 ms (write(2): readers see it at
//              once), with a heartbeat; on SIGTERM/SIGINT stops both threads,
//              writes the counters and an end record, exits 0.
// --rt puts sender and receiver under SCHED_FIFO priority 10 when permitted
// (otherwise a warning, and the header says it was not granted).
//
// Modes (probe.h defines the figures of each):
//   stream  (default) sends its stream to --peer and receives the peer's
//           stream, which must come from --peer.
//   echo    (--echo) sends its stream to --peer, an anycast service address,
//           and receives the reflections of that stream, which come from the
//           service address; it receives no stream of its own.
//   reflect (--reflect) sends nothing of its own: every probe of stream
//           --peer-stream-id from --peer is logged and sent straight back to
//           it from --bind (the service address), flagged as a reflection
//           with this instance's id (--stream-id) and the send time of the
//           reflection. The receiving thread reflects, so a reflection leaves
//           within microseconds of the probe's arrival.
//
// Errors: sendto/recvmsg errors are counted (routes come and go in an
// outage); anything else (socket, bind, any write of the log) is fatal:
// a message on stderr and exit status 1. Usage errors: InputError, exit 2.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "netlab/base/ip.h"
#include "netlab/measure/probe_format.h"

namespace netlab::measure {

inline constexpr const char* kProbeUsage =
    "usage: netlab-probe --bind ADDR:PORT --peer ADDR:PORT --interval-us N --out FILE\n"
    "                    [--stream-id N] [--peer-stream-id N] [--echo | --reflect] [--rt]\n"
    "                    [--size N] [--df | --no-df]\n"
    "  --bind ADDR:PORT      local IPv4 address and UDP port to send from and receive on\n"
    "  --peer ADDR:PORT      the other probe's --bind\n"
    "  --interval-us N       one packet every N microseconds (10..1000000)\n"
    "  --out FILE            the log (see netlab/measure/probe_format.h); truncated\n"
    "  --stream-id N         this probe's stream id, 1..2^32-1 (default 1)\n"
    "  --peer-stream-id N    accept only this stream id (default: any but our own)\n"
    "  --echo                receive the reflections of our own stream (anycast client)\n"
    "  --reflect             reflect --peer's stream back (an anycast instance; --stream-id is\n"
    "                        the instance id, --peer-stream-id the stream, required)\n"
    "  --rt                  SCHED_FIFO for the sender and receiver, if permitted\n"
    "  --size N              every packet sent an IP datagram of N bytes, 76..65535 (padded;\n"
    "                        default: 60, reflections 76)\n"
    "  --df | --no-df        DF set and never fragmented (a send above the path MTU fails\n"
    "                        with EMSGSIZE, counted) | DF clear (default: the kernel's)\n";

struct ProbeOptions {
  Ipv4 bind_addr;
  uint16_t bind_port = 0;
  Ipv4 peer_addr;
  uint16_t peer_port = 0;
  int64_t interval_ns = 1'000'000;
  std::string out;
  uint32_t stream_id = 1;
  uint32_t peer_stream_id = 0;  // 0: any but stream_id
  ProbeMode mode = ProbeMode::kStream;
  bool realtime = false;
  // IP datagram bytes of every packet sent; 0: each its natural size.
  uint32_t size = 0;
  // true: IP_PMTUDISC_DO; false: IP_PMTUDISC_DONT; none: the kernel's default.
  std::optional<bool> df;
  bool operator==(const ProbeOptions&) const = default;
};

// `args` without the program name. Throws InputError saying what is wrong.
ProbeOptions parse_probe_args(std::span<const std::string> args);
// The arguments that parse back to `o` (for a ProcessSpec's argv).
std::vector<std::string> probe_args(const ProbeOptions& o);

// Runs until SIGTERM or SIGINT. Returns the exit status: 0 after a clean
// stop, 1 after a fatal error (reported on stderr).
int run_probe(const ProbeOptions& o);

}  // namespace netlab::measure
