#include "netlab/measure/probe_format.h"

#include <cstring>

#include "netlab/base/error.h"

namespace netlab::measure {

namespace {

template <class T>
void put(std::byte* out, size_t off, T v) {
  using U = std::make_unsigned_t<T>;
  U u = static_cast<U>(v);
  for (size_t i = 0; i < sizeof(T); ++i) {
    out[off + i] = static_cast<std::byte>(u & 0xff);
    u = static_cast<U>(u >> 8);
  }
}

template <class T>
T get(const std::byte* in, size_t off) {
  using U = std::make_unsigned_t<T>;
  U u = 0;
  for (size_t i = sizeof(T); i-- > 0;) {
    u = static_cast<U>((u << 8) | static_cast<U>(in[off + i]));
  }
  return static_cast<T>(u);
}

}  // namespace

void encode_probe_packet(const ProbePacket& p, std::span<std::byte, kProbePacketSize> out) {
  std::byte* o = out.data();
  std::memset(o, 0, out.size());
  put<uint32_t>(o, 0, kProbePacketMagic);
  put<uint16_t>(o, 4, kProbePacketVersion);
  put<uint32_t>(o, 8, p.stream_id);
  put<uint64_t>(o, 16, p.seq);
  put<int64_t>(o, 24, p.tx_ns);
}

void encode_reflection_packet(const ProbePacket& p,
                              std::span<std::byte, kReflectionPacketSize> out) {
  std::byte* o = out.data();
  std::memset(o, 0, out.size());
  encode_probe_packet(p, out.first<kProbePacketSize>());
  put<uint16_t>(o, 6, kPacketFlagReflection);
  put<int64_t>(o, 32, p.reflect_tx_ns);
  put<uint32_t>(o, 40, p.instance);
}

std::optional<ProbePacket> decode_probe_packet(std::span<const std::byte> in) {
  if (in.size() < kProbePacketSize) return std::nullopt;
  const std::byte* i = in.data();
  if (get<uint32_t>(i, 0) != kProbePacketMagic || get<uint16_t>(i, 4) != kProbePacketVersion) {
    return std::nullopt;
  }
  ProbePacket p{
      .stream_id = get<uint32_t>(i, 8), .seq = get<uint64_t>(i, 16), .tx_ns = get<int64_t>(i, 24)};
  if ((get<uint16_t>(i, 6) & kPacketFlagReflection) != 0) {
    if (in.size() < kReflectionPacketSize) return std::nullopt;
    p.reflected = true;
    p.reflect_tx_ns = get<int64_t>(i, 32);
    p.instance = get<uint32_t>(i, 40);
  }
  return p;
}

void encode_probe_header(const ProbeHeader& h, std::span<std::byte, kProbeLogHeaderSize> out) {
  std::byte* o = out.data();
  std::memset(o, 0, out.size());
  std::memcpy(o, kProbeLogMagic.data(), kProbeLogMagic.size());
  put<uint32_t>(o, 8, h.version);
  put<uint32_t>(o, 12, kProbeLogHeaderSize);
  put<uint32_t>(o, 16, kProbeLogRecordSize);
  put<uint32_t>(o, 20, h.stream_id);
  put<uint32_t>(o, 24, h.peer_stream_id);
  put<uint32_t>(o, 28, (h.realtime ? 1u : 0u) | (static_cast<uint32_t>(h.mode) & 3u) << 1);
  put<int64_t>(o, 32, h.interval_ns);
  put<int64_t>(o, 40, h.start_ns);
  put<int64_t>(o, 48, h.start_realtime_ns);
  put<uint32_t>(o, 56, h.bind_addr.value);
  put<uint16_t>(o, 60, h.bind_port);
  put<uint32_t>(o, 64, h.peer_addr.value);
  put<uint16_t>(o, 68, h.peer_port);
}

ProbeHeader decode_probe_header(std::span<const std::byte> in, const std::string& source) {
  if (in.size() < kProbeLogHeaderSize) {
    throw Error("probe log " + source + ": " + std::to_string(in.size()) +
                " bytes, shorter than its header");
  }
  const std::byte* i = in.data();
  if (std::memcmp(i, kProbeLogMagic.data(), kProbeLogMagic.size()) != 0) {
    throw Error("probe log " + source + ": not a probe log (bad magic)");
  }
  ProbeHeader h;
  h.version = get<uint32_t>(i, 8);
  if (h.version != kProbeLogVersion) {
    throw Error("probe log " + source + ": version " + std::to_string(h.version) +
                ", this netlab reads version " + std::to_string(kProbeLogVersion));
  }
  if (get<uint32_t>(i, 12) != kProbeLogHeaderSize || get<uint32_t>(i, 16) != kProbeLogRecordSize) {
    throw Error("probe log " + source + ": unexpected header or record size");
  }
  h.stream_id = get<uint32_t>(i, 20);
  h.peer_stream_id = get<uint32_t>(i, 24);
  h.realtime = (get<uint32_t>(i, 28) & 1u) != 0;
  const uint32_t mode = (get<uint32_t>(i, 28) >> 1) & 3u;
  if (mode > static_cast<uint32_t>(ProbeMode::kReflect))
    throw Error("probe log " + source + ": unknown mode " + std::to_string(mode));
  h.mode = static_cast<ProbeMode>(mode);
  h.interval_ns = get<int64_t>(i, 32);
  h.start_ns = get<int64_t>(i, 40);
  h.start_realtime_ns = get<int64_t>(i, 48);
  h.bind_addr.value = get<uint32_t>(i, 56);
  h.bind_port = get<uint16_t>(i, 60);
  h.peer_addr.value = get<uint32_t>(i, 64);
  h.peer_port = get<uint16_t>(i, 68);
  if (h.interval_ns <= 0) {
    throw Error("probe log " + source + ": interval " + std::to_string(h.interval_ns) + " ns");
  }
  return h;
}

void encode_probe_record(const ProbeRecord& r, std::span<std::byte, kProbeLogRecordSize> out) {
  std::byte* o = out.data();
  put<uint16_t>(o, 0, static_cast<uint16_t>(r.kind));
  put<uint16_t>(o, 2, 0);
  put<uint32_t>(o, 4, r.aux);
  put<uint64_t>(o, 8, r.seq);
  put<int64_t>(o, 16, r.a);
  put<int64_t>(o, 24, r.b);
}

ProbeRecord decode_probe_record(std::span<const std::byte, kProbeLogRecordSize> in) {
  const std::byte* i = in.data();
  return ProbeRecord{.kind = static_cast<RecordKind>(get<uint16_t>(i, 0)),
                     .aux = get<uint32_t>(i, 4),
                     .seq = get<uint64_t>(i, 8),
                     .a = get<int64_t>(i, 16),
                     .b = get<int64_t>(i, 24)};
}

}  // namespace netlab::measure
