// The bytes of the data-plane probe: the UDP packet netlab-probe sends, and
// the log file it writes. Pure encoders and decoders, tested by decoding
// what they encode; no I/O here (probe.h reads logs, probe_runner.h runs).
//
// All integers are little-endian, whatever the host.
//
// Packet (32 bytes; longer datagrams are accepted, the rest is ignored):
//   0  u32 magic 0x42504C4E ("NLPB")   4  u16 version (1)   6  u16 flags
//   8  u32 stream id                    12 u32 reserved
//   16 u64 seq (0, 1, 2, ... one per send deadline, never skipped)
//   24 i64 tx_ns: CLOCK_MONOTONIC taken right before sendto()
// flags bit 0: a reflection (anycast probes, probe_runner.h): an instance of
// the service sends the packet it received back to its sender, unchanged in
// bytes 0..31 but for this bit, followed by 16 more bytes (48 in all):
//   32 i64 reflect_tx_ns: the instance's CLOCK_MONOTONIC right before sendto()
//   40 u32 instance id   44 u32 reserved
// A flagged packet shorter than 48 bytes is not a probe packet. Flags were
// reserved (0) before, so plain packets read the same as ever.
//
// Log file: an 80-byte header, then 32-byte records, appended while the
// probe runs and flushed (write(2)) at least every 50 ms, so that a reader
// may see a partial last record (it is ignored). The file appears under its
// name with the header already written (created under a temporary name and
// renamed), so an existing log always has a header.
//
// Header:
//   0  char[8] "NLPROBE\0"              8  u32 version (1)
//   12 u32 header size (80)             16 u32 record size (32)
//   20 u32 own stream id                24 u32 expected peer stream id (0 = any)
//   28 u32 flags (bit 0: sender and receiver threads run SCHED_FIFO;
//          bits 1-2: the mode, ProbeMode: 0 stream, 1 echo, 2 reflect)
//   In reflect mode the own stream id is the instance id, and the expected
//   peer stream id is the stream it reflects.
//   32 i64 interval_ns                  40 i64 start: CLOCK_MONOTONIC ns
//   48 i64 start: CLOCK_REALTIME ns     56 u32 bind address  60 u16 bind port
//   64 u32 peer address  68 u16 peer port   (addresses in host order)
//   70..79 reserved (0)
//
// Record: u16 kind, u16 reserved, u32 aux, u64 seq, i64 a, i64 b:
//   kind 1 received:  seq, a = tx_ns (the sender's), b = rx_ns (ours, right after recvmsg)
//   kind 2 sent:      seq, a = tx_ns, b = lateness_ns (tx_ns - deadline),
//                     aux = errno of sendto (0: handed to the kernel)
//   kind 3 counter:   aux = ProbeCounter id, seq = value, a = time ns
//   kind 4 heartbeat: a = time ns; every packet received before it is in
//                     the file (written with each flush)
//   kind 5 end:       a = time ns; the probe stopped cleanly (SIGTERM/SIGINT)
//   kind 6 reflected: (reflect mode) seq, a = reflect_tx_ns, b = the sender's
//                     tx_ns, aux = errno of sendto (0: handed to the kernel);
//                     written after the kind 1 record of the same packet
//   kind 7 echoed:    (echo mode) a reflection of our own probe came back:
//                     seq, a = reflect_tx_ns (the instance's), b = rx_ns (ours),
//                     aux = instance id
// Unknown kinds are skipped by readers (forward compatibility).
// Threads: all functions are pure and thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "netlab/base/ip.h"

namespace netlab::measure {

inline constexpr uint32_t kProbePacketMagic = 0x42504C4E;  // "NLPB" as bytes on the wire
inline constexpr uint16_t kProbePacketVersion = 1;
inline constexpr size_t kProbePacketSize = 32;
inline constexpr size_t kReflectionPacketSize = 48;
inline constexpr uint16_t kPacketFlagReflection = 1;

struct ProbePacket {
  uint32_t stream_id = 0;
  uint64_t seq = 0;
  int64_t tx_ns = 0;
  // Reflections only:
  bool reflected = false;
  int64_t reflect_tx_ns = 0;
  uint32_t instance = 0;
  bool operator==(const ProbePacket&) const = default;
};

// A plain probe packet (`reflected` and what follows it are not written).
void encode_probe_packet(const ProbePacket& p, std::span<std::byte, kProbePacketSize> out);
// A reflection of `p`: p's stream id, seq and tx_ns, with its reflect_tx_ns
// and instance.
void encode_reflection_packet(const ProbePacket& p, std::span<std::byte, kReflectionPacketSize> out);
// nullopt for anything that is not a version-1 probe packet or reflection.
std::optional<ProbePacket> decode_probe_packet(std::span<const std::byte> in);

inline constexpr std::array<char, 8> kProbeLogMagic = {'N', 'L', 'P', 'R', 'O', 'B', 'E', '\0'};
inline constexpr uint32_t kProbeLogVersion = 1;
inline constexpr size_t kProbeLogHeaderSize = 80;
inline constexpr size_t kProbeLogRecordSize = 32;

// What a netlab-probe does (probe_runner.h): send its own stream and receive
// the peer's (stream), send its stream and receive the reflections of it
// (echo), or reflect a peer's stream back to it (reflect).
enum class ProbeMode : uint32_t { kStream = 0, kEcho = 1, kReflect = 2 };

struct ProbeHeader {
  uint32_t version = kProbeLogVersion;
  uint32_t stream_id = 0;
  uint32_t peer_stream_id = 0;  // 0: packets of any stream id but our own are accepted
  bool realtime = false;        // SCHED_FIFO was granted
  ProbeMode mode = ProbeMode::kStream;
  int64_t interval_ns = 0;
  int64_t start_ns = 0;           // CLOCK_MONOTONIC
  int64_t start_realtime_ns = 0;  // CLOCK_REALTIME, to put the run on a wall clock
  Ipv4 bind_addr;
  uint16_t bind_port = 0;
  Ipv4 peer_addr;
  uint16_t peer_port = 0;
  bool operator==(const ProbeHeader&) const = default;
};

enum class RecordKind : uint16_t {
  kReceived = 1,
  kSent = 2,
  kCounter = 3,
  kHeartbeat = 4,
  kEnd = 5,
  kReflected = 6,
  kEchoed = 7
};

enum class ProbeCounter : uint32_t {
  kSent = 1,         // sendto() calls that succeeded
  kSendErrors = 2,   // sendto() calls that failed (ENETUNREACH while routes are gone, ...)
  kReceived = 3,     // valid probe packets from the peer
  kForeign = 4,      // datagrams that were not the peer's probes (wrong source, magic, stream)
  kRecvErrors = 5,   // recvmsg() failures
  kLateWakeups = 6,  // sends a whole interval or more late: the schedule was re-anchored
};

struct ProbeRecord {
  RecordKind kind = RecordKind::kReceived;
  uint32_t aux = 0;
  uint64_t seq = 0;
  int64_t a = 0, b = 0;
  bool operator==(const ProbeRecord&) const = default;
};

void encode_probe_header(const ProbeHeader& h, std::span<std::byte, kProbeLogHeaderSize> out);
// Throws netlab::Error (naming `source`) when this is not a probe log header.
ProbeHeader decode_probe_header(std::span<const std::byte> in, const std::string& source);

void encode_probe_record(const ProbeRecord& r, std::span<std::byte, kProbeLogRecordSize> out);
ProbeRecord decode_probe_record(std::span<const std::byte, kProbeLogRecordSize> in);

}  // namespace netlab::measure
